package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.events.app.AppStatus;
import io.astro.common.events.cluster.ClusterStatus;
import io.astro.gateway.ApiDocument;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checker the end-to-end suites run every answer through refuses what the document does not
 * allow.
 */
class ApiContractTest {

  private static final String JSON = "application/json; charset=utf-8";
  private static final String ID = "0b7d2f9e-3c1a-4f6b-9d2e-8a7c6b5d4e3f";
  private final ApiContract contract = ApiContract.get();

  @Test
  void the_documented_statuses_are_the_code_s() {
    JsonObject schemas =
        ApiDocument.load().toJsonObject().getJsonObject("components").getJsonObject("schemas");

    // an app that is gone is no longer listed or shown, so REST never answers `deleted`
    assertThat(values(schemas, "AppStatus"))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(AppStatus.values())
                .filter(s -> s != AppStatus.DELETED)
                .map(AppStatus::value)
                .toList());
    assertThat(values(schemas, "ClusterStatus"))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(ClusterStatus.values()).map(ClusterStatus::value).toList());
  }

  private static List<String> values(JsonObject schemas, String name) {
    return schemas.getJsonObject(name).getJsonArray("enum").stream()
        .map(String.class::cast)
        .toList();
  }

  @Test
  void a_documented_answer_passes() {
    assertThatCode(
            () -> contract.check("GET", "/api/v1/apps/" + ID + "?x=1", 200, JSON, ok(detail())))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                contract.check(
                    "POST",
                    "/api/v1/apps",
                    400,
                    JSON,
                    error(
                        10001,
                        new JsonObject().put("fields", new JsonArray().add(field("replica"))))))
        .doesNotThrowAnyException();
    assertThatCode(
            () -> contract.check("GET", "/api/v1/apps/" + ID + "/logs", 200, "text/plain", ""))
        .doesNotThrowAnyException();
    assertThatCode(() -> contract.check("GET", "/api/v1/nothing", 404, JSON, error(10004, null)))
        .doesNotThrowAnyException();
  }

  @Test
  void a_secret_value_in_an_answer_breaks_the_schema() {
    JsonObject leaked = detail().put("secrets", new JsonObject().put("DB_PASSWORD", "hunter2"));

    assertThatThrownBy(() -> contract.check("GET", "/api/v1/apps/" + ID, 200, JSON, ok(leaked)))
        .hasMessageContaining("secrets");
  }

  @Test
  void a_body_that_breaks_its_schema_fails() {
    JsonObject missing = detail();
    missing.remove("status");
    JsonObject extra = detail().put("volumes", new JsonArray());

    assertThatThrownBy(() -> contract.check("GET", "/api/v1/apps/" + ID, 200, JSON, ok(missing)))
        .hasMessageContaining("status");
    assertThatThrownBy(() -> contract.check("GET", "/api/v1/apps/" + ID, 200, JSON, ok(extra)))
        .hasMessageContaining("volumes");
    assertThatThrownBy(
            () -> contract.check("GET", "/api/v1/apps/" + ID, 404, JSON, error(10004, null)))
        .hasMessageContaining("21001");
  }

  @Test
  void an_undocumented_status_media_type_or_route_fails() {
    assertThatThrownBy(
            () -> contract.check("GET", "/api/v1/apps/" + ID, 418, JSON, error(10001, null)))
        .hasMessageContaining("not documented");
    assertThatThrownBy(
            () -> contract.check("GET", "/api/v1/apps/" + ID + "/logs", 200, "text/html", ""))
        .hasMessageContaining("text/html");
    assertThatThrownBy(() -> contract.check("GET", "/api/v1/secret", 200, JSON, ok(null)))
        .hasMessageContaining("does not name");
  }

  private static String ok(Object data) {
    return new JsonObject().put("code", 0).put("message", "ok").put("data", data).encode();
  }

  private static String error(int code, Object data) {
    return new JsonObject().put("code", code).put("message", "refused").put("data", data).encode();
  }

  private static JsonObject field(String name) {
    return new JsonObject().put("field", name).put("reason", "is not a field of this request");
  }

  private static JsonObject detail() {
    return new JsonObject()
        .put("id", ID)
        .put("name", "web")
        .put("image", "nginx:1.27")
        .put("replicas", 2)
        .put("port", 80)
        .put("public", true)
        .put("url", "https://web-u7.apps.example.com")
        .put("domains", new JsonArray().add("www.example.org"))
        .put(
            "certificates",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("host", "web-u7.apps.example.com")
                        .put("certificate", "issued")
                        .putNull("certificate_reason")
                        .put(
                            "certificate_message",
                            "the certificate is issued; the host answers on https")))
        .put("stopped", false)
        .put("suspended", false)
        .put("status", "running")
        .put("generation", 1)
        .put("cluster", "sandbox")
        .putNull("placement")
        .put("namespace", "astro-user-7")
        .put("k8s_name", "web-u7")
        .putNull("restarted_at")
        .put("desired_replicas", 2)
        .put("ready_replicas", 2)
        .put(
            "pods",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", "web-u7-abc")
                        .put("phase", "Running")
                        .put("ready", true)
                        .put("restarts", 0)
                        .put("node", "node-1")))
        .putNull("reason")
        .putNull("message")
        .put("observed_generation", 1)
        .put("observed_at", "2026-01-02T03:04:05Z")
        .put("release", 2)
        .put("observed_release", 1)
        .put(
            "warnings",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("reason", "BackOff")
                        .put("message", "Back-off restarting failed container")
                        .put("count", 3)
                        .put("last_seen", "2026-01-02T03:04:05Z")))
        .put("env", new JsonObject().put("LOG_LEVEL", "info"))
        .put("secrets", new JsonObject().put("DB_PASSWORD", "******"))
        .putNull("command")
        .put("args", new JsonArray().add("--verbose"))
        .put("size", "small")
        .put(
            "health_check",
            new JsonObject()
                .put("type", "http")
                .put("path", "/healthz")
                .put("port", 80)
                .put("initial_delay_seconds", 0)
                .put("period_seconds", 10)
                .put("timeout_seconds", 1)
                .put("failure_threshold", 3))
        .putNull("image_pull_secret")
        .put("created_at", "2026-01-02T03:04:05Z")
        .put("updated_at", "2026-01-02T03:04:05Z")
        .put("stale", false)
        .put("cluster_status", "healthy");
  }
}
