package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;
import static io.astro.bench.Report.mib;
import static io.astro.bench.Report.text;

import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 6. Each service started alone (one after the other, the previous one idle): time from process
 * start to {@code /ready} answering 200, at its first start and at several restarts, and resident
 * memory after an idle pause with the whole system up. Services started with native memory tracking
 * ({@code BENCH_NMT}) also get where that memory goes.
 */
public final class Footprint {

  private static final Pattern NMT_TOTAL =
      Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB", Pattern.MULTILINE);
  private static final Pattern NMT_CATEGORY =
      Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)", Pattern.MULTILINE);
  private static final Pattern NMT_CLASSES = Pattern.compile("\\(classes #(\\d+)\\)");

  private Footprint() {}

  /** What benchmark 6 read of one service while the system was idle, and its first start. */
  private record Idle(
      String name, Duration firstStart, long rss, long heap, long live, int threads) {}

  public static void run(Context bench) {
    try {
      Thread.sleep(bench.profile().idleSettle().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int restarts = bench.profile().restarts();
    StringBuilder md =
        new StringBuilder(
            f(
                "Each service is its jar in its own JVM with its Dockerfile's `JAVA_OPTS` and variables"
                    + " (`-XX:MaxRAM` = its k8s memory limit, SerialGC as the JVM picks under 1792 MB),"
                    + " started after the previous one was ready; backing"
                    + " services already up. RSS and heap read after %s idle with all four running."
                    + " The first start is against an empty schema (migrations) and new topics; then"
                    + " each service is stopped (SIGTERM) and started again %d times, one at a time,"
                    + " the others running, as a rollout restarts it: the goal is on the median of"
                    + " those starts. One start is not a measurement on this machine: the same jars'"
                    + " first starts moved by a second from one run to the next.\n\n",
                text(bench.profile().idleSettle()), restarts));
    List<Idle> idle = new ArrayList<>();
    List<String> nmtRows = new ArrayList<>();
    for (ChildJvm s : bench.system().services()) {
      long rss = s.residentBytes();
      int threads = s.threads();
      // before the heap figures: the full GC they take would change what is resident
      if (AstroSystem.tracksNativeMemory(s.name())) {
        nmtRows.add(nativeMemory(s, rss));
      }
      idle.add(
          new Idle(s.name(), s.readyAfter(), rss, s.heapUsedBytes(), s.liveHeapBytes(), threads));
    }
    md.append(
        "| service | first start to ready | restart to ready, median (min–max) | restart's CPU to"
            + " ready, median (of it the JIT compilers) | idle RSS | heap used | live heap (after"
            + " full GC) | threads |");
    md.append("\n|---|---|---|---|---|---|---|---|\n");
    int cores = Runtime.getRuntime().availableProcessors();
    boolean againstBaseline = bench.system().hasBaseline();
    StringBuilder baselineRows = new StringBuilder();
    for (Idle service : idle) {
      List<Duration> starts = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      List<Double> compilers = new ArrayList<>();
      List<Duration> baselineStarts = new ArrayList<>();
      List<Double> baselineCpu = new ArrayList<>();
      List<Long> differences = new ArrayList<>();
      for (int i = 0; i < restarts; i++) {
        if (againstBaseline) {
          baselineStarts.add(bench.system().restartBaseline(service.name()));
          baselineCpu.add(bench.system().service(service.name()).cpuSeconds());
        }
        // this checkout's jar last: the benchmarks after this one run it
        starts.add(bench.system().restartService(service.name()));
        // read just after /ready first answered 200: what the start took of the cores
        ChildJvm started = bench.system().service(service.name());
        cpu.add(started.cpuSeconds());
        compilers.add(started.compilerCpuSeconds());
        if (againstBaseline) {
          differences.add(starts.get(i).minus(baselineStarts.get(i)).toMillis());
        }
      }
      if (againstBaseline) {
        baselineRows.append(
            f(
                "| %s | %.2f s | %.2f s | %+d ms | %d of %d | %.2f s | %.2f s |\n",
                service.name(),
                seconds(median(starts)),
                seconds(median(baselineStarts)),
                median(differences),
                differences.stream().filter(d -> d < 0).count(),
                differences.size(),
                median(cpu),
                median(baselineCpu)));
      }
      double median = seconds(median(starts));
      md.append(
          f(
              "| %s | %.2f s | %.2f s (%.2f–%.2f s) | %.2f s (%.2f s) | %s | %s | %s | %d |\n",
              service.name(),
              seconds(service.firstStart()),
              median,
              seconds(Collections.min(starts)),
              seconds(Collections.max(starts)),
              median(cpu),
              median(compilers),
              mib(service.rss()),
              mib(service.heap()),
              mib(service.live()),
              service.threads()));
      bench
          .report()
          .goal(
              "6. footprint",
              service.name() + ": idle RSS ≤ 150 MiB, restart to ready ≤ 1.5 s (median)",
              f(
                  "%s, %.2f s (first start %.2f s)",
                  mib(service.rss()), median, seconds(service.firstStart())),
              service.rss() <= 150L << 20 && median <= 1.5);
    }
    md.append(
        f(
            "\nA restart's CPU to ready, spread over this machine's %d cores, is the least time it"
                + " can take: a restart that costs more than %.1f s of CPU cannot be ready in 1.5 s"
                + " here.\n",
            cores, 1.5 * cores));
    if (againstBaseline) {
      md.append(
          f(
              "\nAgainst the baseline (`--baseline`: another checkout's jars, with its Dockerfiles'"
                  + " flags): each of the %d restarts above came right after one of the baseline's,"
                  + " so each pair ran on the machine as it was at that moment.\n\n"
                  + "| service | restart to ready, median | the baseline's | this minus the"
                  + " baseline, median of the pairs | pairs where this was faster | restart's CPU,"
                  + " median | the baseline's |\n|---|---|---|---|---|---|---|\n",
              restarts));
      md.append(baselineRows);
    }
    if (!nmtRows.isEmpty()) {
      md.append(
          "\nNative memory tracking (`BENCH_NMT`; committed MiB; the tracking itself adds a little):"
              + "\n\n| service | RSS | NMT total | heap | class metadata | symbols | CDS archive | code"
              + " | compiler | threads | GC | rest | classes |\n"
              + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      nmtRows.forEach(md::append);
    }
    bench.report().section("6. Footprint", md.toString());
  }

  /** The middle value (the upper one of an even count, as the table's medians). */
  private static <T extends Comparable<? super T>> T median(List<T> values) {
    List<T> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** One row of the NMT table; the whole summary goes to {@code <logs>/<service>.nmt.txt}. */
  private static String nativeMemory(ChildJvm s, long rss) {
    String summary = s.jcmdOutput("VM.native_memory", "summary");
    try {
      Files.writeString(s.logDir().resolve(s.name() + ".nmt.txt"), summary);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher total = NMT_TOTAL.matcher(summary);
    if (!total.find()) {
      return f("| %s | %s | (no summary) |||||||||||\n", s.name(), mib(rss));
    }
    Map<String, Long> committed = new LinkedHashMap<>();
    Matcher m = NMT_CATEGORY.matcher(summary);
    while (m.find()) {
      committed.put(m.group(1).strip(), Long.parseLong(m.group(3)));
    }
    long all = Long.parseLong(total.group(2));
    long heap = take(committed, "Java Heap");
    long classes = take(committed, "Class") + take(committed, "Metaspace");
    long symbols = take(committed, "Symbol");
    long cds = take(committed, "Shared class space");
    long code = take(committed, "Code");
    long compiler = take(committed, "Compiler") + take(committed, "Arena Chunk");
    long threads = take(committed, "Thread");
    long gc = take(committed, "GC");
    long rest = all - heap - classes - symbols - cds - code - compiler - threads - gc;
    Matcher count = NMT_CLASSES.matcher(summary);
    return f(
        "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %s |\n",
        s.name(),
        mib(rss),
        all / 1024.0,
        heap / 1024.0,
        classes / 1024.0,
        symbols / 1024.0,
        cds / 1024.0,
        code / 1024.0,
        compiler / 1024.0,
        threads / 1024.0,
        gc / 1024.0,
        rest / 1024.0,
        count.find() ? count.group(1) : "?");
  }

  private static long take(Map<String, Long> committed, String category) {
    Long kb = committed.remove(category);
    return kb == null ? 0 : kb;
  }
}
