package io.astro.app.apps;

import io.astro.common.ops.PolledGauges;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Business gauges read from the database every few seconds: live apps by status ({@code
 * astro_apps{status}}) and outbox rows not yet on Kafka ({@code astro_app_outbox_pending}: commands
 * and cluster records waiting, e.g. while the broker is away). Both come from the shared database,
 * so every instance reports the same numbers: aggregate them with {@code max}, not {@code sum}. A
 * failed read keeps the last values.
 */
public final class AppMetrics extends VerticleBase {

  static final Duration REFRESH = Duration.ofSeconds(5);

  private final PolledGauges gauges;

  public AppMetrics(Pool pool, MeterRegistry registry, Set<String> statuses) {
    this.gauges =
        new PolledGauges(registry)
            .gaugesBy(
                "astro_apps", "live apps by status", "status", statuses, () -> appsByStatus(pool))
            .gauge(
                "astro_app_outbox_pending",
                "outbox rows (commands, cluster records) not yet acknowledged by Kafka",
                () -> pendingOutbox(pool));
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

  private static Future<Map<String, Long>> appsByStatus(Pool pool) {
    return pool.query(
            "SELECT status, COUNT(*) AS n FROM apps WHERE deleted_at IS NULL GROUP BY status")
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

  private static Future<Long> pendingOutbox(Pool pool) {
    return pool.query("SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL")
        .execute()
        .map(rows -> rows.iterator().next().getLong("n"));
  }
}
