package io.astro.dev.e2e;

import static io.astro.dev.e2e.Gateway.podNames;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Settings, releases, registry credentials, quota and JSON logs through the gateway, every answer
 * checked against the API document; no answer carries a secret value or a password.
 */
class AppSettingsEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  private static final String SECRET = "e2e-secret-value-3b9";
  private static final String PASSWORD = "e2e-registry-password-7c1";

  @Test
  void a_user_configures_an_app_changes_it_rolls_it_back_and_reads_its_logs_as_json() {
    Gateway api = astro.gateway();
    User ada = api.newUser("ada");
    List<Answer> answers = new java.util.ArrayList<>();

    Answer registry =
        api.post(
            "/api/v1/registries",
            ada.token(),
            new JsonObject()
                .put("name", "ghcr")
                .put("server", "ghcr.io")
                .put("username", "ada")
                .put("password", PASSWORD));
    answers.add(registry);
    assertThat(registry.status()).as(registry.body()).isEqualTo(201);
    answers.add(api.get("/api/v1/registries", ada.token()));

    JsonObject created =
        api.create(
            ada,
            new JsonObject()
                .put("name", "api")
                .put("image", "nginx:1.27")
                .put("port", 80)
                .put("size", "small")
                .put("env", new JsonObject().put("LOG_LEVEL", "info"))
                .put("secrets", new JsonObject().put("DB_PASSWORD", SECRET))
                .put("image_pull_secret", "ghcr")
                .put(
                    "health_check",
                    new JsonObject().put("type", "http").put("path", "/").put("port", 80)));
    String id = created.getString("id");
    assertThat(created.getJsonObject("secrets").getString("DB_PASSWORD")).isEqualTo("******");
    assertThat(created.getLong("release")).isEqualTo(1);

    Answer inUse = api.delete("/api/v1/registries/ghcr", ada.token());
    answers.add(inUse);
    assertThat(inUse.status()).isEqualTo(409);

    Answer same = patch(api, ada, id, new JsonObject().put("size", "small"));
    Answer changed =
        patch(
            api,
            ada,
            id,
            new JsonObject()
                .put("env", new JsonObject().putNull("LOG_LEVEL").put("MODE", "fast"))
                .putNull("image_pull_secret"));
    answers.add(same);
    answers.add(changed);
    assertThat(same.status()).isEqualTo(200);
    assertThat(changed.status()).as(changed.body()).isEqualTo(202);
    assertThat(changed.data().getLong("release")).isEqualTo(2);

    Answer rollback =
        api.post(
            "/api/v1/apps/" + id + "/rollback", ada.token(), new JsonObject().put("release", 1));
    answers.add(rollback);
    assertThat(rollback.status()).as(rollback.body()).isEqualTo(202);
    assertThat(rollback.data().getJsonObject("env").getString("LOG_LEVEL")).isEqualTo("info");
    Answer releases = api.get("/api/v1/apps/" + id + "/releases", ada.token());
    answers.add(releases);
    assertThat(releases.items().stream().map(r -> ((JsonObject) r).getLong("number")))
        .containsExactly(3L, 2L, 1L);
    answers.add(api.get("/api/v1/apps/" + id, ada.token()));
    answers.add(api.get("/api/v1/apps/" + id + "/events", ada.token()));

    Answer quota = api.get("/api/v1/quota", ada.token());
    answers.add(quota);
    assertThat(quota.status()).isEqualTo(200);
    assertThat(quota.data().getJsonObject("apps").getInteger("used")).isEqualTo(1);
    Answer tooBig =
        api.post(
            "/api/v1/apps",
            ada.token(),
            new JsonObject()
                .put("name", "huge")
                .put("image", "nginx:1.27")
                .put("replicas", 10)
                .put("size", "xlarge"));
    assertThat(tooBig.status()).isEqualTo(422);
    assertThat(tooBig.code()).isEqualTo(21005);

    // a plain app's logs as JSON lines
    String plain = api.create(ada, "plain", 1).getString("id");
    JsonObject running = api.awaitRunning(ada, plain, 1);
    Answer logs =
        api.send(
            "GET",
            "/api/v1/apps/" + plain + "/logs?lines=2",
            ada.token(),
            null,
            Map.of("Accept", "application/json"));
    assertThat(logs.status()).isEqualTo(200);
    JsonArray lines = logs.data().getJsonArray("lines");
    assertThat(lines).isNotEmpty();
    assertThat(lines.getJsonObject(0).getString("pod")).isEqualTo(podNames(running).get(0));
    assertThat(lines.getJsonObject(0).getString("container")).isEqualTo("app");
    assertThat(logs.data().getString("logs")).contains(lines.getJsonObject(0).getString("line"));

    assertThat(answers).allSatisfy(a -> assertThat(a.body()).doesNotContain(SECRET, PASSWORD));
  }

  private static Answer patch(Gateway api, User user, String id, JsonObject body) {
    return api.send(
        "PATCH",
        "/api/v1/apps/" + id,
        user.token(),
        body.encode(),
        Map.of("Content-Type", "application/merge-patch+json"));
  }
}
