package io.astro.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A hash is computed once for equal inputs and never given to other inputs or another app. */
class SpecHashesTest {

  private final SpecHashes hashes = new SpecHashes();
  private final AtomicInteger computed = new AtomicInteger();

  private Supplier<String> counting(String hash) {
    return () -> {
      computed.incrementAndGet();
      return hash;
    };
  }

  @Test
  void equal_inputs_reuse_the_hash_without_computing_it_again() {
    assertThat(hashes.of("app-1", List.of("nginx:1.27", 2), counting("h1"))).isEqualTo("h1");
    assertThat(hashes.of("app-1", List.of("nginx:1.27", 2), counting("other"))).isEqualTo("h1");
    assertThat(computed).hasValue(1);
  }

  @Test
  void changed_inputs_compute_the_hash_again() {
    hashes.of("app-1", List.of("nginx:1.27", 2), counting("h1"));
    assertThat(hashes.of("app-1", List.of("nginx:1.28", 2), counting("h2"))).isEqualTo("h2");
    assertThat(hashes.of("app-1", List.of("nginx:1.27", 2), counting("h1"))).isEqualTo("h1");
    assertThat(computed).hasValue(3);
  }

  @Test
  void apps_sharing_a_slot_with_equal_inputs_each_keep_their_own_hash() {
    String first = "app-0";
    String second = onTheSameSlotAs(first);
    assertThat(hashes.of(first, "same", counting("first's"))).isEqualTo("first's");
    assertThat(hashes.of(second, "same", counting("second's"))).isEqualTo("second's");
    assertThat(hashes.of(first, "same", counting("first's"))).isEqualTo("first's");
    assertThat(computed).hasValue(3);
  }

  /** Another app id whose entry takes the same slot: the first app's hash is gone after it. */
  private static String onTheSameSlotAs(String appId) {
    SpecHashes probe = new SpecHashes();
    for (int i = 1; ; i++) {
      String candidate = "app-" + i;
      probe.of(appId, "x", () -> "kept");
      probe.of(candidate, "x", () -> "candidate's");
      if (!probe.of(appId, "x", () -> "computed again").equals("kept")) {
        return candidate;
      }
    }
  }
}
