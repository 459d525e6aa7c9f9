package io.astro.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

  @Test
  void a_client_id_of_letters_digits_and_dot_underscore_colon_dash_up_to_128_is_kept() {
    for (String id :
        new String[] {
          "abc-123", "trace:77", "a.b_c", "Z", "x".repeat(128), UUID.randomUUID() + ""
        }) {
      assertThat(RequestIds.acceptOrGenerate(id)).isEqualTo(id);
    }
  }

  @Test
  void a_client_id_that_is_empty_too_long_or_holds_anything_else_is_replaced_by_a_fresh_one() {
    for (String id :
        new String[] {
          "", "x".repeat(129), "x\"}{injected", "a b", "line\nbreak", "é", "a/b", "a%20", "{}"
        }) {
      String replaced = RequestIds.acceptOrGenerate(id);
      assertThat(replaced).isNotEqualTo(id);
      assertThat(UUID.fromString(replaced).version()).isEqualTo(4);
    }
  }

  @Test
  void a_missing_id_gets_a_random_version_4_uuid_and_each_one_differs() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = RequestIds.acceptOrGenerate(null);
      UUID uuid = UUID.fromString(id);
      assertThat(uuid.version()).isEqualTo(4);
      assertThat(uuid.variant()).isEqualTo(2);
      assertThat(uuid.toString()).isEqualTo(id);
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
  }
}
