package io.astro.sync.reconcile;

import io.astro.common.runtime.DaemonThreads;
import io.kubernetes.client.extended.workqueue.DefaultRateLimitingQueue;
import io.kubernetes.client.extended.workqueue.RateLimitingQueue;
import io.kubernetes.client.extended.workqueue.ratelimiter.ItemExponentialFailureRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A work queue of app ids and a bounded set of workers that reconcile them (client-java's
 * rate-limited queue: an id queued many times is reconciled once, never by two workers at a time;
 * failures come back after exponential back-off).
 */
public final class ReconcileLoop implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReconcileLoop.class);

  private final RateLimitingQueue<String> queue;
  private final AppReconciler reconciler;
  private final List<Thread> workers = new ArrayList<>();
  private final Timer duration;
  private final MeterRegistry registry;

  public ReconcileLoop(
      AppReconciler reconciler,
      int workerCount,
      Duration baseDelay,
      Duration maxDelay,
      MeterRegistry registry) {
    this.reconciler = reconciler;
    this.registry = registry;
    this.queue =
        new DefaultRateLimitingQueue<>(
            Executors.newSingleThreadExecutor(DaemonThreads.named("reconcile-delays")),
            new ItemExponentialFailureRateLimiter<>(baseDelay, maxDelay));
    this.duration =
        Timer.builder("astro_sync_reconcile")
            .description("time to reconcile one app")
            .publishPercentileHistogram()
            .register(registry);
    Gauge.builder("astro_sync_queue_depth", queue, RateLimitingQueue::length).register(registry);
    for (int i = 0; i < workerCount; i++) {
      workers.add(DaemonThreads.thread("reconcile-" + i, this::work));
    }
  }

  public void start() {
    workers.forEach(Thread::start);
  }

  public void enqueue(String appId) {
    queue.add(appId);
  }

  public void enqueueAll(Collection<String> appIds) {
    appIds.forEach(queue::add);
  }

  private void work() {
    while (!queue.isShuttingDown()) {
      String appId;
      try {
        appId = queue.get();
      } catch (InterruptedException e) {
        return;
      }
      if (appId == null) {
        return; // shut down
      }
      try {
        AppReconciler.Result result = duration.recordCallable(() -> reconciler.reconcile(appId));
        if (result instanceof AppReconciler.Result.Done) {
          queue.forget(appId);
        } else if (result instanceof AppReconciler.Result.After after) {
          queue.forget(appId);
          queue.addAfter(appId, after.delay());
        } else if (result instanceof AppReconciler.Result.Retry retry) {
          Counter.builder("astro_sync_reconcile_retries")
              .tag("reason", retry.reason())
              .register(registry)
              .increment();
          queue.addRateLimited(appId);
        }
      } catch (Exception e) {
        // a bug or a status that could not be published: try again later rather than lose the app
        LOG.warn("reconcile of app {} failed: {}", appId, e.toString());
        Counter.builder("astro_sync_reconcile_retries")
            .tag("reason", "error")
            .register(registry)
            .increment();
        queue.addRateLimited(appId);
      } finally {
        queue.done(appId);
      }
    }
  }

  @Override
  public void close() {
    queue.shutDown();
    for (Thread worker : workers) {
      worker.interrupt();
      try {
        worker.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
