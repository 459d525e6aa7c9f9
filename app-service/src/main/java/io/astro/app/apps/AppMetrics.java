package io.astro.app.apps;

import io.astro.common.db.Database;
import io.astro.common.ops.PolledGauges;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.Set;

/**
 * Business gauges read from the database every few seconds: live apps by status ({@code
 * astro_apps{status}}) and outbox rows not yet on Kafka ({@code astro_app_outbox_pending}: commands
 * and cluster records waiting, e.g. while the broker is away). Both come from the shared database,
 * so every instance reports the same numbers: aggregate them with {@code max}, not {@code sum}. A
 * failed read keeps the last values.
 */
public final class AppMetrics {

  private static final Duration REFRESH = Duration.ofSeconds(5);

  private AppMetrics() {}

  /** The verticle that keeps the gauges read while it is deployed. */
  public static Deployable polled(Pool pool, MeterRegistry registry, Set<String> statuses) {
    return new PolledGauges(registry)
        .gaugesBy(
            "astro_apps",
            "live apps by status",
            "status",
            statuses,
            () ->
                Database.counts(
                    pool,
                    "SELECT status, COUNT(*) AS n FROM apps WHERE deleted_at IS NULL GROUP BY status"))
        .gauge(
            "astro_app_outbox_pending",
            "outbox rows (commands, cluster records) not yet acknowledged by Kafka",
            () ->
                Database.count(pool, "SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL"))
        .polledEvery(REFRESH);
  }
}
