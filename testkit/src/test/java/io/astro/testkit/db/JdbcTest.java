package io.astro.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The JDBC url is what Flyway will get. */
@ExtendWith(MySqlExtension.class)
class JdbcTest {

  @Test
  void jdbcUrlReachesTheTestDatabase(TestDatabase db) throws Exception {
    try (Connection connection =
            DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(100))");
      statement.execute("INSERT INTO notes VALUES (1, 'ünïcödé ✓')");

      try (ResultSet rows = statement.executeQuery("SELECT DATABASE(), body FROM notes")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1)).isEqualTo(db.database());
        assertThat(rows.getString(2)).isEqualTo("ünïcödé ✓");
      }
    }
  }
}
