package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;
import static io.astro.bench.Report.mib;

import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.ChildJvm;
import io.astro.common.events.app.AppStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * 3. One sync-worker (its jar, with its container's JVM flags and memory limit) against many fake
 * clusters: desired state for every app is already on the command topic.
 *
 * <ol>
 *   <li>cold: a worker starts against empty clusters and creates everything — bounded by the
 *       simulated control planes, which run in this JVM;
 *   <li>warm: the simulators are stopped (nothing left for them to do), a fresh worker starts
 *       against the converged clusters: time until it has published every app's status, and how
 *       many writes it issued (goal 0);
 *   <li>steady: nothing changes for a while, an informer resync included: CPU, writes, status
 *       events, heap, RSS.
 * </ol>
 */
public final class ReconcileAtScale {

  private static final Duration COLD_BOUND = Duration.ofMinutes(4);
  private static final Duration WARM_BOUND = Duration.ofMinutes(3);

  private ReconcileAtScale() {}

  // the event tap is open for the block, counting statuses through its callback; the body never
  // names it
  @SuppressWarnings("try")
  public static void run(Context bench) {
    int clusters = bench.profile().scaleClusters();
    int perCluster = bench.profile().appsPerCluster();
    int total = clusters * perCluster;
    String bootstrap = bench.system().kafkaBootstrap();
    ScaleRig.createTopics(bootstrap);
    // cold waits for every app running (created and ready); warm for every app's status out,
    // whatever it says
    AtomicReference<Set<String>> running = new AtomicReference<>(ConcurrentHashMap.newKeySet());
    AtomicReference<Set<String>> reported = new AtomicReference<>(ConcurrentHashMap.newKeySet());
    AtomicLong lastNew = new AtomicLong();
    AtomicLong statusEvents = new AtomicLong();
    StringBuilder md = new StringBuilder();
    try (ScaleRig rig = ScaleRig.start(clusters, bench.work().resolve("scale"));
        EventTap tap =
            new EventTap(
                bootstrap,
                null,
                ScaleRig.STATUS,
                s -> {
                  statusEvents.incrementAndGet();
                  boolean added = reported.get().add(s.appId());
                  if (s.state().status() == AppStatus.RUNNING) {
                    added |= running.get().add(s.appId());
                  }
                  if (added) {
                    lastNew.set(System.nanoTime());
                  }
                })) {
      rig.publishApps(bootstrap, perCluster, bench.profile().appsPerNamespace());
      md.append(
          f(
              "%d fake clusters × %d apps = %d apps (1 replica, a port: Deployment + Service each), %d apps per"
                  + " user namespace; sync-worker defaults (4 reconcile workers), `ASTRO_INFORMER_RESYNC=%s`.\n\n",
              clusters,
              perCluster,
              total,
              bench.profile().appsPerNamespace(),
              text(bench.profile().informerResync())));

      // cold
      CpuSplit coldCpuBefore = CpuSplit.now(bench.system());
      long coldBegan = System.nanoTime();
      ChildJvm cold = worker(bench, rig, 1);
      Phase coldRun = converge(cold, running, lastNew, total, COLD_BOUND);
      CpuSplit coldCpuAfter = CpuSplit.now(bench.system(), List.of(cold));
      double coldSeconds = (System.nanoTime() - coldBegan) / 1e9;
      String coldMetrics = cold.metrics();
      double coldWrites = writes(coldMetrics);
      cold.stop(Duration.ofSeconds(30));
      rig.stopSimulators();

      // warm: a fresh worker against converged clusters
      reported.set(ConcurrentHashMap.newKeySet());
      ChildJvm warm = worker(bench, rig, 2);
      Phase warmRun = converge(warm, reported, lastNew, total, WARM_BOUND);
      String atConverge = warm.metrics();
      long eventsAtConverge = statusEvents.get();
      double cpuBefore = warm.cpuSeconds();
      long windowStart = System.nanoTime();
      sleep(bench.profile().steadyWindow());
      double window = (System.nanoTime() - windowStart) / 1e9;
      double cpu = (warm.cpuSeconds() - cpuBefore) / window;
      String afterWindow = warm.metrics();
      long rss = warm.residentBytes();
      long heapUsed = warm.heapUsedBytes();
      double heapMax =
          ChildJvm.sample(afterWindow, "jvm_memory_max_bytes", "area=\"heap\"").orElse(-1);
      long live = warm.liveHeapBytes();
      warm.stop(Duration.ofSeconds(30));

      md.append(
          """
          | phase | ready after | converged after | apps | last new status after | writes issued | writes/s |
          |---|---|---|---|---|---|---|
          """);
      md.append(
          f(
              "| cold (empty clusters): every app `running` | %.1f s | %s | %d / %d | %.1f s | %.0f |"
                  + " %.0f |\n",
              coldRun.ready.toMillis() / 1000.0,
              coldRun.describe(),
              coldRun.seen,
              total,
              coldRun.lastNewSeconds,
              coldWrites,
              coldWrites
                  / Math.max(0.001, coldRun.lastNewSeconds - coldRun.ready.toMillis() / 1000.0)));
      md.append(
          f(
              "| warm (fresh worker, the clusters as cold left them): every app's status out | %.1f s | %s |"
                  + " %d / %d | %.1f s | %.0f | — |\n",
              warmRun.ready.toMillis() / 1000.0,
              warmRun.describe(),
              warmRun.seen,
              total,
              warmRun.lastNewSeconds,
              writes(atConverge)));
      md.append(
          "\nwrites/s: the cold run's writes over the time from ready to the last new status. The"
              + " worker's Kubernetes client has no client-side rate limit (client-java has none, unlike"
              + " client-go's default 5 QPS, burst 10), so this is what the API servers and the worker's"
              + " reconcile workers allowed.\n");
      md.append(
          coldCpu(coldCpuBefore, coldCpuAfter, cold.name(), coldSeconds, coldRun.seen, total, cpu));
      md.append(
          "\nTimes from the worker's process start. An app the cold run could not make ready in its bound"
              + " (the simulated control planes run in the bench JVM) has no Deployment status, so the warm worker"
              + " rightly reports nothing for it.\n");
      md.append(
          f(
              "\nSteady state, %.0f s with nothing changing (an informer resync every %s inside it):\n\n",
              window, text(bench.profile().informerResync())));
      md.append(
          """
          | CPU | writes | status events | reconciles | heap used | live heap after full GC | heap max | RSS |
          |---|---|---|---|---|---|---|---|
          """);
      double steadyWrites = writes(afterWindow) - writes(atConverge);
      md.append(
          f(
              "| %.3f cores | %.0f | %d | %.0f | %s | %s | %s | %s |\n",
              cpu,
              steadyWrites,
              statusEvents.get() - eventsAtConverge,
              reconciles(afterWindow) - reconciles(atConverge),
              mib(heapUsed),
              mib(live),
              mib((long) heapMax),
              mib(rss)));
      md.append(f("\nWrites by kind and verb (cold run): %s.\n", byKind(coldMetrics)));

      bench
          .report()
          .goal(
              "3. reconcile",
              f("fresh worker converges ≤ 30 s (%d apps)", total),
              warmRun.describe(),
              warmRun.converged && warmRun.elapsed.toMillis() <= 30_000);
      bench
          .report()
          .goal(
              "3. reconcile",
              "0 writes on a no-op resync / fresh start",
              f("%.0f / %.0f", steadyWrites, writes(atConverge)),
              steadyWrites == 0 && writes(atConverge) == 0);
      bench
          .report()
          .goal(
              "3. reconcile", "heap ≤ 512 MB (live after full GC)", mib(live), live <= 512L << 20);
      bench
          .report()
          .goal(
              "3. reconcile",
              f("cold: every app running ≤ 60 s (%d apps)", total),
              coldRun.describe(),
              coldRun.converged && coldRun.elapsed.toMillis() <= 60_000);
      bench
          .report()
          .goal("3. reconcile", "worker RSS ≤ 512 MiB (steady)", mib(rss), rss <= 512L << 20);
    }
    bench.report().section("3. Reconcile at scale", md.toString());
  }

  /**
   * What each part spent per app in the cold run, and the time the worker's own work per app sets
   * as a floor for the whole run on this machine's cores, whatever the sandbox costs. That work is
   * its CPU less what it spends with nothing changing ({@code restingCores}, the steady window's:
   * informer resyncs of every app included), which grows with the run's length, not its apps.
   */
  private static String coldCpu(
      CpuSplit before,
      CpuSplit after,
      String worker,
      double seconds,
      int running,
      int total,
      double restingCores) {
    int cores = Runtime.getRuntime().availableProcessors();
    int apps = Math.max(1, running);
    double workerMs =
        1000 * Math.max(0, after.seconds(before, worker) - restingCores * seconds) / apps;
    return f(
            "\nCPU in the cold run (%.1f s from the worker's start, %d apps `running`), by part, on %d"
                + " cores:\n\n",
            seconds, running, cores)
        + after.table(before, seconds, apps, "app")
        + f(
            "\nThe worker's own floor: its CPU in the cold run less what it spends at rest (%.3f"
                + " cores, below) is %.1f ms per app running; at that, %d apps take at least %.1f s"
                + " of this machine's %d cores, even beside a sandbox that cost nothing.\n",
            restingCores, workerMs, total, workerMs * total / 1000 / cores, cores);
  }

  private static ChildJvm worker(Context bench, ScaleRig rig, int n) {
    int port = AstroSystem.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("ASTRO_HTTP_HOST", "127.0.0.1");
    env.put("ASTRO_SYNC_WORKER_PORT", Integer.toString(port));
    env.put("ASTRO_KAFKA_BOOTSTRAP", bench.system().kafkaBootstrap());
    env.put("ASTRO_APP_COMMANDS_TOPIC", ScaleRig.COMMANDS);
    env.put("ASTRO_APP_STATUS_TOPIC", ScaleRig.STATUS);
    env.put("ASTRO_APP_COMMANDS_GROUP", "bench-scale");
    env.put("ASTRO_CLUSTERS_TOPIC", ScaleRig.CLUSTERS);
    env.put("ASTRO_CLUSTER_STATUS_TOPIC", ScaleRig.CLUSTER_STATUS);
    env.put("ASTRO_CLUSTERS", rig.clustersSpec);
    env.put("ASTRO_INFORMER_RESYNC", text(bench.profile().informerResync()));
    Path jars = bench.system().dir().resolve("jars");
    String name = "sync-worker-scale-" + n;
    Path logs = bench.system().dir().resolve("logs");
    return ChildJvm.start(
        name,
        jars.resolve("sync-worker.jar"),
        port,
        bench.system().container("sync-worker"),
        env,
        logs,
        AstroSystem.profiling(name, logs));
  }

  /** How one worker run went: when it was ready, and when (if) every app's status was out. */
  private record Phase(
      Duration ready, Duration elapsed, boolean converged, int seen, double lastNewSeconds) {
    String describe() {
      return converged
          ? f("%.1f s", elapsed.toMillis() / 1000.0)
          : f("not within %.0f s", elapsed.toMillis() / 1000.0);
    }
  }

  private static Phase converge(
      ChildJvm worker,
      AtomicReference<Set<String>> apps,
      AtomicLong lastNew,
      int total,
      Duration bound) {
    Duration ready = worker.awaitReady(Duration.ofMinutes(2));
    long started = System.nanoTime() - ready.toNanos();
    long deadline = started + bound.toNanos();
    while (apps.get().size() < total && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(50));
    }
    return new Phase(
        ready,
        Duration.ofNanos(System.nanoTime() - started),
        apps.get().size() >= total,
        apps.get().size(),
        Math.max(0, lastNew.get() - started) / 1e9);
  }

  private static double writes(String metrics) {
    return ChildJvm.sample(metrics, "astro_sync_writes_total").orElse(0);
  }

  private static double reconciles(String metrics) {
    return ChildJvm.sample(metrics, "astro_sync_reconcile_seconds_count").orElse(0);
  }

  /** {@code deployment create 1000, service create 1000, ...} from the writes counter's series. */
  private static String byKind(String metrics) {
    StringBuilder out = new StringBuilder();
    for (String line :
        metrics.lines().filter(l -> l.startsWith("astro_sync_writes_total{")).toList()) {
      double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      if (value > 0) {
        out.append(out.isEmpty() ? "" : ", ")
            .append(label(line, "kind"))
            .append(' ')
            .append(label(line, "verb"))
            .append(' ')
            .append(f("%.0f", value));
      }
    }
    return out.isEmpty() ? "none" : out.toString();
  }

  private static String label(String series, String name) {
    int at = series.indexOf(name + "=\"");
    return at < 0
        ? "?"
        : series.substring(at + name.length() + 2, series.indexOf('"', at + name.length() + 2));
  }

  static String text(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
