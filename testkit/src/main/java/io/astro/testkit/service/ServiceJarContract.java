package io.astro.testkit.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.astro.testkit.Eventually;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What every Astro service jar promises operators: it starts with {@code java -jar}, answers {@code
 * /health}, and {@code /ready} and {@code /metrics} on its management port only, answers malformed
 * requests with the JSON envelope and the request id, logs JSON lines, and stops cleanly on
 * SIGTERM. Each service module runs it against its own jar with a one-line subclass named {@code
 * *JarIT}, saying what its {@code /ready} must answer with the backends that subclass gives it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class ServiceJarContract {

  private static final Pattern ENVELOPE =
      Pattern.compile("^\\{\"code\":\\d+,\"message\":\"[^\"]*\",\"data\":.*}$");

  private final String service;
  private final String portVariable;
  private final Map<String, String> env;
  private final Readiness readiness;
  private ServiceProcess process;

  /**
   * What {@code /ready} answers once the service has settled: the checks named up and the checks
   * named down (a service started without some of its backends); 200 only when none is down. No
   * other check may appear.
   */
  protected record Readiness(Set<String> up, Set<String> down) {
    public static Readiness up(String... checks) {
      return new Readiness(Set.of(checks), Set.of());
    }

    public static Readiness down(String... checks) {
      return new Readiness(Set.of(), Set.of(checks));
    }

    /** These checks too, reported down. */
    public Readiness andDown(String... checks) {
      return new Readiness(up, Set.of(checks));
    }

    int status() {
      return down.isEmpty() ? 200 : 503;
    }

    Set<String> checks() {
      Set<String> all = new HashSet<>(up);
      all.addAll(down);
      return all;
    }
  }

  protected ServiceJarContract(
      String service, String portVariable, Map<String, String> env, Readiness readiness) {
    this.service = service;
    this.portVariable = portVariable;
    this.env = env;
    this.readiness = readiness;
  }

  @BeforeAll
  void start() throws Exception {
    process = ServiceProcess.start(Path.of("target", service + ".jar"), portVariable, env);
    process.awaitHealthy(Duration.ofSeconds(60));
  }

  @AfterAll
  void kill() {
    process.close();
  }

  @Test
  @Order(1)
  void health_answers_200_in_the_envelope() throws Exception {
    HttpResponse<String> response = process.get("/health");
    assertEquals(200, response.statusCode());
    assertEquals("{\"code\":0,\"message\":\"ok\",\"data\":{\"status\":\"UP\"}}", response.body());
  }

  @Test
  @Order(1)
  void ready_and_metrics_are_on_the_management_port_only() throws Exception {
    assertEquals(404, process.get("/ready").statusCode());
    assertEquals(404, process.get("/metrics").statusCode());
    assertEquals(200, process.getManagement("/health").statusCode());
    assertEquals(200, process.getManagement("/metrics").statusCode());
  }

  @Test
  @Order(2)
  void ready_reports_each_dependency_check() {
    // a check may take a moment to turn up once the process is healthy (a consumer group joining)
    HttpResponse<String> response =
        Eventually.await(
            "/ready to answer " + readiness.status(),
            Duration.ofSeconds(60),
            () -> process.getManagement("/ready"),
            r -> r.statusCode() == readiness.status());
    JsonObject envelope = new JsonObject(response.body());
    JsonObject data = envelope.getJsonObject("data");
    Map<String, String> checks =
        data.getJsonObject("checks").getMap().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    assertEquals(readiness.checks(), checks.keySet(), response.body());
    for (Map.Entry<String, String> check : checks.entrySet()) {
      boolean up = readiness.up().contains(check.getKey());
      assertTrue(
          up ? check.getValue().equals("UP") : check.getValue().startsWith("DOWN: "),
          check.getKey() + " is " + check.getValue());
    }
    if (readiness.down().isEmpty()) {
      assertEquals("UP", data.getString("status"));
      assertEquals(0, envelope.getInteger("code"), response.body());
    } else {
      assertEquals("DOWN", data.getString("status"));
      assertEquals(30005, envelope.getInteger("code"), response.body());
      assertEquals(
          Arrays.stream(envelope.getString("message").substring("not ready: ".length()).split(", "))
              .collect(Collectors.toSet()),
          readiness.down(),
          response.body());
    }
  }

  @Test
  @Order(3)
  void metrics_are_prometheus_text_tagged_with_the_service() throws Exception {
    HttpResponse<String> response = process.getManagement("/metrics");
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    assertTrue(response.body().contains("jvm_memory_used_bytes{"), "JVM metrics missing");
    assertTrue(
        response.body().contains("vertx_http_server_requests_total{"),
        "HTTP server metrics missing");
    assertTrue(response.body().contains("service=\"" + service + "\""), "service tag missing");
  }

  @Test
  @Order(4)
  void malformed_requests_get_the_envelope_with_a_4xx_and_the_request_id() throws Exception {
    HttpResponse<String> unknown =
        process.send(
            HttpRequest.newBuilder(process.uri("/no/such/route"))
                .header("X-Request-Id", "contract-1"));
    assertEquals(404, unknown.statusCode());
    assertTrue(ENVELOPE.matcher(unknown.body()).matches(), unknown.body());
    assertEquals("contract-1", unknown.headers().firstValue("X-Request-Id").orElse(null));

    HttpResponse<String> wrongMethod =
        process.send(
            HttpRequest.newBuilder(process.uri("/health"))
                .DELETE()
                .header("X-Request-Id", "contract-2"));
    assertEquals(405, wrongMethod.statusCode());
    assertTrue(ENVELOPE.matcher(wrongMethod.body()).matches(), wrongMethod.body());
    assertEquals("contract-2", wrongMethod.headers().firstValue("X-Request-Id").orElse(null));

    HttpResponse<String> tooLarge =
        process.send(
            HttpRequest.newBuilder(process.uri("/health"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2 * 1024 * 1024])));
    assertEquals(413, tooLarge.statusCode());
    assertTrue(ENVELOPE.matcher(tooLarge.body()).matches(), tooLarge.body());
    assertTrue(tooLarge.headers().firstValue("X-Request-Id").isPresent());
  }

  @Test
  @Order(5)
  void logs_are_json_lines() {
    assertTrue(
        process.outputLines().stream()
            .anyMatch(
                l -> l.startsWith("{") && l.contains("\"message\":\"" + service + " started in")),
        process.output());
    assertTrue(
        process.outputLines().stream()
            .filter(l -> !l.isBlank())
            .allMatch(l -> l.startsWith("{\"@timestamp\"")),
        "non-JSON line in:\n" + process.output());
  }

  @Test
  @Order(6)
  void sigterm_stops_it_cleanly() throws Exception {
    int exit = process.terminate(Duration.ofSeconds(35));
    // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited on the signal
    assertEquals(143, exit, process.output());
    assertTrue(
        process.output().contains("\"message\":\"" + service + " stopped\""), process.output());
  }
}
