package io.astro.user.accounts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts events per key in a window that opens with the key's first event: once {@code max} are
 * counted, the key is refused until the window closes. Bounded: past {@code maxTracked} keys the
 * least recently used is forgotten. Per instance.
 */
public final class WindowedCounter {

  private final int max;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Count> counts;

  public WindowedCounter(int max, Duration window, int maxTracked, Clock clock) {
    this.max = max;
    this.window = window;
    this.clock = clock;
    this.counts =
        new LinkedHashMap<>(256, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Count> eldest) {
            return size() > maxTracked;
          }
        };
  }

  /** Seconds until {@code key} is allowed again, or 0 when it is allowed now. */
  public synchronized long retryAfterSeconds(String key) {
    Count c = counts.get(key);
    if (c == null || c.count < max) {
      return 0;
    }
    Duration left = Duration.between(clock.instant(), c.since.plus(window));
    if (left.isNegative() || left.isZero()) {
      counts.remove(key);
      return 0;
    }
    return Math.max(1, left.toSeconds());
  }

  public synchronized void add(String key) {
    Instant now = clock.instant();
    Count c = counts.get(key);
    if (c == null || !now.isBefore(c.since.plus(window))) {
      counts.put(key, new Count(now));
    } else {
      c.count++;
    }
  }

  public synchronized void clear(String key) {
    counts.remove(key);
  }

  private static final class Count {
    final Instant since;
    int count = 1;

    Count(Instant since) {
      this.since = since;
    }
  }
}
