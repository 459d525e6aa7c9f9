package io.astro.common.db;

import io.astro.common.config.Env;
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
 * </ul>
 */
public record DbSettings(
    String host,
    int port,
    String database,
    String user,
    String password,
    int poolSize,
    Duration connectTimeout) {

  public static DbSettings from(Env env, String defaultDatabase) {
    return new DbSettings(
        env.string("ASTRO_DB_HOST", "localhost"),
        env.integer("ASTRO_DB_PORT", 3306, 1, 65535),
        env.string("ASTRO_DB_NAME", defaultDatabase),
        env.string("ASTRO_DB_USER", "astro"),
        password(env),
        env.integer("ASTRO_DB_POOL_SIZE", 8, 1, 200),
        env.duration("ASTRO_DB_CONNECT_TIMEOUT", Duration.ofSeconds(2)));
  }

  public String jdbcUrl() {
    return "jdbc:mariadb://" + host + ":" + port + "/" + database;
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
        + "]";
  }

  private static String password(Env env) {
    String password = env.secret("ASTRO_DB_PASSWORD");
    return password == null ? "" : password;
  }
}
