package io.astro.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.config.HttpSettings;
import io.astro.common.http.ApiRouter;
import io.astro.common.runtime.ApiServerVerticle;
import io.astro.common.runtime.Service;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpsRoutesTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final ApiServerVerticle[] SERVERS = new ApiServerVerticle[2];
  private static Service healthy;
  private static Service degraded;

  @BeforeAll
  static void start() {
    healthy =
        start(
            "healthy-service", List.of(ReadinessCheck.of("database", Future::succeededFuture)), 0);
    degraded =
        start(
            "degraded-service",
            List.of(
                ReadinessCheck.of("database", Future::succeededFuture),
                ReadinessCheck.of("kafka", () -> Future.failedFuture("broker unreachable")),
                // a dependency that never answers must not hang readiness
                ReadinessCheck.of("cluster", () -> Promise.<Void>promise().future())),
            1);
  }

  private static Service start(String name, List<ReadinessCheck> checks, int slot) {
    Service service = Service.create(name);
    HttpSettings settings = new HttpSettings("127.0.0.1", 0, HttpSettings.DEFAULT_BODY_LIMIT);
    SERVERS[slot] =
        new ApiServerVerticle(
            settings,
            vertx ->
                ApiRouter.management(
                    vertx, settings, OpsRoutes.create(service.registry(), checks)));
    return service.deploy(() -> SERVERS[slot], 1).await();
  }

  @AfterAll
  static void stop() {
    healthy.close().await();
    degraded.close().await();
  }

  @Test
  void health_says_the_process_is_alive_whatever_its_dependencies() throws Exception {
    HttpResponse<String> response = get(1, "/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getJsonObject("data").getString("status"))
        .isEqualTo("UP");
  }

  @Test
  void ready_is_200_when_every_dependency_answers() throws Exception {
    HttpResponse<String> response = get(0, "/ready");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(
            new JsonObject(response.body())
                .getJsonObject("data")
                .getJsonObject("checks")
                .getString("database"))
        .isEqualTo("UP");
  }

  @Test
  void ready_is_503_naming_each_failed_dependency() throws Exception {
    HttpResponse<String> response = get(1, "/ready");

    assertThat(response.statusCode()).isEqualTo(503);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getInteger("code")).isEqualTo(30005);
    assertThat(body.getString("message")).isEqualTo("not ready: kafka, cluster");
    JsonObject checks = body.getJsonObject("data").getJsonObject("checks");
    assertThat(checks.getString("database")).isEqualTo("UP");
    assertThat(checks.getString("kafka")).isEqualTo("DOWN: broker unreachable");
    assertThat(checks.getString("cluster")).startsWith("DOWN: no answer within");
  }

  @Test
  void metrics_are_prometheus_text_with_http_server_and_jvm_series_tagged_by_service()
      throws Exception {
    get(0, "/health");

    HttpResponse<String> response = get(0, "/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(response.body())
        .contains("# TYPE vertx_http_server_requests_total counter")
        .contains("jvm_memory_used_bytes")
        .contains("process_uptime_seconds")
        .contains("service=\"healthy-service\"")
        .doesNotContain("service=\"degraded-service\"");
  }

  private static HttpResponse<String> get(int slot, String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SERVERS[slot].actualPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
