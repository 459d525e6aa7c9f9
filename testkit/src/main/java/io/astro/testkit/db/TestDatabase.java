package io.astro.testkit.db;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One database of its own on a {@link MySqlServer}, so test classes sharing the server never see
 * each other's tables. Closing it drops the database.
 *
 * <p>For the Vert.x reactive client build the options from the fields, e.g. {@code new
 * MySQLConnectOptions().setHost(db.host()).setPort(db.port()).setDatabase(db.database())
 * .setUser(db.user()).setPassword(db.password())}, or pass {@link #uri()} to {@code
 * MySQLConnectOptions.fromUri}.
 */
public final class TestDatabase implements AutoCloseable {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  // MySQL limits identifiers to 64 characters; leave room for the "_<n>_<random>" suffix.
  private static final int MAX_PREFIX = 40;

  private final MySqlServer server;
  private final String database;
  private final AtomicBoolean dropped = new AtomicBoolean();

  private TestDatabase(MySqlServer server, String database) {
    this.server = server;
    this.database = database;
  }

  static TestDatabase create(MySqlServer server, String prefix) {
    String name = uniqueName(prefix);
    // Explicit charset and collation: MariaDB 11.4 and MySQL 8 have different defaults.
    execute(
        server, "CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    return new TestDatabase(server, name);
  }

  public String host() {
    return server.host();
  }

  public int port() {
    return server.port();
  }

  public String database() {
    return database;
  }

  public String user() {
    return server.user();
  }

  public String password() {
    return server.password();
  }

  /** JDBC url for the MariaDB driver (used for Flyway migrations); credentials go separately. */
  public String jdbcUrl() {
    return "jdbc:mariadb://" + host() + ":" + port() + "/" + database;
  }

  /**
   * {@code mysql://user:password@host:port/database}, the form {@code MySQLConnectOptions.fromUri}
   * reads.
   */
  public String uri() {
    return "mysql://"
        + encode(user())
        + ":"
        + encode(password())
        + "@"
        + host()
        + ":"
        + port()
        + "/"
        + database;
  }

  /** Drops the database; calling it again does nothing. */
  public void drop() {
    if (dropped.compareAndSet(false, true)) {
      execute(server, "DROP DATABASE IF EXISTS `" + database + "`");
    }
  }

  @Override
  public void close() {
    drop();
  }

  @Override
  public String toString() {
    return "TestDatabase[" + database + " on " + host() + ":" + port() + "]";
  }

  private static String uniqueName(String prefix) {
    String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (clean.length() > MAX_PREFIX) {
      clean = clean.substring(0, MAX_PREFIX);
    }
    // The random part keeps names unique across JVMs sharing an external server.
    String random = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
    return clean + "_" + SEQUENCE.incrementAndGet() + "_" + random;
  }

  private static void execute(MySqlServer server, String sql) {
    String url = "jdbc:mariadb://" + server.host() + ":" + server.port() + "/";
    try (Connection connection =
            DriverManager.getConnection(url, server.user(), server.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Failed on " + server.host() + ":" + server.port() + ": " + sql, e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
