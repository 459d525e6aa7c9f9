package io.astro.user.store;

import io.astro.common.db.Database;
import io.astro.common.ops.PolledGauges;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.List;

/**
 * {@code astro_users{status}}: accounts that are not deleted, by status, read from the database
 * every few seconds. Every instance reads the same database and reports the same numbers: aggregate
 * with {@code max}, not {@code sum}.
 */
public final class UserMetrics {

  private static final Duration REFRESH = Duration.ofSeconds(5);
  private static final List<String> STATUSES = UserStatus.liveWords();

  private UserMetrics() {}

  /** The verticle that keeps the gauges read while it is deployed. */
  public static Deployable polled(Pool pool, MeterRegistry registry) {
    return new PolledGauges(registry)
        .gaugesBy(
            "astro_users",
            "accounts by status",
            "status",
            STATUSES,
            () ->
                Database.counts(
                    pool,
                    "SELECT status, COUNT(*) AS n FROM users WHERE deleted_at IS NULL GROUP BY status"))
        .polledEvery(REFRESH);
  }
}
