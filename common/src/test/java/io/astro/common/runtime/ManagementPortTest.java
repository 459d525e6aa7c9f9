package io.astro.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.config.HttpSettings;
import io.astro.common.ops.ReadinessCheck;
import io.vertx.core.Future;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A served service answers {@code /health} on both ports, its own routes on the public one only,
 * and {@code /ready} and {@code /metrics} on the management port only: readiness failures name
 * internal hosts and metrics describe the service, neither is for the public.
 */
class ManagementPortTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static Service service;

  @BeforeAll
  static void start() {
    service = Service.create("managed-service");
    service
        .serve(
            new HttpSettings("127.0.0.1", 0, HttpSettings.DEFAULT_BODY_LIMIT),
            List.of(
                ReadinessCheck.of(
                    "database", () -> Future.failedFuture("db.internal:3306 refused"))),
            router -> router.get("/api/v1/ping").handler(ctx -> ctx.end("pong")))
        .await();
  }

  @AfterAll
  static void stop() {
    service.close().await();
  }

  @Test
  void ready_and_metrics_answer_404_on_the_public_port_and_on_the_management_port_only() {
    assertThat(service.managementPort()).isPositive().isNotEqualTo(service.httpPort());

    assertThat(get(service.httpPort(), "/ready").statusCode()).isEqualTo(404);
    assertThat(get(service.httpPort(), "/metrics").statusCode()).isEqualTo(404);
    assertThat(get(service.httpPort(), "/ready").body()).doesNotContain("db.internal");
    assertThat(get(service.httpPort(), "/health").statusCode()).isEqualTo(200);
    assertThat(get(service.httpPort(), "/api/v1/ping").body()).isEqualTo("pong");

    HttpResponse<String> ready = get(service.managementPort(), "/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("db.internal:3306 refused");
    HttpResponse<String> metrics = get(service.managementPort(), "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("service=\"managed-service\"");
    assertThat(get(service.managementPort(), "/health").statusCode()).isEqualTo(200);
    assertThat(get(service.managementPort(), "/api/v1/ping").statusCode()).isEqualTo(404);
  }

  private static HttpResponse<String> get(int port, String path) {
    try {
      return CLIENT.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
