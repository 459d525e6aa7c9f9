package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.KubeNames;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Another user's app does not exist for you: every route answers 404, and nothing you do reaches
 * it.
 */
class TenantIsolationEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void a_second_user_sees_and_touches_none_of_the_first_users_apps() {
    Gateway api = astro.gateway();
    User owner = api.newUser("own");
    User other = api.newUser("oth");
    String id = api.create(owner, "shop", 1).getString("id");
    JsonObject running = api.awaitRunning(owner, id, 1);

    assertThat(api.get("/api/v1/apps", other.token()).data().getLong("total")).isZero();
    assertThat(api.get("/api/v1/apps?search=shop", other.token()).items()).isEmpty();
    String base = "/api/v1/apps/" + id;
    List<Answer> answers =
        List.of(
            api.get(base, other.token()),
            api.get(base + "/logs", other.token()),
            api.get(base + "/events", other.token()),
            api.post(base + "/stop", other.token(), null),
            api.post(base + "/start", other.token(), null),
            api.post(base + "/restart", other.token(), null),
            api.post(base + "/scale", other.token(), new JsonObject().put("replicas", 5)),
            api.get(base + "/releases", other.token()),
            api.post(base + "/rollback", other.token(), new JsonObject().put("release", 1)),
            api.send(
                "PATCH",
                base,
                other.token(),
                new JsonObject().put("image", "nginx:1.28").encode(),
                Map.of("Content-Type", "application/merge-patch+json")),
            api.delete(base, other.token()));
    assertThat(answers)
        .allSatisfy(
            a -> {
              assertThat(a.status()).as(a.body()).isEqualTo(404);
              assertThat(a.code()).isEqualTo(21001);
              assertThat(a.body()).doesNotContain("shop").doesNotContain(owner.username());
            });

    // names are per user: the same name is the other user's own app, in the other user's own
    // namespace
    JsonObject theirs = api.create(other, "shop", 1);
    assertThat(theirs.getString("namespace")).isNotEqualTo(running.getString("namespace"));
    api.awaitRunning(other, theirs.getString("id"), 1);
    assertThat(api.get("/api/v1/apps", other.token()).items())
        .extracting(a -> ((JsonObject) a).getString("id"))
        .containsExactly(theirs.getString("id"));

    // registry credentials are per user too
    Answer credential =
        api.post(
            "/api/v1/registries",
            owner.token(),
            new JsonObject()
                .put("name", "private")
                .put("server", "ghcr.io")
                .put("username", "own")
                .put("password", "owner-only-password"));
    assertThat(credential.status()).as(credential.body()).isEqualTo(201);
    assertThat(api.get("/api/v1/registries", other.token()).data().getJsonArray("items")).isEmpty();
    assertThat(api.delete("/api/v1/registries/private", other.token()).status()).isEqualTo(404);
    Answer borrowed =
        api.post(
            "/api/v1/apps",
            other.token(),
            new JsonObject()
                .put("name", "borrow")
                .put("image", "nginx:1.27")
                .put("image_pull_secret", "private"));
    assertThat(borrowed.status()).isEqualTo(400);

    // the owner's app is as it was: nothing the other user sent was applied
    JsonObject after = api.get(base, owner.token()).data();
    assertThat(after.getString("status")).isEqualTo("running");
    assertThat(after.getLong("generation")).isEqualTo(1);
    assertThat(
            astro
                .deployment(running.getString("namespace"), running.getString("k8s_name"))
                .getMetadata()
                .getAnnotations())
        .containsEntry(KubeNames.GENERATION_ANNOTATION, "1");
  }
}
