package io.astro.app.quota;

import static io.astro.app.RunningAppService.code;
import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The namespace quota a user can see, and changes refused against it (422, 21005) before anything
 * is stored. Quota here: 1 CPU, 1Gi, 5 pods; standard size requests 100m / 128Mi.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class QuotaApiTest {

  private static final String IMAGE = "nginx:1.27";
  private static final AtomicLong USERS = new AtomicLong(900);

  private static RunningAppService app;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    String commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    broker.createCompactedTopic(commands, 1);
    app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of(
                "ASTRO_APP_COMMANDS_TOPIC", commands,
                "ASTRO_NAMESPACE_QUOTA_CPU", "1",
                "ASTRO_NAMESPACE_QUOTA_MEMORY", "1Gi",
                "ASTRO_NAMESPACE_QUOTA_PODS", "5",
                "ASTRO_MAX_APPS_PER_USER", "7"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void the_quota_shows_what_live_running_apps_request() {
    String token = app.token(USERS.incrementAndGet());
    JsonObject empty = data(app.get("/api/v1/quota", token));
    assertThat(empty.getJsonObject("apps"))
        .isEqualTo(new JsonObject().put("used", 0).put("limit", 7));
    assertThat(empty.getJsonObject("cpu").getString("requested")).isEqualTo("0");
    assertThat(empty.getJsonObject("cpu").getString("limit")).isEqualTo("1");
    assertThat(empty.getJsonObject("memory").getString("limit")).isEqualTo("1Gi");
    assertThat(empty.getJsonObject("pods"))
        .isEqualTo(new JsonObject().put("used", 0).put("limit", 5));

    app.create(token, "a", IMAGE, 2);
    String stopped = app.create(token, "b", IMAGE, 1).getString("id");
    app.post("/api/v1/apps/" + stopped + "/stop", null, token);
    JsonObject used = data(app.get("/api/v1/quota", token));

    assertThat(used.getJsonObject("apps").getInteger("used")).isEqualTo(2);
    assertThat(used.getJsonObject("cpu").getString("requested")).isEqualTo("200m");
    assertThat(used.getJsonObject("cpu").getLong("requested_millicores")).isEqualTo(200);
    assertThat(used.getJsonObject("memory").getString("requested")).isEqualTo("256Mi");
    assertThat(used.getJsonObject("pods").getInteger("used")).isEqualTo(2);
    assertThat(used.getJsonObject("ephemeral_storage"))
        .isEqualTo(
            new JsonObject()
                .put("used", "2Gi")
                .put("limit", "20Gi")
                .put("used_bytes", 2L << 30)
                .put("limit_bytes", 20L << 30));
    assertThat(used.getJsonArray("sizes").getJsonObject(0).getString("name")).isEqualTo("standard");
    assertThat(used.getJsonArray("sizes").getJsonObject(0).getString("ephemeral_storage_limit"))
        .isEqualTo("1Gi");
    assertThat(app.get("/api/v1/quota", null).statusCode()).isEqualTo(401);
  }

  @Test
  void create_scale_start_and_patch_past_the_quota_answer_21005_naming_the_resource() {
    String token = app.token(USERS.incrementAndGet());
    String web = app.create(token, "web", IMAGE, 4).getString("id");

    HttpResponse<String> tooManyPods =
        app.post(
            "/api/v1/apps",
            new JsonObject().put("name", "more").put("image", IMAGE).put("replicas", 2),
            token);
    HttpResponse<String> tooMuchMemory =
        app.post(
            "/api/v1/apps",
            new JsonObject()
                .put("name", "big")
                .put("image", IMAGE)
                .put("replicas", 1)
                .put("size", "large"),
            token);
    HttpResponse<String> scaledPast =
        app.post("/api/v1/apps/" + web + "/scale", new JsonObject().put("replicas", 6), token);
    // 4 pods + the surge pod of the rollout = 5: fits
    HttpResponse<String> rollout =
        app.send(
            "PATCH",
            "/api/v1/apps/" + web,
            new JsonObject().put("image", "nginx:1.28"),
            token,
            Map.of());
    HttpResponse<String> rolloutPast =
        app.send(
            "PATCH",
            "/api/v1/apps/" + web,
            new JsonObject().put("image", "nginx:1.29").put("replicas", 5),
            token,
            Map.of());
    HttpResponse<String> scaledDown =
        app.post("/api/v1/apps/" + web + "/scale", new JsonObject().put("replicas", 1), token);
    HttpResponse<String> fits =
        app.post(
            "/api/v1/apps",
            new JsonObject().put("name", "more").put("image", IMAGE).put("replicas", 2),
            token);

    assertThat(tooManyPods.statusCode()).isEqualTo(422);
    assertThat(code(tooManyPods)).isEqualTo(21005);
    assertThat(data(tooManyPods).getString("resource")).isEqualTo("pods");
    assertThat(new JsonObject(tooManyPods.body()).getString("message"))
        .contains("pods")
        .contains("5");
    assertThat(code(tooMuchMemory)).isEqualTo(21005);
    assertThat(data(tooMuchMemory).getString("resource")).isEqualTo("memory");
    assertThat(code(scaledPast)).isEqualTo(21005);
    assertThat(rollout.statusCode()).as(rollout.body()).isEqualTo(202);
    assertThat(code(rolloutPast)).isEqualTo(21005);
    assertThat(scaledDown.statusCode()).isEqualTo(202);
    assertThat(fits.statusCode()).as(fits.body()).isEqualTo(201);

    JsonObject detail = data(app.get("/api/v1/apps/" + web, token));
    assertThat(detail.getString("image")).isEqualTo("nginx:1.28");
    assertThat(detail.getInteger("replicas")).isEqualTo(1);
    assertThat(detail.getLong("release")).isEqualTo(2);
    assertThat(data(app.get("/api/v1/apps", token)).getLong("total")).isEqualTo(2);
  }
}
