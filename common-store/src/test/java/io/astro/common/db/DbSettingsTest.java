package io.astro.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.SslMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DbSettingsTest {

  @Test
  void without_settings_the_connection_is_plain() {
    DbSettings settings = DbSettings.from(Env.of(Map.of()), "astro_apps");
    MySQLConnectOptions connect = new MySQLConnectOptions();
    Database.tls(connect, settings);

    assertThat(settings.tls()).isEqualTo(DbSettings.Tls.OFF);
    assertThat(settings.jdbcUrl()).isEqualTo("jdbc:mariadb://localhost:3306/astro_apps");
    assertThat(connect.getSslMode()).isEqualTo(SslMode.DISABLED);
  }

  @Test
  void verify_full_checks_the_certificate_against_the_ca_and_the_host_on_both_drivers() {
    DbSettings settings =
        DbSettings.from(
            Env.of(
                Map.of(
                    "ASTRO_DB_HOST", "mysql.example.org",
                    "ASTRO_DB_TLS", "verify-full",
                    "ASTRO_DB_TLS_CA", "/etc/astro/db-ca/ca.pem",
                    "ASTRO_DB_PASSWORD", "s3cret")),
            "astro_apps");
    MySQLConnectOptions connect = new MySQLConnectOptions();
    Database.tls(connect, settings);

    assertThat(connect.getSslMode()).isEqualTo(SslMode.VERIFY_IDENTITY);
    assertThat(connect.getSslOptions().getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(connect.getSslOptions().getTrustOptions()).isNotNull();
    // Flyway's JDBC connection: MariaDB Connector/J's own names for the same
    assertThat(settings.jdbcUrl())
        .isEqualTo(
            "jdbc:mariadb://mysql.example.org:3306/astro_apps?sslMode=verify-full"
                + "&serverSslCert=%2Fetc%2Fastro%2Fdb-ca%2Fca.pem");
    assertThat(settings.toString()).contains("tls verify-full").doesNotContain("s3cret");
  }

  @Test
  void verify_ca_checks_the_certificate_but_not_the_name() {
    DbSettings settings =
        DbSettings.from(Env.of(Map.of("ASTRO_DB_TLS", "verify-ca")), "astro_users");
    MySQLConnectOptions connect = new MySQLConnectOptions();
    Database.tls(connect, settings);

    assertThat(connect.getSslMode()).isEqualTo(SslMode.VERIFY_CA);
    assertThat(settings.jdbcUrl()).endsWith("/astro_users?sslMode=verify-ca");
  }

  @Test
  void an_unknown_mode_stops_the_start_naming_the_variable() {
    assertThatThrownBy(
            () -> DbSettings.from(Env.of(Map.of("ASTRO_DB_TLS", "required")), "astro_apps"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_DB_TLS");
  }
}
