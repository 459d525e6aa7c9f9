package io.astro.sync.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How soon a cluster whose health check failed is checked again: the first delay after one failed
 * check, doubled after each further one in a row, never more than the interval — so a blip heals
 * within seconds while a cluster that stays down is checked about once an interval. A passed check
 * starts over. Thread-safe.
 */
final class RecheckBackoff {

  private final Duration first;
  private final Duration max;
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  RecheckBackoff(Duration first, Duration max) {
    this.first = first;
    this.max = max;
  }

  /** The cluster's check failed (once more): how long until it is checked again. */
  Duration failed(String cluster) {
    return delay(failures.merge(cluster, 1, Integer::sum));
  }

  /** The cluster's check passed, or the cluster is gone: its next failure waits the first delay. */
  void reset(String cluster) {
    failures.remove(cluster);
  }

  /** The delay after {@code failures} (≥ 1) failed checks in a row. */
  Duration delay(int failures) {
    Duration delay = first;
    for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(max) < 0 ? delay : max;
  }
}
