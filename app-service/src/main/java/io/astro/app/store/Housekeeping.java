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
 * idempotency keys older than their lifetime (a request repeated after that creates anew, as with
 * payment APIs), and apps' history ({@code app_events}) older than its retention. Deletes in
 * bounded batches so no statement holds locks for long (history goes batch after batch until none
 * is left, each its own statement); several instances doing it at once is harmless. The SQL client
 * is asynchronous: nothing here waits on an event loop.
 */
public final class Housekeeping extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
  private static final int BATCH = 5_000;

  /** Rows removed by one pass. */
  public record Removed(int outbox, int idempotencyKeys, int appEvents) {}

  private final Pool pool;
  private final Duration every;
  private final Duration outboxRetention;
  private final Duration keyLifetime;
  private final Duration eventsRetention;
  private final Clock clock;
  private final int batch;
  private long timer = -1;

  public Housekeeping(
      Pool pool,
      Duration every,
      Duration outboxRetention,
      Duration keyLifetime,
      Duration eventsRetention,
      Clock clock) {
    this(pool, every, outboxRetention, keyLifetime, eventsRetention, clock, BATCH);
  }

  Housekeeping(
      Pool pool,
      Duration every,
      Duration outboxRetention,
      Duration keyLifetime,
      Duration eventsRetention,
      Clock clock,
      int batch) {
    this.batch = batch;
    this.pool = pool;
    this.every = every;
    this.outboxRetention = outboxRetention;
    this.keyLifetime = keyLifetime;
    this.eventsRetention = eventsRetention;
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
            "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ? LIMIT " + batch)
        .execute(Tuple.of(now.minus(outboxRetention)))
        .compose(
            outbox ->
                pool.preparedQuery(
                        "DELETE FROM idempotency_keys WHERE created_at < ? LIMIT " + batch)
                    .execute(Tuple.of(now.minus(keyLifetime)))
                    .compose(
                        keys ->
                            history(now.minus(eventsRetention), 0)
                                .map(
                                    events ->
                                        new Removed(outbox.rowCount(), keys.rowCount(), events))))
        .onSuccess(
            removed -> {
              if (removed.outbox() + removed.idempotencyKeys() + removed.appEvents() > 0) {
                LOG.info(
                    "housekeeping removed {} published outbox rows, {} idempotency keys and {}"
                        + " history lines",
                    removed.outbox(),
                    removed.idempotencyKeys(),
                    removed.appEvents());
              }
            });
  }

  // oldest first (idx_app_events_created), one batch per statement until a batch comes back short;
  // lines written before the cutoff are never written again, so this ends
  private Future<Integer> history(LocalDateTime before, int removedSoFar) {
    return pool.preparedQuery(
            "DELETE FROM app_events WHERE created_at < ? ORDER BY created_at LIMIT " + batch)
        .execute(Tuple.of(before))
        .compose(
            rows ->
                rows.rowCount() < batch
                    ? Future.succeededFuture(removedSoFar + rows.rowCount())
                    : history(before, removedSoFar + rows.rowCount()));
  }
}
