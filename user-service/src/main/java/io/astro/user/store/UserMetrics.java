package io.astro.user.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code astro_users{status}}: accounts that are not deleted, by status, read from the database
 * every few seconds. Every instance reads the same database and reports the same numbers: aggregate
 * with {@code max}, not {@code sum}.
 */
public final class UserMetrics extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(UserMetrics.class);
  static final Duration REFRESH = Duration.ofSeconds(5);
  private static final List<String> STATUSES = List.of("active", "disabled");

  private final Pool pool;
  private final Map<String, AtomicLong> byStatus = new HashMap<>();
  private long timer = -1;

  public UserMetrics(Pool pool, MeterRegistry registry) {
    this.pool = pool;
    for (String status : STATUSES) {
      AtomicLong count = new AtomicLong();
      byStatus.put(status, count);
      Gauge.builder("astro_users", count, AtomicLong::get)
          .tag("status", status)
          .description("accounts by status")
          .register(registry);
    }
  }

  @Override
  public Future<?> start() {
    timer =
        vertx.setPeriodic(
            1,
            REFRESH.toMillis(),
            t ->
                refresh()
                    .onFailure(e -> LOG.debug("user metrics not refreshed: {}", e.getMessage())));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  Future<Void> refresh() {
    return pool.query(
            "SELECT status, COUNT(*) AS n FROM users WHERE deleted_at IS NULL GROUP BY status")
        .execute()
        .map(
            rows -> {
              Map<String, Long> counts = new HashMap<>();
              for (Row row : rows) {
                counts.put(row.getString("status"), row.getLong("n"));
              }
              byStatus.forEach((status, count) -> count.set(counts.getOrDefault(status, 0L)));
              return null;
            });
  }
}
