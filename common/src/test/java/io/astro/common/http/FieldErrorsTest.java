package io.astro.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class FieldErrorsTest {

  @Test
  void a_body_of_accepted_fields_has_no_errors_even_when_some_are_missing_or_null() {
    JsonObject body = new JsonObject().put("name", "web").putNull("port");

    assertThat(FieldErrors.acceptingOnly(body, "name", "image", "replicas", "port").isEmpty())
        .isTrue();
  }

  @Test
  void each_unknown_field_is_refused_with_400_naming_it_and_the_accepted_ones() {
    JsonObject body =
        new JsonObject().put("name", "web").put("replica", 3).put("volumes", new JsonObject());

    assertThatThrownBy(
            () -> FieldErrors.acceptingOnly(body, "name", "image", "replicas", "port").throwIfAny())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.errorCode()).isEqualTo(ErrorCode.BAD_REQUEST);
              assertThat(e.getMessage()).contains("replica").contains("volumes");
              JsonObject data = (JsonObject) e.data();
              assertThat(data.getJsonArray("fields").stream().map(f -> (JsonObject) f))
                  .extracting(f -> f.getString("field"))
                  .containsExactly("replica", "volumes");
              assertThat(data.getJsonArray("fields").getJsonObject(0).getString("reason"))
                  .isEqualTo(
                      "is not a field of this request (accepted: name, image, replicas, port)");
            });
  }

  @Test
  void unknown_fields_are_reported_together_with_the_other_broken_rules() {
    FieldErrors errors =
        FieldErrors.acceptingOnly(new JsonObject().put("replica", 3), "replicas")
            .add("replicas", "is required");

    assertThatThrownBy(errors::throwIfAny)
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(
                        ((JsonObject) e.data())
                            .getJsonArray("fields").stream()
                                .map(f -> ((JsonObject) f).getString("field")))
                    .containsExactly("replica", "replicas"));
  }
}
