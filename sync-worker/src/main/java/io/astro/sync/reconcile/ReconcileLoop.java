package io.astro.sync.reconcile;

import io.astro.common.runtime.DaemonThreads;
import io.astro.sync.reconcile.ReconcileQueue.Lane;
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
 * A work queue of app ids and a bounded set of workers that reconcile them: an id queued many times
 * is reconciled once, never by two workers at a time; failures come back after exponential
 * back-off. Apps whose objects are in their cluster already go ahead of apps still to be created
 * ({@link ReconcileQueue}), so a cold start publishes statuses while it still creates.
 */
public final class ReconcileLoop implements AutoCloseable {

  /** What the loop runs, and what tells it which lane an app waits in. */
  public interface Reconciler {

    AppReconciler.Result reconcile(String appId);

    /**
     * Whether the app's Deployment is in its cluster as the worker sees it (its reconcile is then
     * mostly reading and publishing), rather than still to be created.
     */
    boolean deployed(String appId);
  }

  private static final Logger LOG = LoggerFactory.getLogger(ReconcileLoop.class);

  /** The retry reason of an app whose status could not be sent. */
  static final String UNPUBLISHED = "StatusUnpublished";

  private final ReconcileQueue queue;
  private final Reconciler reconciler;
  private final List<Thread> workers = new ArrayList<>();
  private final Timer duration;
  private final MeterRegistry registry;

  public ReconcileLoop(
      Reconciler reconciler,
      int workerCount,
      Duration baseDelay,
      Duration maxDelay,
      MeterRegistry registry) {
    this.reconciler = reconciler;
    this.registry = registry;
    this.queue =
        new ReconcileQueue(
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("reconcile-delays")),
            baseDelay,
            maxDelay);
    this.duration =
        Timer.builder("astro_sync_reconcile")
            .description("time to reconcile one app")
            .publishPercentileHistogram()
            .register(registry);
    Gauge.builder("astro_sync_queue_depth", queue, ReconcileQueue::length).register(registry);
    for (int i = 0; i < workerCount; i++) {
      workers.add(DaemonThreads.thread("reconcile-" + i, this::work));
    }
  }

  public void start() {
    workers.forEach(Thread::start);
  }

  /** Queues the app: ahead if its objects are in its cluster already, else behind them. */
  public void enqueue(String appId) {
    queue.add(appId, laneOf(appId));
  }

  public void enqueueAll(Collection<String> appIds) {
    appIds.forEach(this::enqueue);
  }

  /**
   * Queues an app an informer event is about: one of its objects exists (or just went), so its
   * reconcile goes ahead of apps still to be created.
   */
  public void touched(String appId) {
    queue.add(appId, Lane.EXISTING);
  }

  /**
   * The app's latest status could not be sent: it is reconciled again after its back-off, and
   * publishes its status as it is then.
   */
  public void unpublished(String appId) {
    Counter.builder("astro_sync_reconcile_retries")
        .tag("reason", UNPUBLISHED)
        .register(registry)
        .increment();
    queue.addRateLimited(appId, laneOf(appId));
  }

  private Lane laneOf(String appId) {
    return reconciler.deployed(appId) ? Lane.EXISTING : Lane.NEW;
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
          queue.addAfter(appId, laneOf(appId), after.delay());
        } else if (result instanceof AppReconciler.Result.Retry retry) {
          Counter.builder("astro_sync_reconcile_retries")
              .tag("reason", retry.reason())
              .register(registry)
              .increment();
          queue.addRateLimited(appId, laneOf(appId));
        }
      } catch (Exception e) {
        // a bug or a status that could not be published: try again later rather than lose the app
        LOG.warn("reconcile of app {} failed: {}", appId, e.toString());
        Counter.builder("astro_sync_reconcile_retries")
            .tag("reason", "error")
            .register(registry)
            .increment();
        queue.addRateLimited(appId, laneOf(appId));
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
