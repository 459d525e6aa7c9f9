package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What kubectl's default validation reads: the {@code /openapi/v3} index, the group-version
 * document it points to, and there the {@code fieldValidation} parameter on the kind's writes.
 */
class OpenApiDocumentsTest {

  private final DiscoveryDocuments served = new DiscoveryDocuments("127.0.0.1:6443");

  @Test
  void every_kind_astro_writes_has_its_writes_with_field_validation() {
    record Kind(String gvPath, String collection, String group, String kind) {}
    List<Kind> kinds =
        List.of(
            new Kind("api/v1", "/api/v1/namespaces", "", "Namespace"),
            new Kind("api/v1", "/api/v1/namespaces/{namespace}/services", "", "Service"),
            new Kind("api/v1", "/api/v1/namespaces/{namespace}/pods", "", "Pod"),
            new Kind("api/v1", "/api/v1/namespaces/{namespace}/events", "", "Event"),
            new Kind("api/v1", "/api/v1/namespaces/{namespace}/secrets", "", "Secret"),
            new Kind(
                "api/v1", "/api/v1/namespaces/{namespace}/resourcequotas", "", "ResourceQuota"),
            new Kind("api/v1", "/api/v1/namespaces/{namespace}/limitranges", "", "LimitRange"),
            new Kind(
                "apis/apps/v1",
                "/apis/apps/v1/namespaces/{namespace}/deployments",
                "apps",
                "Deployment"),
            new Kind(
                "apis/networking.k8s.io/v1",
                "/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies",
                "networking.k8s.io",
                "NetworkPolicy"));
    JsonObject index = new JsonObject(served.at("/openapi/v3").orElseThrow());
    for (Kind k : kinds) {
      String url =
          index.getJsonObject("paths").getJsonObject(k.gvPath()).getString("serverRelativeURL");
      assertThat(url).startsWith("/openapi/v3/" + k.gvPath() + "?hash=");
      JsonObject document =
          new JsonObject(served.at(url.substring(0, url.indexOf('?'))).orElseThrow());
      assertThat(document.getString("openapi")).isEqualTo("3.0.0");
      JsonObject paths = document.getJsonObject("paths");
      JsonObject post = paths.getJsonObject(k.collection()).getJsonObject("post");
      JsonObject patch = paths.getJsonObject(k.collection() + "/{name}").getJsonObject("patch");
      for (JsonObject op : List.of(post, patch)) {
        assertThat(op.getJsonObject("x-kubernetes-group-version-kind"))
            .as(k.kind())
            .isEqualTo(
                new JsonObject()
                    .put("group", k.group())
                    .put("kind", k.kind())
                    .put("version", "v1"));
        assertThat(queryParameters(op.getJsonArray("parameters"))).contains("fieldValidation");
      }
      String ref =
          post.getJsonObject("requestBody")
              .getJsonObject("content")
              .getJsonObject("*/*")
              .getJsonObject("schema")
              .getString("$ref");
      String schema = ref.substring("#/components/schemas/".length());
      assertThat(document.getJsonObject("components").getJsonObject("schemas").containsKey(schema))
          .as(ref)
          .isTrue();
    }
  }

  @Test
  void the_v2_document_is_swagger_2_with_the_same_operations() {
    JsonObject v2 = new JsonObject(served.at("/openapi/v2").orElseThrow());
    assertThat(v2.getString("swagger")).isEqualTo("2.0");
    JsonObject post =
        v2.getJsonObject("paths")
            .getJsonObject("/apis/apps/v1/namespaces/{namespace}/deployments")
            .getJsonObject("post");
    assertThat(queryParameters(post.getJsonArray("parameters"))).contains("fieldValidation");
    assertThat(v2.getJsonObject("definitions").containsKey("io.k8s.api.apps.v1.Deployment"))
        .isTrue();
  }

  private static List<String> queryParameters(JsonArray parameters) {
    return parameters.stream()
        .map(JsonObject.class::cast)
        .filter(p -> "query".equals(p.getString("in")))
        .map(p -> p.getString("name"))
        .toList();
  }
}
