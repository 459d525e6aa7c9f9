package io.astro.bench.scenarios;

import io.astro.bench.system.Proc;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Load until the JVMs serving it have compiled what it runs. A fixed few seconds of warm-up is not
 * enough on two cores: the gateway's JIT compiler threads were still using half of its CPU a minute
 * into benchmark 1 (async-profiler), so a throughput measured then was partly the compiler's.
 */
final class JitWarmup {

  /** Settled: every JVM's compiler threads used under this share of one core during a slice. */
  private static final double SETTLED_SHARE = 0.05;

  private JitWarmup() {}

  /**
   * Runs {@code load} for {@code slice} again and again until the compiler threads of every one of
   * the JVMs {@code pids} are nearly idle during one, or {@code bound} has passed (a zero bound:
   * not at all).
   *
   * @return what the warm-up took, for the report
   */
  static String until(Consumer<Duration> load, List<Long> pids, Duration slice, Duration bound) {
    if (bound.isZero()) {
      return "none";
    }
    long start = System.nanoTime();
    int slices = 0;
    while (true) {
      double[] before = pids.stream().mapToDouble(Proc::compilerSeconds).toArray();
      long sliceStart = System.nanoTime();
      load.accept(slice);
      slices++;
      double seconds = (System.nanoTime() - sliceStart) / 1e9;
      double busiest = 0;
      for (int i = 0; i < pids.size(); i++) {
        busiest = Math.max(busiest, (Proc.compilerSeconds(pids.get(i)) - before[i]) / seconds);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf(
          "JIT warm-up: slice %d, busiest compiler %.0f %% of a core%n", slices, busiest * 100);
      if (busiest < SETTLED_SHARE) {
        return String.format(
            "%d s until the JIT compilers used under %.0f %% of a core",
            took.toSeconds(), SETTLED_SHARE * 100);
      }
      if (took.compareTo(bound) >= 0) {
        return String.format(
            "%d s (the bound; the JIT compilers still used %.0f %% of a core)",
            took.toSeconds(), busiest * 100);
      }
    }
  }
}
