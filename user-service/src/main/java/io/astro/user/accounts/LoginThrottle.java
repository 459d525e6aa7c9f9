package io.astro.user.accounts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Slows password guessing against one account: after {@code maxFailures} failed logins for the same
 * identifier within the window, further attempts are refused until the window passes. Keyed by what
 * the client typed, whether or not such a user exists, so being throttled reveals nothing. Bounded:
 * the oldest identifiers are forgotten first. Per instance; the gateway's per-IP limit sits in
 * front of it.
 */
public final class LoginThrottle {

  private final int maxFailures;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Failures> failures;

  public LoginThrottle(int maxFailures, Duration window, int maxTracked, Clock clock) {
    this.maxFailures = maxFailures;
    this.window = window;
    this.clock = clock;
    this.failures =
        new LinkedHashMap<>(256, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > maxTracked;
          }
        };
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  public synchronized long retryAfterSeconds(String identifier) {
    Failures f = failures.get(key(identifier));
    if (f == null || f.count < maxFailures) {
      return 0;
    }
    Duration left = Duration.between(clock.instant(), f.since.plus(window));
    if (left.isNegative() || left.isZero()) {
      failures.remove(key(identifier));
      return 0;
    }
    return Math.max(1, left.toSeconds());
  }

  public synchronized void failed(String identifier) {
    Instant now = clock.instant();
    Failures f = failures.get(key(identifier));
    if (f == null || now.isAfter(f.since.plus(window))) {
      failures.put(key(identifier), new Failures(now, 1));
    } else {
      f.count++;
    }
  }

  public synchronized void succeeded(String identifier) {
    failures.remove(key(identifier));
  }

  private static String key(String identifier) {
    return identifier.toLowerCase(Locale.ROOT);
  }

  private static final class Failures {
    final Instant since;
    int count;

    Failures(Instant since, int count) {
      this.since = since;
      this.count = count;
    }
  }
}
