package io.astro.sync.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a cluster whose health check failed is checked again. */
class RecheckBackoffTest {

  private final RecheckBackoff backoff =
      new RecheckBackoff(Duration.ofSeconds(5), Duration.ofMinutes(5));

  @Test
  void each_failure_in_a_row_doubles_the_wait_up_to_the_interval() {
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      delays.add(backoff.failed("east"));
    }

    assertThat(delays)
        .containsExactly(
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(20),
            Duration.ofSeconds(40),
            Duration.ofSeconds(80),
            Duration.ofSeconds(160),
            Duration.ofMinutes(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(5));
  }

  @Test
  void a_passed_check_makes_the_next_failure_wait_the_first_delay_again() {
    backoff.failed("east");
    backoff.failed("east");
    backoff.failed("east");

    backoff.reset("east");

    assertThat(backoff.failed("east")).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void clusters_back_off_each_on_its_own() {
    backoff.failed("east");
    backoff.failed("east");

    assertThat(backoff.failed("west")).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.failed("east")).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void a_cluster_down_for_a_very_long_time_waits_the_interval_without_overflowing() {
    assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void a_first_delay_longer_than_the_interval_waits_the_interval() {
    RecheckBackoff slow = new RecheckBackoff(Duration.ofMinutes(10), Duration.ofMinutes(5));

    assertThat(slow.failed("east")).isEqualTo(Duration.ofMinutes(5));
  }
}
