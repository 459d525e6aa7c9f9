package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.Workspace;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An account's lifecycle through the gateway, and what it does to the account's apps in the
 * sandbox: deleting the account refuses its token and removes every app and its namespace;
 * disabling it suspends the apps (no replicas), enabling it restores them.
 */
class AccountLifecycleEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void a_deleted_account_loses_its_token_its_apps_and_its_namespace() {
    Gateway api = astro.gateway();
    User user = api.newUser("bye");
    JsonObject web = api.create(user, "web", 2);
    JsonObject worker = api.create(user, "worker", 1);
    api.awaitRunning(user, web.getString("id"), 2);
    api.awaitRunning(user, worker.getString("id"), 1);
    String namespace = web.getString("namespace");
    assertThat(namespace(namespace)).isTrue();
    // the audit trail: the user's own lines, the whole trail for operators only
    Answer own =
        Eventually.await(
            "the app creates on the user's audit trail",
            Gateway.WAIT,
            () -> api.get("/api/v1/audit?action=app.create", user.token()),
            a -> a.status() == 200 && a.data().getLong("total") == 2);
    assertThat(own.items().getJsonObject(0).getJsonObject("actor").getString("uuid"))
        .isEqualTo(user.uuid());
    assertThat(api.get("/api/v1/admin/audit", user.token()).status()).isEqualTo(403);

    Answer deleted =
        api.send(
            "DELETE",
            "/api/v1/users/me",
            user.token(),
            new JsonObject().put("password", password(user)).encode(),
            Map.of());

    assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
    Answer refused =
        Eventually.await(
            "the gateway to refuse the deleted account's token",
            Gateway.WAIT,
            () -> api.get("/api/v1/apps", user.token()),
            a -> a.status() != 200);
    assertThat(refused.status()).isEqualTo(401);
    Eventually.until(
        "every app of the account gone from the sandbox",
        Gateway.WAIT,
        () ->
            astro.deployment(namespace, web.getString("k8s_name")) == null
                && astro.deployment(namespace, worker.getString("k8s_name")) == null);
    Eventually.until(
        "namespace " + namespace + " gone from the sandbox",
        Gateway.WAIT,
        () -> !namespace(namespace));
    // the name stays reserved
    Answer again =
        api.post(
            "/api/v1/register",
            null,
            new JsonObject()
                .put("username", user.username())
                .put("email", "another-" + user.username() + "@example.org")
                .put("password", password(user)));
    assertThat(again.status()).as(again.body()).isEqualTo(409);
    assertThat(again.data().getString("reason")).isEqualTo("reserved");
    // operators see the whole story of the account, its deletion included
    Workspace.Admin admin = astro.dev().admin();
    String operator = api.login(admin.username(), admin.password(), null).token();
    Answer story =
        Eventually.await(
            "the account's deletion on the audit trail",
            Gateway.WAIT,
            () -> api.get("/api/v1/admin/audit?limit=100&actor=" + user.uuid(), operator),
            a ->
                a.status() == 200
                    && a.items().stream()
                        .map(l -> ((JsonObject) l).getString("action"))
                        .toList()
                        .contains("user.delete"));
    assertThat(story.items().stream().map(l -> ((JsonObject) l).getString("action")).toList())
        .contains("app.create", "audit.read", "user.delete");
  }

  @Test
  void a_disabled_accounts_apps_are_suspended_and_come_back_when_it_is_enabled() {
    Gateway api = astro.gateway();
    User user = api.newUser("paused");
    JsonObject web = api.create(user, "web", 2);
    String id = web.getString("id");
    api.awaitRunning(user, id, 2);
    String namespace = web.getString("namespace");
    String k8sName = web.getString("k8s_name");
    Workspace.Admin admin = astro.dev().admin();
    User operator = api.login(admin.username(), admin.password(), null);
    Answer listed = api.get("/api/v1/admin/users?search=" + user.username(), operator.token());
    assertThat(listed.status()).as(listed.body()).isEqualTo(200);
    assertThat(listed.items().getJsonObject(0).getInteger("app_count")).isEqualTo(1);

    Answer disabled =
        api.post("/api/v1/admin/users/" + user.uuid() + "/disable", operator.token(), null);

    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    Eventually.until(
        "the app scaled to zero in the sandbox",
        Gateway.WAIT,
        () -> {
          V1Deployment d = astro.deployment(namespace, k8sName);
          return d != null && d.getSpec().getReplicas() == 0;
        });

    Answer enabled =
        api.post("/api/v1/admin/users/" + user.uuid() + "/enable", operator.token(), null);

    assertThat(enabled.status()).as(enabled.body()).isEqualTo(200);
    JsonObject restored = api.awaitRunning(user, id, 2);
    assertThat(restored.getBoolean("suspended")).isFalse();
    assertThat(restored.getInteger("replicas")).isEqualTo(2);
    assertThat(astro.deployment(namespace, k8sName).getSpec().getReplicas()).isEqualTo(2);
    JsonArray history = api.get("/api/v1/apps/" + id + "/events", user.token()).items();
    List<String> lines =
        history.stream()
            .map(e -> (JsonObject) e)
            .map(e -> e.getString("command", e.getString("status")))
            .toList();
    assertThat(lines).contains("suspend", "resume");
  }

  private static String password(User user) {
    // as Gateway.newUser registers it
    return "correct horse battery " + user.username();
  }

  private static boolean namespace(String name) {
    try {
      new CoreV1Api(astro.kube().apiClient()).readNamespace(name).execute();
      return true;
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return false;
      }
      throw new IllegalStateException("reading namespace " + name + ": " + e.getCode(), e);
    }
  }
}
