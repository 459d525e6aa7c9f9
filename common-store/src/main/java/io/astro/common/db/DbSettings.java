package io.astro.common.db;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Where a service's MySQL database is and how many connections it may hold.
 *
 * <ul>
 *   <li>{@code ASTRO_DB_HOST} (default {@code localhost}), {@code ASTRO_DB_PORT} (3306)
 *   <li>{@code ASTRO_DB_NAME} — database, default per service
 *   <li>{@code ASTRO_DB_USER} (default {@code astro}); {@code ASTRO_DB_PASSWORD} or {@code
 *       ASTRO_DB_PASSWORD_FILE} (a mounted secret)
 *   <li>{@code ASTRO_DB_POOL_SIZE} — connections, default 8; {@code ASTRO_DB_CONNECT_TIMEOUT} —
 *       default 2s, kept short so a database outage answers 503 quickly instead of hanging requests
 *   <li>{@code ASTRO_DB_TLS} — {@code off} (default), {@code verify-ca} (TLS, the server's
 *       certificate checked against the CA) or {@code verify-full} (and its name against the host);
 *       {@code ASTRO_DB_TLS_CA} — the CA certificates (PEM file), else the JVM's default trust
 * </ul>
 */
public record DbSettings(
    String host,
    int port,
    String database,
    String user,
    String password,
    int poolSize,
    Duration connectTimeout,
    Tls tls,
    String tlsCa) {

  /** Whether the connection is encrypted and how much of the server's certificate is checked. */
  public enum Tls {
    OFF("off"),
    VERIFY_CA("verify-ca"),
    VERIFY_FULL("verify-full");

    private final String value;

    Tls(String value) {
      this.value = value;
    }

    public String value() {
      return value;
    }

    static Tls parse(String text) {
      for (Tls tls : values()) {
        if (tls.value.equals(text.trim())) {
          return tls;
        }
      }
      throw new ConfigException(
          "ASTRO_DB_TLS: expected off, verify-ca or verify-full, got '" + text + "'");
    }
  }

  public static DbSettings from(Env env, String defaultDatabase) {
    return new DbSettings(
        env.string("ASTRO_DB_HOST", "localhost"),
        env.integer("ASTRO_DB_PORT", 3306, 1, 65535),
        env.string("ASTRO_DB_NAME", defaultDatabase),
        env.string("ASTRO_DB_USER", "astro"),
        password(env),
        env.integer("ASTRO_DB_POOL_SIZE", 8, 1, 200),
        env.duration("ASTRO_DB_CONNECT_TIMEOUT", Duration.ofSeconds(2)),
        Tls.parse(env.string("ASTRO_DB_TLS", "off")),
        env.string("ASTRO_DB_TLS_CA", null));
  }

  /** For Flyway (MariaDB Connector/J): the same TLS as the pool's. */
  public String jdbcUrl() {
    String url = "jdbc:mariadb://" + host + ":" + port + "/" + database;
    if (tls == Tls.OFF) {
      return url;
    }
    return url
        + "?sslMode="
        + tls.value()
        + (tlsCa == null || tlsCa.isBlank()
            ? ""
            : "&serverSslCert=" + URLEncoder.encode(tlsCa, StandardCharsets.UTF_8));
  }

  // never printed: records would otherwise show the password in logs and exceptions
  @Override
  public String toString() {
    return "DbSettings["
        + user
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database
        + ", pool "
        + poolSize
        + ", tls "
        + tls.value()
        + "]";
  }

  private static String password(Env env) {
    String password = env.secret("ASTRO_DB_PASSWORD");
    return password == null ? "" : password;
  }
}
