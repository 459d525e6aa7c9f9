package io.astro.app.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.http.ApiException;
import io.astro.common.http.FieldErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AppRulesTest {

  private static final List<String> SIZES = List.of("standard", "nano", "small");
  private final AppRules open = new AppRules(List.of(), SIZES);

  @Test
  void a_full_request_becomes_a_spec_and_replicas_default_to_one() {
    assertThat(
            open.create(
                new JsonObject()
                    .put("name", "a".repeat(40))
                    .put("image", "nginx")
                    .put("replicas", 0)
                    .put("port", 65535)))
        .isEqualTo(spec("a".repeat(40), "nginx", 0, 65535));
    assertThat(
            open.create(
                new JsonObject().put("name", "web-1").put("image", "nginx").putNull("port")))
        .isEqualTo(spec("web-1", "nginx", 1, null));
  }

  @Test
  void equal_requests_hash_alike_and_different_ones_do_not() {
    AppSpec spec = spec("web", "nginx", 1, null);
    assertThat(spec.hash()).isEqualTo(spec("web", "nginx", 1, null).hash()).hasSize(64);
    assertThat(spec.hash()).isNotEqualTo(spec("web", "nginx", 2, null).hash());
    assertThat(spec.hash()).isNotEqualTo(spec("web", "nginx", 1, 80).hash());
  }

  @Test
  void the_hash_covers_every_field_and_secret_values_without_showing_them() {
    JsonObject body =
        new JsonObject()
            .put("name", "web")
            .put("image", "nginx")
            .put("env", new JsonObject().put("A", "1").put("B", "2"))
            .put("secrets", new JsonObject().put("TOKEN", "s3cr3t-value"))
            .put("command", new JsonArray().add("run"))
            .put("size", "small")
            .put("health_check", new JsonObject().put("type", "tcp").put("port", 5432));
    AppSpec spec = open.create(body);
    JsonObject reordered = body.copy().put("env", new JsonObject().put("B", "2").put("A", "1"));
    assertThat(open.create(reordered).hash()).isEqualTo(spec.hash());
    for (JsonObject other :
        List.of(
            body.copy().put("secrets", new JsonObject().put("TOKEN", "other")),
            body.copy().put("env", new JsonObject().put("A", "1")),
            body.copy().put("args", new JsonArray().add("-v")),
            body.copy().put("size", "nano"),
            body.copy().put("image_pull_secret", "ghcr"),
            body.copy()
                .put("health_check", new JsonObject().put("type", "tcp").put("port", 5433)))) {
      assertThat(open.create(other).hash()).as(other.encode()).isNotEqualTo(spec.hash());
    }
    assertThat(spec.hash()).doesNotContain("s3cr3t");
    assertThat(spec.toString()).doesNotContain("s3cr3t-value").contains("TOKEN");
  }

  @Test
  void a_patch_names_every_field_it_cannot_take() {
    FieldErrors errors =
        open.patchShape(
            new JsonObject()
                .put("name", "other")
                .putNull("image")
                .putNull("replicas")
                .put("secrets", new JsonArray()));
    assertThat(errors.toException().data().toString())
        .contains("\"field\":\"name\"")
        .contains("\"field\":\"image\"")
        .contains("\"field\":\"replicas\"")
        .contains("\"field\":\"secrets\"");
    assertThat(errors.size()).isEqualTo(4);
    assertThat(
            open.patchShape(
                    new JsonObject()
                        .putNull("port")
                        .putNull("command")
                        .put("env", new JsonObject().putNull("A")))
                .isEmpty())
        .isTrue();
  }

  private static AppSpec spec(String name, String image, int replicas, Integer port) {
    return new AppSpec(
        name,
        image,
        replicas,
        port,
        new TreeMap<>(),
        new TreeMap<>(),
        null,
        null,
        "standard",
        null,
        null,
        true);
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
    AppRules restricted = new AppRules(List.of("ghcr.io"), SIZES);
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
