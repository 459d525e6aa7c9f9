package io.astro.app.apps;

import static io.astro.app.RunningAppService.code;
import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The apps API over HTTP on a real MariaDB and Kafka, and the commands it puts on the topic. */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class AppApiTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String IMAGE = "ghcr.io/acme/web:1.4.2";
  private static final AtomicLong USERS = new AtomicLong(100);

  private static RunningAppService app;
  private static KafkaBroker kafka;
  private static String commands;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    kafka = broker;
    commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    String status = KafkaBroker.uniqueTopicName("astro.app.status");
    broker.createCompactedTopic(commands, 3);
    broker.createTopic(status, 3);
    broker.createTopic(status + ".dlq", 1);
    app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of(
                "ASTRO_APP_COMMANDS_TOPIC",
                commands,
                "ASTRO_APP_STATUS_TOPIC",
                status,
                "ASTRO_APP_STATUS_GROUP",
                status + "-group",
                "ASTRO_IMAGE_ALLOWLIST",
                "docker.io, ghcr.io/acme, registry.example.com:5000",
                "ASTRO_MAX_APPS_PER_USER",
                "5",
                "ASTRO_DEFAULT_CLUSTER",
                "eu-1"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void create_answers_201_with_a_pending_app_and_publishes_its_create_command() {
    long user = USERS.incrementAndGet();
    HttpResponse<String> response =
        app.send(
            "POST",
            "/api/v1/apps",
            new JsonObject()
                .put("name", "web")
                .put("image", IMAGE)
                .put("replicas", 2)
                .put("port", 8080),
            app.token(user),
            Map.of("X-Request-Id", "create-req-1"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    JsonObject created = data(response);
    assertThat(created.getString("status")).isEqualTo("pending");
    assertThat(created.getString("namespace")).isEqualTo(KubeNames.namespace(user));
    assertThat(created.getString("k8s_name")).isEqualTo(KubeNames.objectName("web", user));
    assertThat(created.getString("cluster")).isEqualTo("eu-1");
    assertThat(created.getLong("generation")).isEqualTo(1);
    assertThat(created.getInteger("port")).isEqualTo(8080);

    ReceivedRecord record = awaitCommands(created.getString("id"), 1).get(0);
    EventSchemas.assertValid("io.astro.app.command.v2", record.value());
    assertThat(record.header("x-request-id")).isEqualTo("create-req-1");
    JsonObject event = new JsonObject(record.value());
    assertThat(event.getString("type")).isEqualTo("io.astro.app.command.v2");
    assertThat(event.getString("subject")).isEqualTo(created.getString("id"));
    JsonObject command = event.getJsonObject("data");
    assertThat(command.getString("command")).isEqualTo("create");
    assertThat(command.getLong("userId")).isEqualTo(user);
    assertThat(command.getString("k8sName")).isEqualTo("web-u" + user);
    assertThat(command.getString("cluster")).isEqualTo("eu-1");
    assertThat(command.getLong("generation")).isEqualTo(1);
    assertThat(command.getJsonObject("desired"))
        .isEqualTo(
            new JsonObject()
                .put("image", IMAGE)
                .put("replicas", 2)
                .put("port", 8080)
                .put("stopped", false)
                .putNull("restartedAt")
                .put("deleted", false)
                .put(
                    "release",
                    new JsonObject()
                        .put("number", 1)
                        .put("env", new JsonObject())
                        .put("secretNames", new JsonArray())
                        .putNull("secrets")
                        .putNull("command")
                        .putNull("args")
                        .put(
                            "resources",
                            new JsonObject()
                                .put("size", "standard")
                                .put("cpuRequest", "100m")
                                .put("cpuLimit", "500m")
                                .put("memoryRequest", "128Mi")
                                .put("memoryLimit", "512Mi"))
                        .putNull("healthCheck")
                        .putNull("imagePullSecret"))
                .put("public", true)
                .put("domains", new JsonArray()));
    assertThat(created.getLong("release")).isEqualTo(1);
    assertThat(created.getLong("observed_release")).isZero();
    assertThat(created.getString("size")).isEqualTo("standard");
    assertThat(created.getJsonObject("env")).isEmpty();
    assertThat(created.getJsonObject("secrets")).isEmpty();
  }

  @Test
  void every_validation_rule_answers_400_naming_the_field() {
    String token = app.token(USERS.incrementAndGet());
    record Case(JsonObject body, String field) {}
    List<Case> cases =
        List.of(
            new Case(new JsonObject().put("image", IMAGE), "name"),
            new Case(new JsonObject().put("name", "Web").put("image", IMAGE), "name"),
            new Case(new JsonObject().put("name", "-web").put("image", IMAGE), "name"),
            new Case(new JsonObject().put("name", "web_1").put("image", IMAGE), "name"),
            new Case(new JsonObject().put("name", "a".repeat(41)).put("image", IMAGE), "name"),
            new Case(new JsonObject().put("name", 7).put("image", IMAGE), "name"),
            new Case(new JsonObject().put("name", "web"), "image"),
            new Case(new JsonObject().put("name", "web").put("image", "Not An Image"), "image"),
            new Case(new JsonObject().put("name", "web").put("image", "nginx:"), "image"),
            new Case(
                new JsonObject().put("name", "web").put("image", "quay.io/acme/web:1"), "image"),
            new Case(
                new JsonObject().put("name", "web").put("image", "ghcr.io/other/web:1"), "image"),
            new Case(
                new JsonObject().put("name", "web").put("image", IMAGE).put("replicas", -1),
                "replicas"),
            new Case(
                new JsonObject().put("name", "web").put("image", IMAGE).put("replicas", 11),
                "replicas"),
            new Case(
                new JsonObject().put("name", "web").put("image", IMAGE).put("replicas", "3"),
                "replicas"),
            new Case(
                new JsonObject().put("name", "web").put("image", IMAGE).put("replicas", 1.5),
                "replicas"),
            new Case(
                new JsonObject().put("name", "web").put("image", IMAGE).put("port", 0), "port"),
            new Case(
                new JsonObject().put("name", "web").put("image", IMAGE).put("port", 65536),
                "port"));
    for (Case c : cases) {
      HttpResponse<String> response = app.post("/api/v1/apps", c.body(), token);
      assertThat(response.statusCode()).as(c.body().encode()).isEqualTo(400);
      assertThat(code(response)).isEqualTo(10001);
      assertThat(fields(response)).as(c.body().encode()).containsExactly(c.field());
    }
    HttpResponse<String> all =
        app.post(
            "/api/v1/apps",
            new JsonObject().put("name", "").put("image", "").put("replicas", 99).put("port", -1),
            token);
    assertThat(fields(all)).containsExactly("name", "image", "replicas", "port");
    assertThat(app.get("/api/v1/apps", token).body()).contains("\"total\":0");
  }

  @Test
  void unknown_body_fields_answer_400_naming_them_and_change_nothing() {
    String token = app.token(USERS.incrementAndGet());
    JsonObject web = new JsonObject().put("name", "web").put("image", IMAGE);

    HttpResponse<String> typo = app.post("/api/v1/apps", web.copy().put("replica", 3), token);
    HttpResponse<String> volumes =
        app.post("/api/v1/apps", web.copy().put("volumes", new JsonArray().add("/data")), token);

    for (HttpResponse<String> refused : List.of(typo, volumes)) {
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
      assertThat(code(refused)).isEqualTo(10001);
    }
    assertThat(fields(typo)).containsExactly("replica");
    assertThat(new JsonObject(typo.body()).getString("message")).contains("replica");
    assertThat(fields(volumes)).containsExactly("volumes");
    assertThat(app.get("/api/v1/apps", token).body()).contains("\"total\":0");

    String id = app.create(token, "scaled", IMAGE, 2).getString("id");
    HttpResponse<String> scale =
        app.post("/api/v1/apps/" + id + "/scale", new JsonObject().put("replica", 3), token);
    assertThat(scale.statusCode()).isEqualTo(400);
    assertThat(fields(scale)).containsExactly("replica", "replicas");
    assertThat(data(app.get("/api/v1/apps/" + id, token)).getInteger("replicas")).isEqualTo(2);
  }

  @Test
  void accepted_images_include_hub_shorthand_digests_and_registry_ports() {
    String token = app.token(USERS.incrementAndGet());
    app.create(token, "a", "nginx", 1);
    app.create(token, "b", "library/redis:7.2", 0);
    app.create(token, "c", "registry.example.com:5000/team/api@sha256:" + "a".repeat(64), 10);
    HttpResponse<String> noReplicas =
        app.post(
            "/api/v1/apps", new JsonObject().put("name", "d").put("image", "nginx:1.27"), token);
    assertThat(noReplicas.statusCode()).isEqualTo(201);
    assertThat(data(noReplicas).getInteger("replicas")).isEqualTo(1);
    assertThat(data(noReplicas).getValue("port")).isNull();
  }

  @Test
  void a_live_name_is_taken_and_the_quota_is_enforced() {
    long user = USERS.incrementAndGet();
    String token = app.token(user);
    app.create(token, "api", IMAGE, 1);

    HttpResponse<String> same =
        app.post("/api/v1/apps", new JsonObject().put("name", "api").put("image", IMAGE), token);
    assertThat(same.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(same.body()))
        .isEqualTo(
            new JsonObject()
                .put("code", 21002)
                .put("message", "you already have an app named api")
                .put("data", new JsonObject().put("field", "name")));
    // another user may use the name
    app.create(app.token(USERS.incrementAndGet()), "api", IMAGE, 1);

    IntStream.range(1, 5).forEach(i -> app.create(token, "app-" + i, IMAGE, 1));
    HttpResponse<String> sixth =
        app.post("/api/v1/apps", new JsonObject().put("name", "six").put("image", IMAGE), token);
    assertThat(sixth.statusCode()).isEqualTo(422);
    assertThat(new JsonObject(sixth.body()))
        .isEqualTo(
            new JsonObject()
                .put("code", 21004)
                .put("message", "you already have 5 apps, the most allowed; delete one first")
                .put("data", new JsonObject().put("max_apps", 5)));
  }

  @Test
  void idempotency_keys_replay_the_answer_and_refuse_a_different_body() {
    String token = app.token(USERS.incrementAndGet());
    JsonObject body = new JsonObject().put("name", "once").put("image", IMAGE).put("replicas", 1);
    Map<String, String> key = Map.of("Idempotency-Key", "key-123");

    HttpResponse<String> first = app.send("POST", "/api/v1/apps", body, token, key);
    // same request, keys in another order
    HttpResponse<String> again =
        app.send(
            "POST",
            "/api/v1/apps",
            new JsonObject().put("replicas", 1).put("image", IMAGE).put("name", "once"),
            token,
            key);
    HttpResponse<String> other =
        app.send("POST", "/api/v1/apps", body.copy().put("replicas", 2), token, key);
    HttpResponse<String> badKey =
        app.send("POST", "/api/v1/apps", body, token, Map.of("Idempotency-Key", "no spaces"));

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(data(again)).isEqualTo(data(first));
    assertThat(other.statusCode()).isEqualTo(422);
    assertThat(other.body())
        .isEqualTo(
            "{\"code\":10011,\"message\":\"Idempotency-Key was already used with a different"
                + " request\",\"data\":null}");
    assertThat(badKey.statusCode()).isEqualTo(400);
    assertThat(data(app.get("/api/v1/apps", token)).getLong("total")).isEqualTo(1);
    assertThat(awaitCommands(data(first).getString("id"), 1)).hasSize(1);
    // the key belongs to its user: another user's same key is a new request
    HttpResponse<String> otherUser =
        app.send("POST", "/api/v1/apps", body, app.token(USERS.incrementAndGet()), key);
    assertThat(otherUser.statusCode()).isEqualTo(201);
    assertThat(data(otherUser).getString("id")).isNotEqualTo(data(first).getString("id"));
  }

  @Test
  void list_pages_newest_first_and_filters_by_status_and_search() {
    String token = app.token(USERS.incrementAndGet());
    for (String name : List.of("alpha", "beta", "gamma", "alpha-two", "delta")) {
      app.create(token, name, IMAGE, 1);
    }
    String deleting =
        data(app.get("/api/v1/apps?search=beta", token))
            .getJsonArray("items")
            .getJsonObject(0)
            .getString("id");
    assertThat(app.send("DELETE", "/api/v1/apps/" + deleting, null, token, Map.of()).statusCode())
        .isEqualTo(202);

    JsonObject first = data(app.get("/api/v1/apps?page=1&limit=2", token));
    JsonObject third = data(app.get("/api/v1/apps?page=3&limit=2", token));
    assertThat(first.getLong("total")).isEqualTo(5);
    assertThat(first.getInteger("page")).isEqualTo(1);
    assertThat(first.getInteger("limit")).isEqualTo(2);
    assertThat(names(first)).containsExactly("delta", "alpha-two");
    assertThat(names(third)).containsExactly("alpha");
    JsonObject pastTheEnd = data(app.get("/api/v1/apps?page=9&limit=2", token));
    assertThat(names(pastTheEnd)).isEmpty();
    assertThat(pastTheEnd.getLong("total")).isEqualTo(5);
    JsonObject filteredSecond = data(app.get("/api/v1/apps?page=2&limit=2&search=l", token));
    assertThat(names(filteredSecond)).containsExactly("alpha");
    assertThat(filteredSecond.getLong("total")).isEqualTo(3);
    assertThat(names(data(app.get("/api/v1/apps?search=alpha", token))))
        .containsExactly("alpha-two", "alpha");
    assertThat(names(data(app.get("/api/v1/apps?search=%25", token)))).isEmpty();
    assertThat(names(data(app.get("/api/v1/apps?status=deleting", token)))).containsExactly("beta");
    assertThat(data(app.get("/api/v1/apps?status=pending", token)).getLong("total")).isEqualTo(4);
    assertThat(data(app.get("/api/v1/apps", token)).getInteger("limit")).isEqualTo(20);

    for (String bad : List.of("limit=101", "limit=0", "page=0", "page=x", "status=sleeping")) {
      HttpResponse<String> response = app.get("/api/v1/apps?" + bad, token);
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      assertThat(code(response)).isEqualTo(10001);
    }
  }

  @Test
  void operations_change_desired_state_bump_the_generation_and_publish_each_change_once_in_order() {
    String token = app.token(USERS.incrementAndGet());
    String id = app.create(token, "ops", IMAGE, 2).getString("id");

    JsonObject stopped = accepted(app.post("/api/v1/apps/" + id + "/stop", null, token));
    JsonObject stoppedAgain = accepted(app.post("/api/v1/apps/" + id + "/stop", null, token));
    JsonObject started = accepted(app.post("/api/v1/apps/" + id + "/start", null, token));
    JsonObject startedAgain = accepted(app.post("/api/v1/apps/" + id + "/start", null, token));
    JsonObject scaled =
        accepted(
            app.post("/api/v1/apps/" + id + "/scale", new JsonObject().put("replicas", 5), token));
    JsonObject scaledSame =
        accepted(
            app.post("/api/v1/apps/" + id + "/scale", new JsonObject().put("replicas", 5), token));
    JsonObject restarted = accepted(app.post("/api/v1/apps/" + id + "/restart", null, token));
    JsonObject deleting = accepted(app.send("DELETE", "/api/v1/apps/" + id, null, token, Map.of()));
    JsonObject deletingAgain =
        accepted(app.send("DELETE", "/api/v1/apps/" + id, null, token, Map.of()));

    assertThat(stopped.getBoolean("stopped")).isTrue();
    assertThat(stopped.getLong("generation")).isEqualTo(2);
    assertThat(stoppedAgain.getLong("generation")).isEqualTo(2);
    assertThat(started.getBoolean("stopped")).isFalse();
    assertThat(started.getLong("generation")).isEqualTo(3);
    assertThat(startedAgain.getLong("generation")).isEqualTo(3);
    assertThat(scaled.getInteger("replicas")).isEqualTo(5);
    assertThat(scaled.getLong("generation")).isEqualTo(4);
    assertThat(scaledSame.getLong("generation")).isEqualTo(4);
    assertThat(restarted.getString("restarted_at")).isNotNull();
    assertThat(restarted.getLong("generation")).isEqualTo(5);
    assertThat(deleting.getString("status")).isEqualTo("deleting");
    assertThat(deleting.getLong("generation")).isEqualTo(6);
    assertThat(deletingAgain.getLong("generation")).isEqualTo(6);

    HttpResponse<String> afterDelete = app.post("/api/v1/apps/" + id + "/start", null, token);
    assertThat(afterDelete.statusCode()).isEqualTo(409);
    assertThat(afterDelete.body())
        .isEqualTo("{\"code\":10010,\"message\":\"app is being deleted\",\"data\":null}");
    HttpResponse<String> badScale =
        app.post("/api/v1/apps/" + id + "/scale", new JsonObject().put("replicas", 11), token);
    assertThat(badScale.statusCode()).isEqualTo(400);
    assertThat(fields(badScale)).containsExactly("replicas");

    List<JsonObject> published =
        awaitCommands(id, 6).stream()
            .map(
                r -> {
                  EventSchemas.assertValid("io.astro.app.command.v2", r.value());
                  return new JsonObject(r.value()).getJsonObject("data");
                })
            .toList();
    assertThat(published)
        .extracting(c -> c.getString("command"))
        .containsExactly("create", "stop", "start", "scale", "restart", "delete");
    assertThat(published)
        .extracting(c -> c.getLong("generation"))
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    JsonObject last = published.get(5).getJsonObject("desired");
    assertThat(last.getInteger("replicas")).isEqualTo(5);
    assertThat(last.getBoolean("stopped")).isFalse();
    assertThat(last.getBoolean("deleted")).isTrue();
    assertThat(last.getString("restartedAt")).isEqualTo(restarted.getString("restarted_at"));
    assertThat(published.get(1).getJsonObject("desired").getBoolean("stopped")).isTrue();

    JsonObject history = data(app.get("/api/v1/apps/" + id + "/events", token));
    assertThat(history.getLong("total")).isEqualTo(6);
    assertThat(
            history.getJsonArray("items").stream().map(e -> ((JsonObject) e).getString("command")))
        .containsExactly("delete", "restart", "scale", "start", "stop", "create");
  }

  @Test
  void another_users_app_and_a_missing_app_answer_the_same_404_on_every_route() {
    String owner = app.token(USERS.incrementAndGet());
    String stranger = app.token(USERS.incrementAndGet());
    String id = app.create(owner, "private", IMAGE, 1).getString("id");
    String missing = "00000000-0000-4000-8000-000000000000";

    for (String target : List.of(id, missing, "not-a-uuid")) {
      List<HttpResponse<String>> answers =
          List.of(
              app.get("/api/v1/apps/" + target, stranger),
              app.get("/api/v1/apps/" + target + "/events", stranger),
              app.post("/api/v1/apps/" + target + "/start", null, stranger),
              app.post("/api/v1/apps/" + target + "/stop", null, stranger),
              app.post("/api/v1/apps/" + target + "/restart", null, stranger),
              app.post(
                  "/api/v1/apps/" + target + "/scale",
                  new JsonObject().put("replicas", 1),
                  stranger),
              app.send("DELETE", "/api/v1/apps/" + target, null, stranger, Map.of()));
      for (HttpResponse<String> answer : answers) {
        assertThat(answer.statusCode()).as(target + " " + answer.uri()).isEqualTo(404);
        assertThat(answer.body())
            .isEqualTo("{\"code\":21001,\"message\":\"app not found\",\"data\":null}");
      }
    }
    assertThat(data(app.get("/api/v1/apps", stranger)).getLong("total")).isZero();
    JsonObject untouched = data(app.get("/api/v1/apps/" + id, owner));
    assertThat(untouched.getLong("generation")).isEqualTo(1);
    assertThat(untouched.getString("status")).isEqualTo("pending");
  }

  @Test
  void requests_without_a_valid_token_answer_401() {
    for (String token : new String[] {null, "not.a.token"}) {
      HttpResponse<String> list = app.get("/api/v1/apps", token);
      assertThat(list.statusCode()).isEqualTo(401);
      assertThat(code(list)).isEqualTo(10002);
      assertThat(
              app.post("/api/v1/apps", new JsonObject().put("name", "x").put("image", IMAGE), token)
                  .statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void malformed_json_answers_400() {
    HttpResponse<String> response =
        app.send(
            "POST",
            "/api/v1/apps",
            null,
            app.token(USERS.incrementAndGet()),
            Map.of("Content-Type", "application/json"));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(code(response)).isEqualTo(10001);
  }

  private static JsonObject accepted(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return data(response);
  }

  private static List<ReceivedRecord> awaitCommands(String appId, int count) {
    List<ReceivedRecord> records =
        kafka.awaitRecords(commands, count, r -> appId.equals(r.key()), WAIT);
    assertThat(records).as("commands of %s, none twice", appId).hasSize(count);
    return records;
  }

  private static List<String> fields(HttpResponse<String> response) {
    return data(response).getJsonArray("fields").stream()
        .map(f -> ((JsonObject) f).getString("field"))
        .toList();
  }

  private static List<String> names(JsonObject page) {
    JsonArray items = page.getJsonArray("items");
    return items.stream().map(i -> ((JsonObject) i).getString("name")).toList();
  }
}
