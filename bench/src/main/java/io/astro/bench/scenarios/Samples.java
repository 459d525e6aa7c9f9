package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Millisecond samples (may be negative: stages between two clocks' readings) and their nearest-rank
 * percentiles.
 */
final class Samples {

  private final long[] sorted;

  Samples(long[] values) {
    this.sorted = values.clone();
    Arrays.sort(sorted);
  }

  static <T> Samples of(List<T> items, ToLongFunction<T> value) {
    return new Samples(items.stream().mapToLong(value).toArray());
  }

  int size() {
    return sorted.length;
  }

  long percentile(double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  long max() {
    return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
  }

  double mean() {
    return Arrays.stream(sorted).average().orElse(Double.NaN);
  }

  /**
   * A stage table's row: {@code span}, n, p50, p95, p99, max (ms) and the mean; dashes if empty.
   */
  String row(String span) {
    if (size() == 0) {
      return f("| %s | 0 | — | — | — | — | — |\n", span);
    }
    return f(
        "| %s | %d | %d | %d | %d | %d | %.1f |\n",
        span, size(), percentile(50), percentile(95), percentile(99), max(), mean());
  }
}
