package io.astro.user.store;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees the username and email of accounts deleted longer than the reservation ago, and removes
 * outbox rows published longer than the retention ago. Bounded batches, so no statement holds locks
 * for long; several instances doing it at once is harmless. The SQL client is asynchronous: nothing
 * here waits on an event loop.
 */
public final class Housekeeping extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
  private static final int BATCH = 5_000;

  /** What one pass did. */
  public record Done(int namesReleased, int outboxRemoved) {}

  private final Pool pool;
  private final UserStore store;
  private final Duration every;
  private final Duration reservation;
  private final Duration outboxRetention;
  private long timer = -1;

  public Housekeeping(
      Pool pool, UserStore store, Duration every, Duration reservation, Duration outboxRetention) {
    this.pool = pool;
    this.store = store;
    this.every = every;
    this.reservation = reservation;
    this.outboxRetention = outboxRetention;
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

  public Future<Done> runOnce() {
    return store
        .releaseNames(reservation, BATCH)
        .compose(
            released ->
                pool.preparedQuery(
                        "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at <"
                            + " CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND LIMIT "
                            + BATCH)
                    .execute(Tuple.of(outboxRetention.toSeconds()))
                    .map(rows -> new Done(released, rows.rowCount())))
        .onSuccess(
            done -> {
              if (done.namesReleased() + done.outboxRemoved() > 0) {
                LOG.info(
                    "housekeeping freed the names of {} deleted accounts and removed {} published"
                        + " outbox rows",
                    done.namesReleased(),
                    done.outboxRemoved());
              }
            });
  }
}
