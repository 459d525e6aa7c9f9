package io.astro.app.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.http.ApiException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppRulesTest {

  private final AppRules open = new AppRules(List.of());

  @Test
  void a_full_request_becomes_a_spec_and_replicas_default_to_one() {
    assertThat(
            open.create(
                new JsonObject()
                    .put("name", "a".repeat(40))
                    .put("image", "nginx")
                    .put("replicas", 0)
                    .put("port", 65535)))
        .isEqualTo(new AppSpec("a".repeat(40), "nginx", 0, 65535));
    assertThat(
            open.create(
                new JsonObject().put("name", "web-1").put("image", "nginx").putNull("port")))
        .isEqualTo(new AppSpec("web-1", "nginx", 1, null));
  }

  @Test
  void equal_requests_hash_alike_and_different_ones_do_not() {
    AppSpec spec = new AppSpec("web", "nginx", 1, null);
    assertThat(spec.hash()).isEqualTo(new AppSpec("web", "nginx", 1, null).hash()).hasSize(64);
    assertThat(spec.hash()).isNotEqualTo(new AppSpec("web", "nginx", 2, null).hash());
    assertThat(spec.hash()).isNotEqualTo(new AppSpec("web", "nginx", 1, 80).hash());
  }

  @Test
  void scale_needs_a_replica_count_in_range() {
    assertThat(open.scale(new JsonObject().put("replicas", 10))).isEqualTo(10);
    for (JsonObject bad :
        List.of(
            new JsonObject(),
            new JsonObject().put("replicas", 11),
            new JsonObject().put("replicas", -1),
            new JsonObject().putNull("replicas"),
            new JsonObject().put("replicas", "2"))) {
      assertThatThrownBy(() -> open.scale(bad))
          .as(bad.encode())
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("replicas");
    }
  }

  @Test
  void the_allow_list_names_the_refused_registry() {
    AppRules restricted = new AppRules(List.of("ghcr.io"));
    assertThatThrownBy(
            () ->
                restricted.create(
                    new JsonObject().put("name", "web").put("image", "quay.io/x/y:1")))
        .isInstanceOf(ApiException.class)
        .satisfies(
            e ->
                assertThat(((JsonObject) ((ApiException) e).data()).encode())
                    .contains("quay.io is not allowed"));
  }
}
