package io.astro.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.e2e.Gateway;
import io.astro.dev.e2e.Gateway.User;
import io.astro.dev.e2e.TestSystems;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Dev mode keeps users, tokens and apps across a restart (the sandbox is rebuilt from the
 * commands); --reset wipes.
 */
class DevModeRestartTest {

  @Test
  void a_restart_keeps_users_tokens_and_apps_and_a_reset_wipes_them() {
    Path dir = Path.of("target", "restart-" + ProcessHandle.current().pid()).toAbsolutePath();
    DevOptions options = TestSystems.options(dir, false);
    User ada;
    String app;
    try (DevMode first = TestSystems.start(options, true)) {
      Gateway api = TestSystems.gateway(first);
      ada = api.newUser("keep");
      app = api.create(ada, "kept", 2).getString("id");
      api.awaitRunning(ada, app, 2);
    }

    try (DevMode second = TestSystems.start(options, false)) {
      Gateway api = TestSystems.gateway(second);
      // the same token still works: the signing keys are kept too
      assertThat(api.get("/api/v1/users/me", ada.token()).status()).isEqualTo(200);
      assertThat(api.get("/api/v1/apps", ada.token()).data().getLong("total")).isEqualTo(1);
      // the new sandbox is empty at start; the sync-worker rebuilds the app from the compacted
      // commands
      api.awaitRunning(ada, app, 2);
      Workspace.Admin admin = second.admin();
      assertThat(
              api.post(
                      "/api/v1/login",
                      null,
                      new io.vertx.core.json.JsonObject()
                          .put("username", admin.username())
                          .put("password", admin.password()))
                  .status())
          .isEqualTo(200);
    }

    try (DevMode wiped = TestSystems.start(options, true)) {
      Gateway api = TestSystems.gateway(wiped);
      assertThat(
              api.post(
                      "/api/v1/login",
                      null,
                      new io.vertx.core.json.JsonObject()
                          .put("username", ada.username())
                          .put("password", "correct horse battery " + ada.username()))
                  .status())
          .isEqualTo(401);
    }
  }
}
