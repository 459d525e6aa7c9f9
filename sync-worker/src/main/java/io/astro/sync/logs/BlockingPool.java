package io.astro.sync.logs;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.runtime.DaemonThreads;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pool of daemon threads for blocking Kubernetes calls. Its own, not Vert.x's worker
 * pool: a follow stream holds a thread for as long as someone reads, which would starve the worker
 * pool and trip Vert.x's blocked-thread warnings. When full it refuses at once (503) instead of
 * queueing without bound. Idle threads end after a while, so an unused pool costs nothing and needs
 * no closing.
 */
public final class BlockingPool {

  private static final Duration IDLE = Duration.ofSeconds(30);

  private final ThreadPoolExecutor executor;

  /** {@code queue} 0: a task runs at once on a free thread or is refused. */
  public BlockingPool(String name, int threads, int queue) {
    BlockingQueue<Runnable> waiting =
        queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue);
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            IDLE.toMillis(),
            TimeUnit.MILLISECONDS,
            waiting,
            DaemonThreads.numbered(name));
    executor.allowCoreThreadTimeOut(true);
  }

  /** Runs {@code task} on the pool; its outcome arrives on {@code context}. Full → 503 (30005). */
  public <T> Future<T> call(Context context, Callable<T> task) {
    Promise<T> promise = Promise.promise();
    boolean started =
        run(
            () -> {
              try {
                T value = task.call();
                context.runOnContext(v -> promise.complete(value));
              } catch (Throwable e) {
                context.runOnContext(v -> promise.fail(e));
              }
            });
    return started ? promise.future() : Future.failedFuture(busy());
  }

  /** Starts {@code task}; false when the pool is full. */
  public boolean run(Runnable task) {
    try {
      executor.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  public static ApiException busy() {
    return new ApiException(ErrorCode.UNAVAILABLE, "too many log reads in progress, retry shortly");
  }
}
