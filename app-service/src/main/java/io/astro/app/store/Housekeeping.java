package io.astro.app.store;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the tables that only grow in check: outbox rows published longer ago than the retention,
 * and idempotency keys older than their lifetime (a request repeated after that creates anew, as
 * with payment APIs). Deletes in bounded batches so no pass holds locks for long; several instances
 * doing it at once is harmless.
 */
public final class Housekeeping extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
  static final int BATCH = 5_000;

  /** Rows removed by one pass. */
  public record Removed(int outbox, int idempotencyKeys) {}

  private final Pool pool;
  private final Duration every;
  private final Duration outboxRetention;
  private final Duration keyLifetime;
  private final Clock clock;
  private long timer = -1;

  public Housekeeping(
      Pool pool, Duration every, Duration outboxRetention, Duration keyLifetime, Clock clock) {
    this.pool = pool;
    this.every = every;
    this.outboxRetention = outboxRetention;
    this.keyLifetime = keyLifetime;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    timer =
        vertx.setPeriodic(
            every.toMillis(),
            t ->
                runOnce().onFailure(e -> LOG.warn("housekeeping pass failed: {}", e.getMessage())));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  public Future<Removed> runOnce() {
    LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.preparedQuery(
            "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ? LIMIT " + BATCH)
        .execute(Tuple.of(now.minus(outboxRetention)))
        .compose(
            outbox ->
                pool.preparedQuery(
                        "DELETE FROM idempotency_keys WHERE created_at < ? LIMIT " + BATCH)
                    .execute(Tuple.of(now.minus(keyLifetime)))
                    .map(keys -> new Removed(outbox.rowCount(), keys.rowCount())))
        .onSuccess(
            removed -> {
              if (removed.outbox() + removed.idempotencyKeys() > 0) {
                LOG.info(
                    "housekeeping removed {} published outbox rows and {} idempotency keys",
                    removed.outbox(),
                    removed.idempotencyKeys());
              }
            });
  }
}
