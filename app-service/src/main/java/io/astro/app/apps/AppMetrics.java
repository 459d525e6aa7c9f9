package io.astro.app.apps;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Business gauges read from the database every few seconds: live apps by status ({@code
 * astro_apps{status}}) and outbox rows not yet on Kafka ({@code astro_app_outbox_pending}: commands
 * and cluster records waiting, e.g. while the broker is away). Both come from the shared database,
 * so every instance reports the same numbers: aggregate them with {@code max}, not {@code sum}. A
 * failed read keeps the last values.
 */
public final class AppMetrics extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AppMetrics.class);
  static final Duration REFRESH = Duration.ofSeconds(5);

  private final Pool pool;
  private final Map<String, AtomicLong> byStatus = new HashMap<>();
  private final AtomicLong pending = new AtomicLong();
  private long timer = -1;

  public AppMetrics(Pool pool, MeterRegistry registry, Set<String> statuses) {
    this.pool = pool;
    // every status is a series from the start, so a status nobody is in reads 0 rather than missing
    for (String status : statuses) {
      AtomicLong count = new AtomicLong();
      byStatus.put(status, count);
      Gauge.builder("astro_apps", count, AtomicLong::get)
          .tag("status", status)
          .description("live apps by status")
          .register(registry);
    }
    Gauge.builder("astro_app_outbox_pending", pending, AtomicLong::get)
        .description("outbox rows (commands, cluster records) not yet acknowledged by Kafka")
        .register(registry);
  }

  @Override
  public Future<?> start() {
    timer =
        vertx.setPeriodic(
            1,
            REFRESH.toMillis(),
            t ->
                refresh()
                    .onFailure(
                        e -> LOG.debug("business metrics not refreshed: {}", e.getMessage())));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  Future<Void> refresh() {
    return pool.query(
            "SELECT status, COUNT(*) AS n FROM apps WHERE deleted_at IS NULL GROUP BY status")
        .execute()
        .compose(
            rows -> {
              Map<String, Long> counts = new HashMap<>();
              for (Row row : rows) {
                counts.put(row.getString("status"), row.getLong("n"));
              }
              byStatus.forEach((status, count) -> count.set(counts.getOrDefault(status, 0L)));
              return pool.query("SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL")
                  .execute();
            })
        .map(
            rows -> {
              pending.set(rows.iterator().next().getLong("n"));
              return null;
            });
  }
}
