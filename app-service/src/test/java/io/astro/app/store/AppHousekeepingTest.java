package io.astro.app.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.config.Env;
import io.astro.common.db.Database;
import io.astro.common.db.DbSettings;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Published outbox rows, idempotency keys, apps' history and audit lines go once they are old;
 * nothing else is touched.
 */
@ExtendWith(MySqlExtension.class)
class AppHousekeepingTest {

  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void start(TestDatabase db) {
    vertx = Vertx.vertx();
    DbSettings settings =
        DbSettings.from(
            Env.of(
                Map.of(
                    "ASTRO_DB_HOST",
                    db.host(),
                    "ASTRO_DB_PORT",
                    Integer.toString(db.port()),
                    "ASTRO_DB_NAME",
                    db.database(),
                    "ASTRO_DB_USER",
                    db.user(),
                    "ASTRO_DB_PASSWORD",
                    db.password())),
            "unused");
    pool = Database.pool(vertx, settings);
    Database.migrate(vertx, pool, settings, "db/apps").await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void old_published_rows_and_old_keys_are_removed_and_unpublished_or_recent_ones_kept() {
    outbox("old-published", NOW.minus(Duration.ofDays(8)), NOW.minus(Duration.ofDays(8)));
    outbox("recent-published", NOW.minus(Duration.ofDays(8)), NOW.minus(Duration.ofDays(1)));
    outbox("old-unpublished", NOW.minus(Duration.ofDays(30)), null);
    key("old-key", NOW.minus(Duration.ofHours(25)));
    key("fresh-key", NOW.minus(Duration.ofHours(1)));

    AppHousekeeping.Removed removed = housekeeping().runOnce().await();

    assertThat(removed).isEqualTo(new AppHousekeeping.Removed(1, 1, 0, 0));
    assertThat(count("SELECT COUNT(*) FROM outbox WHERE aggregate_id LIKE 'old-unpublished'"))
        .isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM outbox WHERE aggregate_id LIKE 'recent-published'"))
        .isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'fresh-key'"))
        .isEqualTo(1);
  }

  @Test
  void history_older_than_its_retention_goes_in_batches_and_recent_lines_stay() {
    String busy = "busy-app";
    String quiet = "quiet-app";
    // more old lines than one batch (10 here): the pass keeps deleting until none is left
    int old = 27;
    pool.preparedQuery(
            "INSERT INTO app_events (app_id, kind, action, generation, created_at)"
                + " VALUES (?, 'command', 'restart', ?, ?)")
        .executeBatch(
            java.util.stream.IntStream.range(0, old)
                .mapToObj(i -> Tuple.of(busy, (long) i, utc(NOW.minus(Duration.ofDays(31)))))
                .toList())
        .await();
    event(busy, NOW.minus(Duration.ofDays(29)));
    event(quiet, NOW.minus(Duration.ofDays(40)));
    event(quiet, NOW.minus(Duration.ofMinutes(1)));

    AppHousekeeping.Removed removed = housekeeping().runOnce().await();

    assertThat(removed.appEvents()).isEqualTo(old + 1);
    assertThat(count("SELECT COUNT(*) FROM app_events WHERE app_id = 'busy-app'")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM app_events WHERE app_id = 'quiet-app'")).isEqualTo(1);
    assertThat(
            count(
                "SELECT COUNT(*) FROM app_events WHERE app_id IN ('busy-app', 'quiet-app')"
                    + " AND created_at < '2026-11-01 12:00:00'"))
        .isZero();
    assertThat(housekeeping().runOnce().await().appEvents()).isZero();
  }

  @Test
  void audit_lines_older_than_their_retention_go_and_younger_ones_stay() {
    int old = 12;
    for (int i = 0; i < old; i++) {
      audit(java.util.UUID.randomUUID().toString(), NOW.minus(Duration.ofDays(366)));
    }
    String kept = java.util.UUID.randomUUID().toString();
    audit(kept, NOW.minus(Duration.ofDays(364)));

    AppHousekeeping.Removed removed = housekeeping().runOnce().await();

    assertThat(removed.auditLines()).isEqualTo(old);
    assertThat(count("SELECT COUNT(*) FROM audit_log WHERE at < '2025-12-01 12:00:00'")).isZero();
    assertThat(count("SELECT COUNT(*) FROM audit_log WHERE id = '" + kept + "'")).isEqualTo(1);
  }

  private static void audit(String id, Instant at) {
    pool.preparedQuery(
            "INSERT INTO audit_log (id, at, service, action, target_type, status)"
                + " VALUES (?, ?, 'app-service', 'app.create', 'app', 201)")
        .execute(Tuple.of(id, utc(at)))
        .await();
  }

  private static AppHousekeeping housekeeping() {
    return new AppHousekeeping(
        pool,
        new AppHousekeeping.Periods(
            Duration.ofHours(1),
            Duration.ofDays(7),
            Duration.ofHours(24),
            Duration.ofDays(30),
            Duration.ofDays(365)),
        Clock.fixed(NOW, ZoneOffset.UTC),
        10);
  }

  private static void event(String appId, Instant created) {
    pool.preparedQuery(
            "INSERT INTO app_events (app_id, kind, action, generation, created_at)"
                + " VALUES (?, 'status', 'running', 1, ?)")
        .execute(Tuple.of(appId, utc(created)))
        .await();
  }

  private static void outbox(String aggregate, Instant created, Instant published) {
    pool.preparedQuery(
            "INSERT INTO outbox (aggregate_id, type, payload, headers, created_at, published_at)"
                + " VALUES (?, 't', '{}', '{}', ?, ?)")
        .execute(Tuple.of(aggregate, utc(created), utc(published)))
        .await();
  }

  private static void key(String key, Instant created) {
    pool.preparedQuery(
            "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, response, created_at)"
                + " VALUES (1, ?, 'h', '{}', ?)")
        .execute(Tuple.of(key, utc(created)))
        .await();
  }

  private static long count(String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }

  private static LocalDateTime utc(Instant instant) {
    return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
