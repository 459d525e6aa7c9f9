package io.astro.bench.load;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * One load run: answers counted (2xx = ok, anything else or a failed exchange = error) and the
 * latency of the ok ones in microseconds. In an open-loop run latency is counted from when the
 * request was due, not when it went out, so time spent queued behind a slow server is not hidden
 * (coordinated omission).
 */
public record LoadResult(
    String target,
    String mode,
    int connections,
    double seconds,
    long ok,
    long errors,
    Histogram micros) {

  public double throughput() {
    return ok / seconds;
  }

  public double millis(double percentile) {
    return micros.getTotalCount() == 0
        ? Double.NaN
        : micros.getValueAtPercentile(percentile) / 1000.0;
  }

  public double meanMillis() {
    return micros.getTotalCount() == 0 ? Double.NaN : micros.getMean() / 1000.0;
  }

  /**
   * This run and another of the same target together, e.g. rounds interleaved with other targets'.
   */
  public LoadResult plus(LoadResult other) {
    if (other == null) {
      return this;
    }
    Histogram both = micros.copy();
    both.add(other.micros);
    return new LoadResult(
        target,
        mode,
        connections,
        seconds + other.seconds,
        ok + other.ok,
        errors + other.errors,
        both);
  }

  /** {@code 1234 req/s, p50 1.10 ms, p99 3.20 ms, p99.9 7.00 ms (0 errors)}. */
  public String summary() {
    return String.format(
        Locale.ROOT,
        "%.0f req/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms (%d errors)",
        throughput(),
        millis(50),
        millis(99),
        millis(99.9),
        errors);
  }
}
