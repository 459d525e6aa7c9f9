package io.astro.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {

  /** A clock the test moves by hand. */
  private static final class ManualClock implements TimeMeter {
    long nanos;

    @Override
    public long currentTimeNanos() {
      return nanos;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }

    void advance(Duration duration) {
      nanos += duration.toNanos();
    }
  }

  private final ManualClock clock = new ManualClock();

  @Test
  void allows_a_burst_up_to_the_limit_then_says_when_to_come_back() {
    KeyedRateLimiter limiter = new KeyedRateLimiter(10, Duration.ofMinutes(1), 100, clock);
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire("1.2.3.4").allowed()).isTrue();
    }

    KeyedRateLimiter.Decision refused = limiter.tryAcquire("1.2.3.4");

    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterSeconds()).isEqualTo(6);
    assertThat(limiter.tryAcquire("5.6.7.8").allowed()).as("keys are independent").isTrue();
    clock.advance(Duration.ofSeconds(6));
    assertThat(limiter.tryAcquire("1.2.3.4").allowed()).isTrue();
  }

  @Test
  void buckets_that_refilled_are_evicted_so_memory_stays_bounded() {
    KeyedRateLimiter limiter = new KeyedRateLimiter(5, Duration.ofSeconds(1), 1000, clock);
    for (int i = 0; i < 500; i++) {
      limiter.tryAcquire("user-" + i);
    }
    assertThat(limiter.size()).isEqualTo(500);

    clock.advance(Duration.ofSeconds(10));
    limiter.tryAcquire("user-0");

    assertThat(limiter.size()).isEqualTo(1);
  }

  @Test
  void past_the_key_limit_new_keys_share_one_bucket() {
    KeyedRateLimiter limiter = new KeyedRateLimiter(2, Duration.ofMinutes(1), 3, clock);
    limiter.tryAcquire("a");
    limiter.tryAcquire("b");
    limiter.tryAcquire("c");

    assertThat(limiter.tryAcquire("d").allowed()).isTrue();
    assertThat(limiter.tryAcquire("e").allowed()).isTrue();
    assertThat(limiter.tryAcquire("f").allowed())
        .as("d, e and f share the overflow bucket")
        .isFalse();
    assertThat(limiter.size()).isEqualTo(3);
    assertThat(limiter.tryAcquire("a").allowed()).as("known keys keep their own bucket").isTrue();
  }
}
