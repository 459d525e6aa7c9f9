package io.astro.user.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.SettableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

  private static final String GUESSER = "203.0.113.9";
  private static final String OWNER = "198.51.100.7";

  private final SettableClock clock = new SettableClock();
  private final LoginThrottle throttle =
      new LoginThrottle(
          new LoginThrottle.Limits(3, 6, Duration.ofMinutes(15), 4, Duration.ofMinutes(1)),
          100,
          clock);

  @Test
  void an_account_is_refused_from_an_address_after_too_many_failures_until_the_window_passes() {
    for (int i = 0; i < 3; i++) {
      assertThat(throttle.retryAfterSeconds("Ada", GUESSER)).isZero();
      throttle.failed("Ada", GUESSER);
    }
    assertThat(throttle.retryAfterSeconds("ada", GUESSER)).isEqualTo(15 * 60);
    assertThat(throttle.retryAfterSeconds("ada", OWNER)).as("from elsewhere").isZero();
    clock.advance(Duration.ofMinutes(15).plusSeconds(1));
    assertThat(throttle.retryAfterSeconds("ada", GUESSER)).isZero();
  }

  @Test
  void failures_from_many_addresses_reach_the_higher_bound_per_account() {
    for (int i = 0; i < 6; i++) {
      throttle.failed("ada", "203.0.113." + i);
    }
    assertThat(throttle.retryAfterSeconds("ada", OWNER)).isPositive();
    assertThat(throttle.retryAfterSeconds("grace", OWNER)).isZero();
  }

  @Test
  void one_address_failing_on_many_accounts_is_refused_on_all_for_its_shorter_window() {
    for (int i = 0; i < 4; i++) {
      throttle.failed("user" + i, GUESSER);
    }
    assertThat(throttle.retryAfterSeconds("someone-else", GUESSER)).isEqualTo(60);
    assertThat(throttle.retryAfterSeconds("someone-else", OWNER)).isZero();
    clock.advance(Duration.ofMinutes(1));
    assertThat(throttle.retryAfterSeconds("someone-else", GUESSER)).isZero();
  }

  @Test
  void a_success_clears_only_its_own_account_and_address() {
    throttle.failed("ada", OWNER);
    throttle.failed("ada", OWNER);
    throttle.succeeded("ada", OWNER);
    throttle.failed("ada", OWNER);
    assertThat(throttle.retryAfterSeconds("ada", OWNER)).isZero();

    // a guesser logging in to an account of their own keeps their address's count
    for (int i = 0; i < 4; i++) {
      throttle.failed("victim" + i, GUESSER);
    }
    throttle.succeeded("mine", GUESSER);
    assertThat(throttle.retryAfterSeconds("victim9", GUESSER)).isPositive();
  }

  @Test
  void memory_is_bounded_by_forgetting_the_oldest_keys() {
    WindowedCounter counter = new WindowedCounter(3, Duration.ofMinutes(15), 2, clock);
    for (String key : new String[] {"a", "b", "c"}) {
      for (int i = 0; i < 3; i++) {
        counter.add(key);
      }
    }
    assertThat(counter.retryAfterSeconds("a")).isZero();
    assertThat(counter.retryAfterSeconds("c")).isPositive();
  }
}
