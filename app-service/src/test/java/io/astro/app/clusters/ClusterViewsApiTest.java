package io.astro.app.clusters;

import static io.astro.app.RunningAppService.code;
import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operators' cluster views through app-service: admins only, relayed to the sync-worker's
 * internal endpoints for the cluster's name (a stand-in here; the real endpoints are tested in
 * sync-worker), its answers passed on; static clusters listed and read-only.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class ClusterViewsApiTest {

  private static final String TOKEN = "cluster-views-test-internal-token";
  private static final String STATIC = "sandbox";

  private static RunningAppService app;
  private static Vertx vertx;
  private static HttpServer worker;
  private static String admin;
  private static final List<Seen> SEEN = new CopyOnWriteArrayList<>();

  /** A request as the stand-in sync-worker received it. */
  record Seen(String method, String path, String query, String authorization, String body) {}

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    vertx = Vertx.vertx();
    worker =
        vertx
            .createHttpServer()
            .requestHandler(ClusterViewsApiTest::answer)
            .listen(0, "127.0.0.1")
            .await();
    String commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    broker.createCompactedTopic(commands, 1);
    app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of(
                "ASTRO_APP_COMMANDS_TOPIC",
                commands,
                "ASTRO_DEFAULT_CLUSTER",
                STATIC,
                "ASTRO_INTERNAL_TOKEN",
                TOKEN,
                "ASTRO_SYNC_WORKER_URL",
                "http://127.0.0.1:" + worker.actualPort()));
    admin = app.adminToken(1);
  }

  @AfterAll
  static void stop() {
    app.close();
    vertx.close().await();
  }

  @BeforeEach
  void forget() {
    SEEN.clear();
  }

  /**
   * Nodes of {@code sandbox}: one node; {@code node-9} is missing; a PATCH answers 422 naming the
   * field when it sends a bad effect; cluster {@code gone} is unknown to the worker.
   */
  private static void answer(HttpServerRequest req) {
    req.body()
        .onSuccess(
            body -> {
              SEEN.add(
                  new Seen(
                      req.method().name(),
                      req.path(),
                      req.query(),
                      req.getHeader("Authorization"),
                      body.toString()));
              String path = req.path();
              if (!("Bearer " + TOKEN).equals(req.getHeader("Authorization"))) {
                envelope(req, 401, 10002, "missing or wrong internal token", null);
              } else if (path.startsWith("/internal/v1/clusters/gone/")) {
                envelope(
                    req,
                    404,
                    10004,
                    "unknown cluster gone",
                    new JsonObject().put("missing", "cluster"));
              } else if (path.endsWith("/nodes/node-9")) {
                envelope(
                    req,
                    404,
                    10004,
                    "node node-9 not found",
                    new JsonObject().put("missing", "node"));
              } else if (req.method().name().equals("PATCH")
                  && body.toString().contains("Sometimes")) {
                envelope(
                    req,
                    422,
                    10011,
                    "taints[0].effect: must be one of [NoSchedule, PreferNoSchedule, NoExecute]",
                    new JsonObject()
                        .put(
                            "fields",
                            new JsonArray()
                                .add(
                                    new JsonObject()
                                        .put("field", "taints[0].effect")
                                        .put("reason", "must be one of"))));
              } else if (path.endsWith("/drain")) {
                envelope(
                    req,
                    202,
                    0,
                    "ok",
                    new JsonObject().put("drain", new JsonObject().put("state", "running")));
              } else {
                envelope(
                    req,
                    200,
                    0,
                    "ok",
                    new JsonObject()
                        .put("items", new JsonArray().add(new JsonObject().put("name", "node-1"))));
              }
            });
  }

  private static void envelope(
      HttpServerRequest req, int status, int code, String message, JsonObject data) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("code", code).put("message", message).put("data", data).encode());
  }

  @Test
  void a_user_who_is_not_an_admin_gets_403_and_the_worker_is_not_asked() {
    String user = app.token(42);
    for (String path :
        List.of(
            "/api/v1/clusters/" + STATIC + "/nodes",
            "/api/v1/clusters/" + STATIC + "/nodes/node-1",
            "/api/v1/clusters/" + STATIC + "/namespaces",
            "/api/v1/clusters/" + STATIC + "/events")) {
      HttpResponse<String> response = app.get(path, user);
      assertThat(response.statusCode()).as(path).isEqualTo(403);
      assertThat(code(response)).isEqualTo(10003);
    }
    assertThat(
            app.post("/api/v1/clusters/" + STATIC + "/nodes/node-1/drain", null, user).statusCode())
        .isEqualTo(403);
    assertThat(SEEN).isEmpty();
  }

  @Test
  void views_are_relayed_for_the_clusters_name_with_the_internal_token() {
    HttpResponse<String> nodes = app.get("/api/v1/clusters/" + STATIC + "/nodes", admin);
    assertThat(nodes.statusCode()).as(nodes.body()).isEqualTo(200);
    assertThat(data(nodes).getJsonArray("items").getJsonObject(0).getString("name"))
        .isEqualTo("node-1");
    assertThat(SEEN.get(0).path()).isEqualTo("/internal/v1/clusters/sandbox/nodes");
    assertThat(SEEN.get(0).authorization()).isEqualTo("Bearer " + TOKEN);

    HttpResponse<String> events =
        app.get(
            "/api/v1/clusters/" + STATIC + "/events?namespace=astro-user-7&type=Warning&limit=5",
            admin);
    assertThat(events.statusCode()).isEqualTo(200);
    assertThat(SEEN.get(1).path()).isEqualTo("/internal/v1/clusters/sandbox/events");
    assertThat(SEEN.get(1).query()).isEqualTo("namespace=astro-user-7&type=Warning&limit=5");

    HttpResponse<String> drain =
        app.post(
            "/api/v1/clusters/" + STATIC + "/nodes/node-1/drain",
            new JsonObject().put("timeout_seconds", 60),
            admin);
    assertThat(drain.statusCode()).isEqualTo(202);
    assertThat(SEEN.get(2).method()).isEqualTo("POST");
    assertThat(SEEN.get(2).path()).isEqualTo("/internal/v1/clusters/sandbox/nodes/node-1/drain");
    assertThat(new JsonObject(SEEN.get(2).body()).getInteger("timeout_seconds")).isEqualTo(60);
  }

  @Test
  void the_workers_refusals_are_passed_on_and_its_unknown_cluster_is_a_503() {
    HttpResponse<String> refused =
        app.send(
            "PATCH",
            "/api/v1/clusters/" + STATIC + "/nodes/node-1",
            new JsonObject()
                .put(
                    "taints",
                    new JsonArray()
                        .add(new JsonObject().put("key", "a").put("effect", "Sometimes"))),
            admin,
            Map.of());
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(
            new JsonObject(refused.body())
                .getJsonObject("data")
                .getJsonArray("fields")
                .getJsonObject(0)
                .getString("field"))
        .isEqualTo("taints[0].effect");

    HttpResponse<String> missingNode =
        app.get("/api/v1/clusters/" + STATIC + "/nodes/node-9", admin);
    assertThat(missingNode.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(missingNode.body()).getJsonObject("data").getString("missing"))
        .isEqualTo("node");

    HttpResponse<String> badNode = app.get("/api/v1/clusters/" + STATIC + "/nodes/Bad_Node", admin);
    assertThat(badNode.statusCode()).isEqualTo(404);

    HttpResponse<String> unknown =
        app.get("/api/v1/clusters/00000000-0000-4000-8000-000000000000/nodes", admin);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(code(unknown)).isEqualTo(22001);
    assertThat(SEEN).extracting(Seen::path).noneMatch(p -> p.contains("Bad_Node"));
  }

  @Test
  void a_static_cluster_is_listed_marked_static_and_cannot_be_changed_here() {
    JsonObject list = data(app.get("/api/v1/clusters", admin));
    JsonObject sandbox =
        list.getJsonArray("items").stream()
            .map(JsonObject.class::cast)
            .filter(c -> STATIC.equals(c.getString("name")))
            .findFirst()
            .orElseThrow();
    assertThat(sandbox.getBoolean("static")).isTrue();
    assertThat(sandbox.getString("id")).isEqualTo(STATIC);
    assertThat(list.getLong("total")).isGreaterThanOrEqualTo(1);

    assertThat(data(app.get("/api/v1/clusters/" + STATIC, admin)).getBoolean("static")).isTrue();
    HttpResponse<String> patch =
        app.send(
            "PATCH",
            "/api/v1/clusters/" + STATIC,
            new JsonObject().put("description", "x"),
            admin,
            Map.of());
    assertThat(patch.statusCode()).isEqualTo(409);
    assertThat(code(patch)).isEqualTo(22006);
    HttpResponse<String> delete =
        app.send("DELETE", "/api/v1/clusters/" + STATIC, null, admin, Map.of());
    assertThat(delete.statusCode()).isEqualTo(409);
    assertThat(code(delete)).isEqualTo(22006);
    assertThat(app.send("DELETE", "/api/v1/clusters/no-such", null, admin, Map.of()).statusCode())
        .isEqualTo(404);
  }
}
