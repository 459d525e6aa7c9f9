package io.astro.user.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.astro.common.http.ApiException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistrationRulesTest {

  private static JsonObject valid() {
    return new JsonObject()
        .put("username", "ada_l-1")
        .put("email", "ada@example.org")
        .put("password", "correct horse");
  }

  @Test
  void a_valid_registration_passes() {
    var r = RegistrationRules.validate(valid());
    assertThat(r.username()).isEqualTo("ada_l-1");
  }

  @Test
  void usernames_are_3_to_20_letters_digits_dash_or_underscore() {
    for (String bad : List.of("ab", "a".repeat(21), "ada lovelace", "ada.l", "ädä", "")) {
      assertThat(fieldsOf(valid().put("username", bad))).as(bad).containsExactly("username");
    }
    assertThat(RegistrationRules.validate(valid().put("username", "abc")).username())
        .isEqualTo("abc");
    assertThat(RegistrationRules.validate(valid().put("username", "a".repeat(20))).username())
        .hasSize(20);
  }

  @Test
  void emails_must_look_like_emails() {
    for (String bad :
        List.of("ada", "ada@", "@example.org", "ada@example", "ada @example.org", "a@b.c")) {
      assertThat(fieldsOf(valid().put("email", bad))).as(bad).containsExactly("email");
    }
  }

  @Test
  void passwords_are_8_characters_to_72_bytes() {
    assertThat(fieldsOf(valid().put("password", "short"))).containsExactly("password");
    assertThat(fieldsOf(valid().put("password", "x".repeat(73)))).containsExactly("password");
    // 24 three-byte characters = 72 bytes: allowed; one more is over bcrypt's limit
    assertThat(RegistrationRules.validate(valid().put("password", "€".repeat(24))).password())
        .hasSize(24);
    assertThat(fieldsOf(valid().put("password", "€".repeat(25)))).containsExactly("password");
  }

  @Test
  void missing_and_mistyped_fields_are_all_reported_at_once() {
    assertThat(fieldsOf(new JsonObject().put("username", 42)))
        .containsExactly("username", "email", "password");
  }

  private static List<String> fieldsOf(JsonObject body) {
    ApiException e =
        catchThrowableOfType(ApiException.class, () -> RegistrationRules.validate(body));
    assertThat(e).as("expected a validation error for " + body).isNotNull();
    return ((JsonObject) e.data())
        .getJsonArray("fields").stream().map(f -> ((JsonObject) f).getString("field")).toList();
  }
}
