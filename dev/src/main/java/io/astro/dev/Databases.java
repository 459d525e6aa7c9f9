package io.astro.dev;

import io.astro.testkit.db.MySqlServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The services' databases. Their migrations create tables, not databases (Flyway connects to the
 * database it migrates, and production databases are made by whoever runs MySQL), so dev mode makes
 * them first.
 */
public final class Databases {

  public static final String USERS = "astro_users";
  public static final String APPS = "astro_apps";

  private Databases() {}

  public static void ensure(MySqlServer server) {
    String url = "jdbc:mariadb://" + server.host() + ":" + server.port() + "/";
    try (Connection connection =
            DriverManager.getConnection(url, server.user(), server.password());
        Statement statement = connection.createStatement()) {
      for (String name : new String[] {USERS, APPS}) {
        // explicit: MariaDB 11.4 and MySQL 8 default to different collations
        statement.execute(
            "CREATE DATABASE IF NOT EXISTS `"
                + name
                + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create the databases on "
              + server.host()
              + ":"
              + server.port()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
