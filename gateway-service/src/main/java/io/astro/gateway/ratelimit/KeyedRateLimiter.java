package io.astro.gateway.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per key (client IP, user): {@code requests} per {@code window}, refilled
 * continuously, so a client may burst up to the limit and then proceeds at the average rate.
 *
 * <p>Memory stays bounded: a bucket that has refilled completely is indistinguishable from a new
 * one, so such buckets are dropped by a sweep every window (at least every 10 s), run by whichever
 * call finds it due. At most {@code maxKeys} buckets are kept; when full, unknown keys share one
 * overflow bucket until a sweep makes room — a flood of new keys then throttles itself, not the
 * clients already known.
 */
public final class KeyedRateLimiter {

  /** The outcome for one request; {@code retryAfterSeconds} is 0 when allowed. */
  public record Decision(boolean allowed, long retryAfterSeconds) {}

  private static final Decision ALLOWED = new Decision(true, 0);
  private static final long MIN_SWEEP_NANOS = Duration.ofSeconds(10).toNanos();

  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final long capacity;
  private final Duration window;
  private final int maxKeys;
  private final TimeMeter clock;
  private final long sweepEveryNanos;
  private final Bucket overflow;
  private volatile long lastSweep;

  public KeyedRateLimiter(int requests, Duration window, int maxKeys, TimeMeter clock) {
    this.capacity = requests;
    this.window = window;
    this.maxKeys = maxKeys;
    this.clock = clock;
    this.sweepEveryNanos = Math.max(window.toNanos(), MIN_SWEEP_NANOS);
    this.overflow = newBucket();
    this.lastSweep = clock.currentTimeNanos();
  }

  public Decision tryAcquire(String key) {
    long now = clock.currentTimeNanos();
    if (now - lastSweep >= sweepEveryNanos) {
      sweep(now);
    }
    Bucket bucket = buckets.get(key);
    if (bucket == null) {
      bucket =
          buckets.size() >= maxKeys ? overflow : buckets.computeIfAbsent(key, k -> newBucket());
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return ALLOWED;
    }
    long wait = probe.getNanosToWaitForRefill();
    return new Decision(false, Math.max(1, (wait + 999_999_999L) / 1_000_000_000L));
  }

  /** Buckets currently held (the overflow bucket aside). */
  public int size() {
    return buckets.size();
  }

  private void sweep(long now) {
    lastSweep = now;
    buckets.values().removeIf(bucket -> bucket.getAvailableTokens() >= capacity);
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, window))
        .withCustomTimePrecision(clock)
        .build();
  }
}
