package io.astro.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.MySqlServer;
import io.astro.testkit.db.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart finds its schema in place without Flyway only when the database's history holds exactly
 * the migrations the build carries, each applied and unchanged; every other case is Flyway's.
 */
@ExtendWith(MySqlExtension.class)
class MigrationsTest {

  // two migrations, the first with a byte-order mark and CRLF line endings
  private static final String LOCATION = "db/migrations-test";

  private final Vertx vertx = Vertx.vertx();
  private TestDatabase db;
  private Pool pool;
  private DbSettings settings;

  @BeforeEach
  void freshDatabase(MySqlServer server) {
    db = server.createDatabase("migrations");
    settings =
        new DbSettings(
            db.host(),
            db.port(),
            db.database(),
            db.user(),
            db.password(),
            2,
            Duration.ofSeconds(10),
            DbSettings.Tls.OFF,
            null);
    pool = Database.pool(vertx, settings);
  }

  @AfterEach
  void drop() {
    pool.close().await();
    vertx.close().await();
    db.drop();
  }

  @Test
  void a_database_that_applied_every_migration_is_found_at_its_version() throws IOException {
    Database.migrate(vertx, pool, settings, LOCATION).await();

    // Flyway wrote its own checksums: they match the ones computed here, BOM and CRLF included
    assertThat(inPlace()).contains("2");
  }

  @Test
  void a_database_without_a_history_is_left_to_flyway() throws IOException {
    assertThat(inPlace()).isEmpty();
  }

  @Test
  void a_migration_not_applied_yet_is_left_to_flyway() throws IOException {
    Database.migrate(vertx, pool, settings, LOCATION).await();
    execute("DELETE FROM flyway_schema_history WHERE version = '2'");
    execute("ALTER TABLE items DROP COLUMN size");

    assertThat(inPlace()).isEmpty();
    Database.migrate(vertx, pool, settings, LOCATION).await();
    assertThat(inPlace()).contains("2");
    // the column is there again: V2 was applied
    assertThat(pool.query("SELECT size FROM items").execute().await().size()).isZero();
  }

  @Test
  void an_edited_migration_is_left_to_flyway_which_refuses_it() throws IOException {
    Database.migrate(vertx, pool, settings, LOCATION).await();
    execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");

    assertThat(inPlace()).isEmpty();
    assertThatThrownBy(() -> Database.migrate(vertx, pool, settings, LOCATION).await())
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void a_failed_migration_is_left_to_flyway() throws IOException {
    Database.migrate(vertx, pool, settings, LOCATION).await();
    execute("UPDATE flyway_schema_history SET success = 0 WHERE version = '2'");

    assertThat(inPlace()).isEmpty();
  }

  @Test
  void a_migration_the_build_no_longer_carries_is_left_to_flyway() throws IOException {
    Database.migrate(vertx, pool, settings, LOCATION).await();
    execute(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
            + " checksum, installed_by, execution_time, success)"
            + " VALUES (3, '3', 'newer', 'SQL', 'V3__newer.sql', 7, 'test', 1, 1)");

    assertThat(inPlace()).isEmpty();
  }

  @Test
  void migrations_are_listed_from_a_jar_as_from_a_directory(@TempDir Path dir) throws IOException {
    Path jar = dir.resolve("service.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      entry(out, "db/", null);
      entry(out, "db/jarred/", null);
      entry(out, "db/jarred/V1__items.sql", "CREATE TABLE items (name VARCHAR(64));\n");
      entry(out, "db/jarred/README.txt", "not a migration\n");
      entry(out, "db/jarred/older/V9__elsewhere.sql", "SELECT 1;\n");
    }
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Migrations carried = Migrations.carried(loader, "db/jarred").orElseThrow();

      assertThat(carried.scripts()).containsExactly("V1__items.sql");
      // a location the jar has no entry for cannot be listed: Flyway decides
      assertThat(Migrations.carried(loader, "db/elsewhere")).isEmpty();
    }
  }

  private Optional<String> inPlace() throws IOException {
    return Migrations.carried(getClass().getClassLoader(), LOCATION)
        .orElseThrow()
        .allAppliedIn(pool)
        .await();
  }

  private void execute(String sql) {
    pool.query(sql).execute().await();
  }

  private static void entry(JarOutputStream out, String name, String text) throws IOException {
    out.putNextEntry(new JarEntry(name));
    if (text != null) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    out.closeEntry();
  }
}
