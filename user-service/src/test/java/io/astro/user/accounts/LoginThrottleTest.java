package io.astro.user.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

  private final MutableClock clock = new MutableClock();
  private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(15), 2, clock);

  @Test
  void an_identifier_is_refused_after_too_many_failures_until_the_window_passes() {
    for (int i = 0; i < 3; i++) {
      assertThat(throttle.retryAfterSeconds("Ada")).isZero();
      throttle.failed("Ada");
    }
    assertThat(throttle.retryAfterSeconds("ada")).isEqualTo(15 * 60);
    clock.advance(Duration.ofMinutes(15).plusSeconds(1));
    assertThat(throttle.retryAfterSeconds("ada")).isZero();
  }

  @Test
  void a_success_clears_the_failures() {
    throttle.failed("ada");
    throttle.failed("ada");
    throttle.succeeded("ada");
    throttle.failed("ada");
    assertThat(throttle.retryAfterSeconds("ada")).isZero();
  }

  @Test
  void memory_is_bounded_by_forgetting_the_oldest_identifiers() {
    for (String id : new String[] {"a", "b", "c"}) {
      for (int i = 0; i < 3; i++) {
        throttle.failed(id);
      }
    }
    assertThat(throttle.retryAfterSeconds("a")).isZero();
    assertThat(throttle.retryAfterSeconds("c")).isPositive();
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
