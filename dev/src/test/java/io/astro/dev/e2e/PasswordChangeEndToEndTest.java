package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.AstroServices;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A password change ends every session opened before it, on every service: the gateway and
 * app-service (which poll user-service's list) within a poll period, user-service at once. The
 * token the change answers keeps working everywhere.
 */
class PasswordChangeEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void tokens_from_before_a_password_change_are_refused_everywhere_and_the_new_one_works() {
    Gateway api = astro.gateway();
    Gateway appService = new Gateway(astro.dev().serviceUrl(AstroServices.APP_SERVICE));
    Gateway userService = new Gateway(astro.dev().serviceUrl(AstroServices.USER_SERVICE));
    User user = api.newUser("pwd");
    User bystander = api.newUser("keep");
    String id = api.create(user, "kept", 1).getString("id");
    assertThat(appService.get("/api/v1/apps/" + id, user.token()).status()).isEqualTo(200);

    Answer changed =
        api.post(
            "/api/v1/users/me/password",
            user.token(),
            new JsonObject()
                .put("current", "correct horse battery " + user.username())
                .put("new", "a brand new passphrase"));
    assertThat(changed.status()).as(changed.body()).isEqualTo(200);
    String fresh = changed.data().getString("token");

    // user-service reads the account's token version on each call: refused at once
    Answer me = userService.get("/api/v1/users/me", user.token());
    Answer viaGateway =
        Eventually.await(
            "the gateway to refuse a token from before the password change",
            Gateway.WAIT,
            () -> api.get("/api/v1/apps", user.token()),
            a -> a.status() != 200);
    Answer direct =
        Eventually.await(
            "app-service to refuse a token from before the password change",
            Gateway.WAIT,
            () -> appService.get("/api/v1/apps/" + id, user.token()),
            a -> a.status() != 200);
    for (Answer refused : List.of(me, viaGateway, direct)) {
      assertThat(refused.status()).as(refused.body()).isEqualTo(401);
      assertThat(refused.code()).isEqualTo(10002);
    }

    // the lists the gateway and app-service hold now carry the new version: the new token passes
    assertThat(api.get("/api/v1/apps/" + id, fresh).status()).isEqualTo(200);
    assertThat(appService.get("/api/v1/apps/" + id, fresh).status()).isEqualTo(200);
    assertThat(api.get("/api/v1/users/me", fresh).status()).isEqualTo(200);
    assertThat(api.login(user.username(), "a brand new passphrase", user.uuid()).token())
        .isNotBlank();
    assertThat(api.get("/api/v1/apps", bystander.token()).status()).isEqualTo(200);
  }
}
