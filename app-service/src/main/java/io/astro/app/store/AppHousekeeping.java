package io.astro.app.store;

import io.astro.common.db.Housekeeping;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;

/**
 * app-service's clean-ups on the shared housekeeping timer ({@link Housekeeping}, which also
 * removes old published outbox rows): idempotency keys older than their lifetime (a request
 * repeated after that creates anew, as with payment APIs), apps' history ({@code app_events}) and
 * audit lines ({@code audit_log}) older than their retention — oldest first, batch after batch
 * until none is left.
 */
public final class AppHousekeeping {

  /** Rows removed by one pass. */
  public record Removed(int outbox, int idempotencyKeys, int appEvents, int auditLines) {}

  private static final int BATCH = 5_000;

  private final Housekeeping shell;

  /** The periods of app-service's clean-ups. */
  public record Periods(
      Duration every,
      Duration outboxRetention,
      Duration keyLifetime,
      Duration eventsRetention,
      Duration auditRetention) {}

  public AppHousekeeping(Pool pool, Periods periods, Clock clock) {
    this(pool, periods, clock, BATCH);
  }

  AppHousekeeping(Pool pool, Periods periods, Clock clock, int batch) {
    shell =
        new Housekeeping(pool, periods.every(), periods.outboxRetention(), clock, batch)
            .deleting(
                "idempotency_keys",
                "DELETE FROM idempotency_keys WHERE created_at < ?",
                periods.keyLifetime(),
                false)
            // oldest first (idx_app_events_created); lines written before the cutoff are never
            // written again, so draining ends
            .deleting(
                "app_events",
                "DELETE FROM app_events WHERE created_at < ? ORDER BY created_at",
                periods.eventsRetention(),
                true)
            // the audit table's only deletes (idx_audit_log_at)
            .deleting(
                "audit_log",
                "DELETE FROM audit_log WHERE at < ? ORDER BY at",
                periods.auditRetention(),
                true);
  }

  /** The verticle that runs the clean-ups on its timer; deploy one instance. */
  public VerticleBase verticle() {
    return shell;
  }

  public Future<Removed> runOnce() {
    return shell
        .runOnce()
        .map(
            done ->
                new Removed(
                    done.get(Housekeeping.OUTBOX),
                    done.get("idempotency_keys"),
                    done.get("app_events"),
                    done.get("audit_log")));
  }
}
