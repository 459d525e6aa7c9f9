package io.astro.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MySqlExtension.class)
class DatabaseIsolationTest {

  private static final Set<TestDatabase> SEEN = Collections.newSetFromMap(new IdentityHashMap<>());

  @Test
  void tablesOfOneDatabaseAreInvisibleInAnother(TestDatabase mine, MySqlServer server)
      throws Exception {
    execute(mine, "CREATE TABLE probe (id INT PRIMARY KEY)");
    execute(mine, "INSERT INTO probe VALUES (1)");

    try (TestDatabase other = server.createDatabase("other")) {
      assertThat(other.database()).isNotEqualTo(mine.database());
      assertThatThrownBy(() -> execute(other, "SELECT * FROM probe"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1146));
    }
  }

  @Test
  void closingDropsTheDatabase(MySqlServer server) throws Exception {
    TestDatabase db = server.createDatabase("dropped");
    execute(db, "CREATE TABLE t (id INT)");

    db.close();

    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:mariadb://" + server.host() + ":" + server.port() + "/",
                server.user(),
                server.password());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW DATABASES LIKE '" + db.database() + "'")) {
      assertThat(rows.next()).isFalse();
    }
  }

  @Test
  void oneDatabaseForTheWholeClass(TestDatabase db) {
    SEEN.add(db);
    assertThat(SEEN).hasSize(1);
  }

  @Test
  void oneDatabaseForTheWholeClassAgain(TestDatabase db) {
    SEEN.add(db);
    assertThat(SEEN).hasSize(1);
  }

  private static void execute(TestDatabase db, String sql) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
