package io.astro.app.apps;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** An app's timestamps read exactly as {@link Instant#toString} writes them. */
class AppTimestampTest {

  @Test
  void timestamps_read_as_iso_8601_with_the_fraction_in_groups_of_three_digits() {
    assertThat(App.text(Instant.parse("2026-12-05T04:41:18Z"))).isEqualTo("2026-12-05T04:41:18Z");
    assertThat(App.text(Instant.parse("2026-01-02T03:04:05.100Z")))
        .isEqualTo("2026-01-02T03:04:05.100Z");
    assertThat(App.text(Instant.parse("2026-01-02T03:04:05.000120Z")))
        .isEqualTo("2026-01-02T03:04:05.000120Z");
    assertThat(App.text(Instant.parse("0001-01-02T03:04:05.000000001Z")))
        .isEqualTo("0001-01-02T03:04:05.000000001Z");
    assertThat(App.text(null)).isNull();
  }

  @Test
  void any_instant_reads_as_instant_to_string_writes_it() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 100_000; i++) {
      long seconds = random.nextLong(-70_000_000_000L, 300_000_000_000L);
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant instant = Instant.ofEpochSecond(seconds, nanos);
      assertThat(App.text(instant)).isEqualTo(instant.toString());
    }
  }
}
