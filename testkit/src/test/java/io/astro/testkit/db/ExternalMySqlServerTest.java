package io.astro.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ASTRO_TEST_MYSQL_URL path, pointed at the embedded server. */
@ExtendWith(MySqlExtension.class)
class ExternalMySqlServerTest {

  @Test
  void parsesUserPasswordHostAndPort() {
    ExternalMySqlServer server =
        ExternalMySqlServer.fromUrl("mysql://ci%40astro:p%40ss+w%3Ard@db.internal:3307");

    assertThat(server.user()).isEqualTo("ci@astro");
    assertThat(server.password()).isEqualTo("p@ss+w:rd");
    assertThat(server.host()).isEqualTo("db.internal");
    assertThat(server.port()).isEqualTo(3307);
    assertThat(ExternalMySqlServer.fromUrl("mysql://root@db").port()).isEqualTo(3306);
  }

  @Test
  void rejectsUrlsItCannotUse() {
    assertThatThrownBy(() -> ExternalMySqlServer.fromUrl("jdbc:mysql://db:3306"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mysql://user:password@host:port");
  }

  @Test
  void createsDatabasesOnTheServerItPointsAt(MySqlServer embedded) throws Exception {
    ExternalMySqlServer external =
        ExternalMySqlServer.fromUrl(
            "mysql://"
                + embedded.user()
                + ":"
                + embedded.password()
                + "@"
                + embedded.host()
                + ":"
                + embedded.port());

    try (TestDatabase db = external.createDatabase("external");
        Connection connection =
            DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      assertThat(connection.getCatalog()).isEqualTo(db.database());
    }
  }
}
