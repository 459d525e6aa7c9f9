package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.AstroServices;
import io.astro.dev.Workspace;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Disabling an account stops its still-valid token on every service, not only at the gateway:
 * app-service and user-service reached directly refuse it too.
 */
class DisabledAccountEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void a_disabled_users_token_is_refused_by_app_service_and_user_service_reached_directly() {
    Gateway api = astro.gateway();
    Gateway appService = new Gateway(astro.dev().serviceUrl(AstroServices.APP_SERVICE));
    Gateway userService = new Gateway(astro.dev().serviceUrl(AstroServices.USER_SERVICE));
    User user = api.newUser("dis");
    User bystander = api.newUser("byst");
    String id = api.create(user, "doomed", 1).getString("id");
    assertThat(appService.get("/api/v1/apps/" + id, user.token()).status()).isEqualTo(200);
    assertThat(userService.get("/api/v1/users/me", user.token()).status()).isEqualTo(200);

    Workspace.Admin admin = astro.dev().admin();
    User operator = api.login(admin.username(), admin.password(), null);
    Answer disabled =
        api.post("/api/v1/admin/users/" + user.uuid() + "/disable", operator.token(), null);
    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);

    // user-service reads the account on each call: refused at once
    Answer me = userService.get("/api/v1/users/me", user.token());
    // app-service polls the list: refused within its poll period
    Answer read =
        Eventually.await(
            "app-service to refuse the disabled account",
            Gateway.WAIT,
            () -> appService.get("/api/v1/apps/" + id, user.token()),
            a -> a.status() != 200);
    Answer write = appService.post("/api/v1/apps/" + id + "/restart", user.token(), null);
    Answer viaGateway =
        Eventually.await(
            "the gateway to refuse the disabled account",
            Gateway.WAIT,
            () -> api.get("/api/v1/apps", user.token()),
            a -> a.status() != 200);

    for (Answer refused : List.of(me, read, write, viaGateway)) {
      assertThat(refused.status()).as(refused.body()).isEqualTo(401);
      assertThat(refused.code()).isEqualTo(10002);
    }
    assertThat(appService.get("/api/v1/apps", bystander.token()).status()).isEqualTo(200);
    assertThat(userService.get("/api/v1/users/me", bystander.token()).status()).isEqualTo(200);
  }
}
