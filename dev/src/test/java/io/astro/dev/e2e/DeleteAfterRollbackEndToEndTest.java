package io.astro.dev.e2e;

import static io.astro.dev.e2e.Gateway.podNames;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The console's main flow, through the API only: an app operated in every way (scaled, restarted,
 * its settings changed, rolled back) is still deleted completely — gone from its detail, the list
 * and the cluster.
 */
class DeleteAfterRollbackEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void an_app_scaled_restarted_changed_and_rolled_back_is_deleted_completely() {
    Gateway api = astro.gateway();
    User ada = api.newUser("ada");
    JsonObject created =
        api.create(
            ada, new JsonObject().put("name", "hello").put("image", "nginx:1.27").put("port", 80));
    String id = created.getString("id");
    api.awaitRunning(ada, id, 1);

    api.act(ada, id, "scale", new JsonObject().put("replicas", 2));
    List<String> before = podNames(api.awaitRunning(ada, id, 2));

    api.act(ada, id, "restart", null);
    api.awaitApp(
        ada,
        id,
        "running on new pods",
        app ->
            "running".equals(app.getString("status"))
                && app.getInteger("ready_replicas", -1) == 2
                && app.getJsonArray("pods").size() == 2
                && podNames(app).stream().noneMatch(before::contains));

    Answer changed =
        api.send(
            "PATCH",
            "/api/v1/apps/" + id,
            ada.token(),
            new JsonObject()
                .put("image", "nginx:1.28")
                .put("env", new JsonObject().put("GREETING", "hello"))
                .encode(),
            Map.of("Content-Type", "application/merge-patch+json"));
    assertThat(changed.status()).as(changed.body()).isEqualTo(202);
    assertThat(changed.data().getLong("release")).isEqualTo(2);

    Answer rollback =
        api.post(
            "/api/v1/apps/" + id + "/rollback", ada.token(), new JsonObject().put("release", 1));
    assertThat(rollback.status()).as(rollback.body()).isEqualTo(202);
    assertThat(rollback.data().getLong("release")).isEqualTo(3);
    JsonObject rolledBack =
        api.awaitApp(
            ada,
            id,
            "release 3 running",
            app ->
                "running".equals(app.getString("status"))
                    && app.getLong("observed_release") == 3
                    && app.getInteger("ready_replicas", -1) == 2);
    assertThat(rolledBack.getString("image")).isEqualTo("nginx:1.27");

    Answer deleting = api.delete("/api/v1/apps/" + id, ada.token());
    assertThat(deleting.status()).as(deleting.body()).isEqualTo(202);
    assertThat(deleting.data().getString("status")).isEqualTo("deleting");
    api.awaitAnswer(ada, "/api/v1/apps/" + id, "404", a -> a.status() == 404);
    assertThat(api.get("/api/v1/apps", ada.token()).data().getLong("total")).isZero();
    assertThat(astro.deployment(created.getString("namespace"), created.getString("k8s_name")))
        .isNull();
  }
}
