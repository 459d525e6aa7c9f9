package io.astro.app.logs;

import static io.astro.app.RunningAppService.code;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /api/v1/apps/{id}/logs, read through a stand-in for the sync-worker's internal endpoint. */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class AppLogsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "app-logs-test-internal-token";
  private static final AtomicLong USERS = new AtomicLong(700);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static TestDatabase database;
  private static KafkaBroker kafka;
  private static Map<String, String> env;
  private static FakeSyncWorker worker;
  private static RunningAppService app;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    database = db;
    kafka = broker;
    String commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    String status = KafkaBroker.uniqueTopicName("astro.app.status");
    broker.createCompactedTopic(commands, 1);
    broker.createTopic(status, 1);
    broker.createTopic(status + ".dlq", 1);
    worker = FakeSyncWorker.start(TOKEN, 0);
    env =
        Map.of(
            "ASTRO_APP_COMMANDS_TOPIC",
            commands,
            "ASTRO_APP_STATUS_TOPIC",
            status,
            "ASTRO_APP_STATUS_GROUP",
            status + "-group",
            "ASTRO_DEFAULT_CLUSTER",
            "eu-1",
            "ASTRO_INTERNAL_TOKEN",
            TOKEN,
            "ASTRO_SYNC_WORKER_URL",
            "http://127.0.0.1:" + worker.port());
    app = RunningAppService.start(db, broker.bootstrapServers(), env);
  }

  @AfterAll
  static void stop() {
    app.close();
    worker.close();
  }

  @Test
  void logs_are_the_sync_workers_lines_for_the_apps_cluster_namespace_and_deployment() {
    long user = USERS.incrementAndGet();
    String token = app.token(user);
    String id = app.create(token, "web", "nginx", 2).getString("id");

    HttpResponse<String> response =
        app.send(
            "GET",
            "/api/v1/apps/" + id + "/logs?lines=50&container=web",
            null,
            token,
            Map.of("X-Request-Id", "logs-req-1"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(response.body()).isEqualTo(FakeSyncWorker.body(KubeNames.objectName("web", user)));
    FakeSyncWorker.Seen seen = last();
    assertThat(seen.path())
        .isEqualTo(
            "/internal/v1/clusters/eu-1/namespaces/"
                + KubeNames.namespace(user)
                + "/deployments/"
                + KubeNames.objectName("web", user)
                + "/logs");
    assertThat(seen.query()).isEqualTo("lines=50&container=web");
    assertThat(seen.authorization()).isEqualTo("Bearer " + TOKEN);
    assertThat(seen.requestId()).isEqualTo("logs-req-1");
  }

  @Test
  void asked_for_json_the_lines_come_as_pod_container_line_and_as_one_text() {
    long user = USERS.incrementAndGet();
    String token = app.token(user);
    String id = app.create(token, "jsonlogs", "nginx", 2).getString("id");
    String deployment = KubeNames.objectName("jsonlogs", user);

    HttpResponse<String> response =
        app.send(
            "GET",
            "/api/v1/apps/" + id + "/logs?lines=20",
            null,
            token,
            Map.of("Accept", "application/json"));
    HttpResponse<String> other =
        app.send(
            "GET",
            "/api/v1/apps/" + id + "/logs?container=sidecar",
            null,
            token,
            Map.of("Accept", "application/json"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/json");
    JsonObject data = new JsonObject(response.body()).getJsonObject("data");
    assertThat(data.getString("logs")).isEqualTo(FakeSyncWorker.body(deployment));
    assertThat(data.getJsonArray("lines"))
        .containsExactly(
            new JsonObject()
                .put("pod", deployment + "-abc12-x1")
                .put("container", "app")
                .put("line", "line one"),
            new JsonObject()
                .put("pod", deployment + "-abc12-x2")
                .put("container", "app")
                .put("line", "line two"));
    assertThat(
            new JsonObject(other.body())
                .getJsonObject("data")
                .getJsonArray("lines")
                .getJsonObject(0)
                .getString("container"))
        .isEqualTo("sidecar");
    assertThat(last().accept()).startsWith("text/plain");
  }

  @Test
  void lines_default_to_100_and_previous_is_passed_on() {
    String token = app.token(USERS.incrementAndGet());
    String id = app.create(token, "api", "nginx", 1).getString("id");

    assertThat(app.get("/api/v1/apps/" + id + "/logs", token).statusCode()).isEqualTo(200);
    assertThat(last().query()).isEqualTo("lines=100");
    assertThat(app.get("/api/v1/apps/" + id + "/logs?previous=true", token).statusCode())
        .isEqualTo(200);
    assertThat(last().query()).isEqualTo("lines=100&previous=true");
  }

  @Test
  void another_users_app_answers_404_without_asking_the_sync_worker() {
    String id = app.create(app.token(USERS.incrementAndGet()), "mine", "nginx", 1).getString("id");
    int before = worker.seen().size();

    HttpResponse<String> response =
        app.get("/api/v1/apps/" + id + "/logs", app.token(USERS.incrementAndGet()));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(code(response)).isEqualTo(21001);
    assertThat(app.get("/api/v1/apps/not-a-uuid/logs", app.token(USERS.get())).statusCode())
        .isEqualTo(404);
    assertThat(worker.seen()).hasSize(before);
  }

  @Test
  void bad_parameters_answer_400_naming_the_field() {
    String token = app.token(USERS.incrementAndGet());
    String id = app.create(token, "web", "nginx", 1).getString("id");
    int before = worker.seen().size();
    Map<String, String> cases =
        Map.of(
            "lines=0",
            "lines",
            "lines=5001",
            "lines",
            "lines=many",
            "lines",
            "container=Web_1",
            "container",
            "follow=yes",
            "follow",
            "previous=true&follow=true",
            "follow");
    cases.forEach(
        (query, field) -> {
          HttpResponse<String> response = app.get("/api/v1/apps/" + id + "/logs?" + query, token);
          assertThat(response.statusCode()).as(query).isEqualTo(400);
          assertThat(code(response)).isEqualTo(10001);
          assertThat(
                  new JsonObject(response.body())
                      .getJsonObject("data")
                      .getJsonArray("fields")
                      .getJsonObject(0)
                      .getString("field"))
              .as(query)
              .isEqualTo(field);
        });
    assertThat(worker.seen()).hasSize(before);
  }

  @Test
  void an_app_whose_deployment_does_not_exist_yet_has_no_lines() {
    String token = app.token(USERS.incrementAndGet());
    String id = app.create(token, "missing-web", "nginx", 1).getString("id");

    HttpResponse<String> response = app.get("/api/v1/apps/" + id + "/logs", token);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void
      follow_streams_server_sent_events_through_and_hangs_up_on_the_sync_worker_when_the_caller_goes()
          throws Exception {
    long user = USERS.incrementAndGet();
    String token = app.token(user);
    String id = app.create(token, "web", "nginx", 1).getString("id");
    int hungUpBefore = worker.hungUp();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(app.baseUrl() + "/api/v1/apps/" + id + "/logs?follow=true&lines=10"))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "text/event-stream")
            .build();

    HttpResponse<InputStream> response =
        HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    try (InputStream body = response.body()) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("text/event-stream; charset=utf-8");
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
      assertThat(lines.readLine()).isEqualTo("data: [web-u" + user + "-abc12-x1] live");
      assertThat(last().query()).isEqualTo("lines=10&follow=true");
      assertThat(last().accept()).isEqualTo("text/event-stream");
    }

    await("the sync-worker's stream hung up", () -> worker.hungUp() > hungUpBefore);
  }

  @Test
  void a_stopped_sync_worker_answers_503_and_opens_the_breaker() {
    int port;
    try (FakeSyncWorker gone = FakeSyncWorker.start(TOKEN, 0)) {
      port = gone.port();
    }
    Map<String, String> down = new HashMap<>(env);
    down.put("ASTRO_SYNC_WORKER_URL", "http://127.0.0.1:" + port);
    down.put("ASTRO_SYNC_WORKER_BREAKER_OPEN_FOR", "10m");
    try (RunningAppService instance =
        RunningAppService.start(database, kafka.bootstrapServers(), down)) {
      String token = instance.token(USERS.incrementAndGet());
      String id = instance.create(token, "web", "nginx", 1).getString("id");
      // the breaker opens after 10 calls of which half failed
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> response = instance.get("/api/v1/apps/" + id + "/logs", token);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(code(response)).isEqualTo(30005);
      }
      try (FakeSyncWorker back = FakeSyncWorker.start(TOKEN, port)) {
        HttpResponse<String> open = instance.get("/api/v1/apps/" + id + "/logs", token);
        assertThat(open.statusCode()).isEqualTo(503);
        assertThat(code(open)).isEqualTo(30005);
        assertThat(back.seen()).as("an open breaker answers without calling").isEmpty();
      }
    }
  }

  @Test
  void without_an_internal_token_logs_answer_503() {
    Map<String, String> unset = new HashMap<>(env);
    unset.remove("ASTRO_INTERNAL_TOKEN");
    try (RunningAppService instance =
        RunningAppService.start(database, kafka.bootstrapServers(), unset)) {
      String token = instance.token(USERS.incrementAndGet());
      String id = instance.create(token, "web", "nginx", 1).getString("id");
      int before = worker.seen().size();

      HttpResponse<String> response = instance.get("/api/v1/apps/" + id + "/logs", token);

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(code(response)).isEqualTo(30005);
      assertThat(worker.seen()).hasSize(before);
    }
  }

  private static FakeSyncWorker.Seen last() {
    List<FakeSyncWorker.Seen> seen = worker.seen();
    assertThat(seen).isNotEmpty();
    return seen.get(seen.size() - 1);
  }

  private static void await(String what, BooleanSupplier done) {
    Eventually.until(what, WAIT, done);
  }
}
