package io.astro.sync.health;

import io.astro.common.events.cluster.ClusterStatusEvent;
import io.astro.common.runtime.DaemonThreads;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.ConnectedClusters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every cluster's health every interval and whenever one is asked for (a cluster put,
 * replaced, failing or answering again, an operator's sync request), on a fixed number of threads,
 * and publishes each result. Requests for a cluster already waiting are merged; one that comes
 * while its check runs makes it run once more after. A cluster whose check fails is asked for again
 * sooner than the interval, with the back-off of {@link RecheckBackoff}, so that one failed check
 * (a stalled API server, a timeout) does not leave it unhealthy for a whole interval; these
 * re-checks are ordinary requests, on the same threads. A cluster's first check waits for its
 * informers' first lists, for at most one check's time budget: at a start the two would compete for
 * the API server and the worker's CPU (its readiness waits for the lists, not for the check), and a
 * check after them sees an informer that failed to list.
 */
public final class ClusterHealthMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterHealthMonitor.class);
  private static final Duration FIRST_LIST_POLL = Duration.ofMillis(100);

  private final ConnectedClusters clusters;
  private final ClusterHealthCheck check;
  private final ClusterStatusPublisher publisher;
  private final Duration interval;
  private final Duration firstListWait;
  private final MeterRegistry meters;
  private final ScheduledExecutorService timer;
  private final ExecutorService workers;
  private final Set<String> queued = new HashSet<>();
  private final Set<String> running = new HashSet<>();
  private final Map<String, Instant> heartbeats = new ConcurrentHashMap<>();
  private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> healthy = new ConcurrentHashMap<>();
  private final RecheckBackoff backoff;
  private final Map<String, ScheduledFuture<?>> rechecks = new ConcurrentHashMap<>();
  private final Set<String> awaitingLists = ConcurrentHashMap.newKeySet();

  public ClusterHealthMonitor(
      ConnectedClusters clusters,
      ClusterHealthCheck check,
      ClusterStatusPublisher publisher,
      Duration interval,
      Duration firstRecheck,
      Duration firstListWait,
      int concurrency,
      MeterRegistry meters) {
    this.clusters = clusters;
    this.check = check;
    this.publisher = publisher;
    this.interval = interval;
    this.firstListWait = firstListWait;
    this.meters = meters;
    this.backoff = new RecheckBackoff(firstRecheck, interval);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("cluster-health-timer"));
    this.workers =
        Executors.newFixedThreadPool(concurrency, DaemonThreads.numbered("cluster-health"));
  }

  public void start() {
    // runs until close() shuts the executor down
    var unused =
        timer.scheduleWithFixedDelay(
            this::requestAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every cluster connected, and forgets the metrics of clusters that are gone. */
  public void requestAll() {
    clusters.all().forEach(c -> request(c.id()));
    gauges.keySet().stream().filter(name -> clusters.get(name).isEmpty()).forEach(this::request);
  }

  public void request(String cluster) {
    if (awaitingFirstLists(cluster)) {
      return;
    }
    synchronized (this) {
      boolean submitted = queued.contains(cluster) || running.contains(cluster);
      queued.add(cluster);
      if (submitted) {
        return; // a queued check will see the newest state; a running one is run again when it ends
      }
    }
    submit(cluster);
  }

  /**
   * Whether the cluster's informers are still at their first lists; if so, the request is made
   * again shortly, by the timer (a worker would sit idle in the meantime).
   */
  private boolean awaitingFirstLists(String name) {
    boolean listing = clusters.get(name).map(c -> c.firstListing(firstListWait)).orElse(false);
    if (listing && awaitingLists.add(name)) {
      try {
        var unused =
            timer.schedule(
                () -> {
                  awaitingLists.remove(name);
                  request(name);
                },
                FIRST_LIST_POLL.toMillis(),
                TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closing
      }
    }
    return listing;
  }

  private void submit(String cluster) {
    try {
      workers.execute(() -> run(cluster));
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void run(String cluster) {
    synchronized (this) {
      queued.remove(cluster);
      running.add(cluster);
    }
    boolean again;
    try {
      checkAndPublish(cluster);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (RuntimeException e) {
      LOG.warn("health check of cluster {} failed: {}", cluster, e.getMessage());
    } finally {
      synchronized (this) {
        running.remove(cluster);
        again = queued.contains(cluster);
      }
    }
    if (again) {
      submit(cluster);
    }
  }

  private void checkAndPublish(String name) throws InterruptedException {
    ClusterConnection cluster = clusters.get(name).orElse(null);
    if (cluster == null) {
      forget(name);
      return;
    }
    long started = System.nanoTime();
    ClusterStatusEvent health = check.check(cluster, heartbeats.get(name));
    Timer.builder("astro_sync_cluster_health_check")
        .description("one cluster's health check, retries included")
        .tag("status", health.status().value())
        .register(meters)
        .record(Duration.ofNanos(System.nanoTime() - started));
    if (clusters.get(name).orElse(null) != cluster) {
      return; // replaced or removed meanwhile: the check of what is there now is queued
    }
    // before publishing: a failed send must not cancel the re-check
    recheck(name, health.healthy());
    if (health.heartbeatAt() != null) {
      heartbeats.put(name, health.heartbeatAt());
    }
    gauge(name).set(health.healthy() ? 1 : 0);
    if (!health.healthy()) {
      LOG.warn("cluster {} is unhealthy: {}", name, health.error());
    }
    publisher.publish(health);
  }

  /** A healthy cluster waits for the interval again; an unhealthy one is asked for sooner. */
  private void recheck(String name, boolean healthy) {
    ScheduledFuture<?> next = null;
    if (healthy) {
      backoff.reset(name);
    } else {
      Duration delay = backoff.failed(name);
      try {
        next = timer.schedule(() -> request(name), delay.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        return; // closing
      }
    }
    ScheduledFuture<?> previous = next == null ? rechecks.remove(name) : rechecks.put(name, next);
    if (previous != null) {
      previous.cancel(false);
    }
  }

  private AtomicInteger gauge(String name) {
    return healthy.computeIfAbsent(
        name,
        n -> {
          AtomicInteger value = new AtomicInteger();
          gauges.put(
              n,
              Gauge.builder("astro_sync_cluster_healthy", value, AtomicInteger::get)
                  .description("1 when the cluster's last health check passed")
                  .tag("cluster", n)
                  .register(meters));
          return value;
        });
  }

  private void forget(String name) {
    ScheduledFuture<?> recheck = rechecks.remove(name);
    if (recheck != null) {
      recheck.cancel(false);
    }
    backoff.reset(name);
    heartbeats.remove(name);
    healthy.remove(name);
    Gauge gauge = gauges.remove(name);
    if (gauge != null) {
      meters.remove(gauge);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
