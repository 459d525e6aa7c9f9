package io.astro.common.db;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a service's tables that only grow in check, every {@code every}: outbox rows published
 * longer ago than the outbox retention (every service with an outbox has them), then the service's
 * own {@linkplain #task tasks} in the order they were added. Deletes go in bounded batches so no
 * statement holds locks for long; several instances doing it at once is harmless. The SQL client is
 * asynchronous: nothing here waits on an event loop.
 */
public final class Housekeeping extends VerticleBase {

  /** The name {@link #runOnce} reports the outbox's removed rows under. */
  public static final String OUTBOX = "outbox";

  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

  /**
   * One clean-up: removes what is past its time at {@code now} (UTC), in batches of {@code batch}.
   */
  @FunctionalInterface
  public interface Task {
    Future<Integer> run(LocalDateTime now, int batch);
  }

  private final Pool pool;
  private final Duration every;
  private final Duration outboxRetention;
  private final Clock clock;
  private final int batch;
  private final Map<String, Task> tasks = new LinkedHashMap<>();
  private long timer = -1;

  public Housekeeping(Pool pool, Duration every, Duration outboxRetention, Clock clock, int batch) {
    this.pool = pool;
    this.every = every;
    this.outboxRetention = outboxRetention;
    this.clock = clock;
    this.batch = batch;
  }

  /** Adds a service's own clean-up, reported under {@code name}; before the verticle starts. */
  public Housekeeping task(String name, Task task) {
    tasks.put(name, task);
    return this;
  }

  /**
   * Adds a clean-up, reported under {@code name}, that runs {@code delete} (see {@link
   * #deleteOlder}) for rows older than {@code retention}.
   */
  public Housekeeping deleting(String name, String delete, Duration retention, boolean drain) {
    return task(name, (now, n) -> deleteOlder(pool, delete, now.minus(retention), n, drain));
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

  /** One pass: rows removed (or names freed) by each clean-up, {@link #OUTBOX} first. */
  public Future<Map<String, Integer>> runOnce() {
    LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    Map<String, Integer> done = new LinkedHashMap<>();
    Future<Void> chain =
        deleteOlder(
                pool,
                "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ?",
                now.minus(outboxRetention),
                batch,
                false)
            .map(
                n -> {
                  done.put(OUTBOX, n);
                  return null;
                });
    for (Map.Entry<String, Task> task : tasks.entrySet()) {
      chain =
          chain.compose(
              v ->
                  task.getValue()
                      .run(now, batch)
                      .map(
                          n -> {
                            done.put(task.getKey(), n);
                            return null;
                          }));
    }
    return chain
        .map(v -> done)
        .onSuccess(
            removed -> {
              if (removed.values().stream().mapToInt(Integer::intValue).sum() > 0) {
                LOG.info("housekeeping removed {}", removed);
              }
            });
  }

  /**
   * Runs {@code delete} (a {@code DELETE} with one {@code ?}, the cutoff, and no {@code LIMIT}) in
   * a batch of {@code batch} rows; with {@code drain}, batch after batch (each its own statement)
   * until one comes back short — for rows that are never written before the cutoff again, so it
   * ends. The number of rows removed.
   */
  public static Future<Integer> deleteOlder(
      Pool pool, String delete, LocalDateTime before, int batch, boolean drain) {
    return deleteOlder(pool, delete, before, batch, drain, 0);
  }

  private static Future<Integer> deleteOlder(
      Pool pool, String delete, LocalDateTime before, int batch, boolean drain, int soFar) {
    return pool.preparedQuery(delete + " LIMIT " + batch)
        .execute(Tuple.of(before))
        .compose(
            rows ->
                !drain || rows.rowCount() < batch
                    ? Future.succeededFuture(soFar + rows.rowCount())
                    : deleteOlder(pool, delete, before, batch, drain, soFar + rows.rowCount()));
  }
}
