package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;
import static io.astro.bench.Report.mib;
import static io.astro.bench.Report.text;

import io.astro.bench.system.ChildJvm;

/**
 * 6. Each service started alone (one after the other, the previous one idle): time from process
 * start to {@code /ready} answering 200, and resident memory after an idle pause with the whole
 * system up.
 */
public final class Footprint {

  private Footprint() {}

  public static void run(Context bench) {
    try {
      Thread.sleep(bench.profile().idleSettle().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    StringBuilder md =
        new StringBuilder(
            f(
                "Each service is its jar in its own JVM with its Dockerfile's `JAVA_OPTS` and variables"
                    + " (`-XX:MaxRAM` = its k8s memory limit, SerialGC as the JVM picks under 1792 MB),"
                    + " started after the previous one was ready; backing"
                    + " services already up. RSS and heap read after %s idle with all four running.\n\n",
                text(bench.profile().idleSettle())));
    md.append(
        "| service | time to ready | idle RSS | heap used | live heap (after full GC) |\n|---|---|---|---|---|\n");
    for (ChildJvm s : bench.system().services()) {
      long rss = s.residentBytes();
      long heap = s.heapUsedBytes();
      long live = s.liveHeapBytes();
      md.append(
          f(
              "| %s | %.2f s | %s | %s | %s |\n",
              s.name(), s.readyAfter().toMillis() / 1000.0, mib(rss), mib(heap), mib(live)));
      double ready = s.readyAfter().toMillis() / 1000.0;
      bench
          .report()
          .goal(
              "6. footprint",
              s.name() + ": idle RSS ≤ 150 MiB, ready ≤ 1.5 s",
              f("%s, %.2f s", mib(rss), ready),
              rss <= 150L << 20 && ready <= 1.5);
    }
    bench.report().section("6. Footprint", md.toString());
  }
}
