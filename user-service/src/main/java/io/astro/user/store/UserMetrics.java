package io.astro.user.store;

import io.astro.common.ops.PolledGauges;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code astro_users{status}}: accounts that are not deleted, by status, read from the database
 * every few seconds. Every instance reads the same database and reports the same numbers: aggregate
 * with {@code max}, not {@code sum}.
 */
public final class UserMetrics extends VerticleBase {

  static final Duration REFRESH = Duration.ofSeconds(5);
  private static final List<String> STATUSES = List.of("active", "disabled");

  private final PolledGauges gauges;

  public UserMetrics(Pool pool, MeterRegistry registry) {
    this.gauges =
        new PolledGauges(registry)
            .gaugesBy(
                "astro_users", "accounts by status", "status", STATUSES, () -> usersByStatus(pool));
  }

  @Override
  public Future<?> start() {
    gauges.start(vertx, REFRESH);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    gauges.stop();
    return Future.succeededFuture();
  }

  private static Future<Map<String, Long>> usersByStatus(Pool pool) {
    return pool.query(
            "SELECT status, COUNT(*) AS n FROM users WHERE deleted_at IS NULL GROUP BY status")
        .execute()
        .map(
            rows -> {
              Map<String, Long> counts = new HashMap<>();
              for (Row row : rows) {
                counts.put(row.getString("status"), row.getLong("n"));
              }
              return counts;
            });
  }
}
