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

/** Published outbox rows and idempotency keys go once they are old; nothing else is touched. */
@ExtendWith(MySqlExtension.class)
class HousekeepingTest {

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
    Database.migrate(vertx, settings, "db/apps").await();
    pool = Database.pool(vertx, settings);
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

    Housekeeping.Removed removed =
        new Housekeeping(
                pool,
                Duration.ofHours(1),
                Duration.ofDays(7),
                Duration.ofHours(24),
                Clock.fixed(NOW, ZoneOffset.UTC))
            .runOnce()
            .await();

    assertThat(removed).isEqualTo(new Housekeeping.Removed(1, 1));
    assertThat(count("SELECT COUNT(*) FROM outbox WHERE aggregate_id LIKE 'old-unpublished'"))
        .isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM outbox WHERE aggregate_id LIKE 'recent-published'"))
        .isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'fresh-key'"))
        .isEqualTo(1);
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
