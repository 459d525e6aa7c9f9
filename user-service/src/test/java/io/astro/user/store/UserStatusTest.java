package io.astro.user.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UserStatusTest {

  @Test
  void its_words_are_the_ones_the_database_and_the_api_hold() {
    assertThat(UserStatus.values())
        .extracting(UserStatus::value)
        .containsExactly("active", "disabled", "deleted");
    assertThat(UserStatus.liveWords()).containsExactly("active", "disabled");
    for (UserStatus status : UserStatus.values()) {
      assertThat(UserStatus.of(status.value())).isSameAs(status);
    }
    assertThat(UserStatus.parse("Active")).isEmpty();
    assertThatThrownBy(() -> UserStatus.of("locked")).hasMessageContaining("locked");
  }

  @Test
  void a_new_account_is_active_by_the_schemas_default() throws IOException {
    // accounts are inserted without a status: the column's default must be ACTIVE's word
    try (InputStream in = getClass().getResourceAsStream("/db/users/V1__users.sql")) {
      String schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);

      assertThat(schema)
          .containsPattern(
              "status\\s+VARCHAR\\(16\\)\\s+NOT NULL DEFAULT '" + UserStatus.ACTIVE.value() + "'");
    }
  }
}
