package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.auth.SigningKeys;
import io.astro.common.auth.TokenIssuer;
import io.astro.gateway.GatewayFixture.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Where the gateway's trusted keys come from, and what it does while it has none. */
class KeysTest {

  private static final String JWKS = "/.well-known/jwks.json";

  @Test
  void starts_while_user_service_is_down_answers_503_until_the_keys_load_then_serves() {
    try (GatewayFixture fixture = new GatewayFixture()) {
      fixture.apps.start();
      fixture.users.start();
      fixture.users.stop();
      fixture.startGateway();

      assertThat(fixture.get("/health", null).status()).isEqualTo(200);
      assertThat(fixture.get("/ready", null).status())
          .as("readiness, naming internal hosts, is not on the public port")
          .isEqualTo(404);
      Reply ready = fixture.getManagement("/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().getJsonObject("data").getJsonObject("checks").getString("token-keys"))
          .startsWith("DOWN");
      Reply early = fixture.get("/api/v1/apps", fixture.token());
      assertThat(early.status()).isEqualTo(503);
      assertThat(early.code()).isEqualTo(30005);

      fixture.users.start();
      fixture.eventually(
          "keys load in the background",
          () -> fixture.get("/api/v1/apps", fixture.token()).status() == 200);
      fixture.eventually("ready", () -> fixture.getManagement("/ready").status() == 200);
    }
  }

  @Test
  void the_keys_and_the_disabled_users_are_fetched_side_by_side_at_start() {
    try (GatewayFixture fixture = new GatewayFixture()) {
      fixture.apps.start();
      fixture.users.start();
      // the JWKS is answered only once the disabled-users list was asked for: a start that waited
      // for its keys before asking would see its first fetch time out
      fixture.users.jwksHeldUntil = fixture.users.hitsReached("/internal/v1/users/disabled", 1);

      fixture.startGateway();
      fixture.eventually("ready", () -> fixture.getManagement("/ready").status() == 200);

      assertThat(fixture.users.hits(JWKS))
          .as("the keys came from the first fetch: it was answered, no second try was needed")
          .isEqualTo(1);
      assertThat(fixture.get("/api/v1/apps", fixture.token()).status()).isEqualTo(200);
    }
  }

  @Test
  void a_token_naming_a_new_key_makes_the_gateway_fetch_the_jwks_again() {
    try (GatewayFixture fixture =
        new GatewayFixture().with("ASTRO_GATEWAY_JWKS_MIN_REFETCH", "0s").start()) {
      SigningKeys rotated = SigningKeys.generate();
      String token =
          TokenIssuer.create(fixture.vertx, GatewayFixture.JWT, rotated, Duration.ofMinutes(5))
              .issue("user-7", 7, "user")
              .token();
      int fetches = fixture.users.hits(JWKS);

      fixture.users.jwks.set(
          new JsonObject()
              .put("keys", new JsonArray().add(fixture.keys.publicJwk()).add(rotated.publicJwk())));

      assertThat(fixture.get("/api/v1/apps", token).status()).isEqualTo(200);
      assertThat(fixture.users.hits(JWKS)).isEqualTo(fetches + 1);
      assertThat(fixture.get("/api/v1/apps", fixture.token()).status())
          .as("the old key still works")
          .isEqualTo(200);
    }
  }

  @Test
  void a_token_accepted_and_cached_before_is_refused_once_its_key_is_no_longer_trusted() {
    try (GatewayFixture fixture =
        new GatewayFixture().with("ASTRO_GATEWAY_JWKS_REFRESH", "100ms").start()) {
      String token = fixture.token();
      assertThat(fixture.get("/api/v1/apps", token).status()).isEqualTo(200);
      assertThat(fixture.get("/api/v1/apps", token).status()).isEqualTo(200);

      // the key is withdrawn (a leaked key): the callers verified with it are not kept
      SigningKeys replacement = SigningKeys.generate();
      fixture.users.jwks.set(
          new JsonObject().put("keys", new JsonArray().add(replacement.publicJwk())));
      GatewayFixture.await(fixture.users.hitsReached(JWKS, fixture.users.hits(JWKS) + 2));

      Reply refused = fixture.get("/api/v1/apps", token);
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.code()).isEqualTo(10002);
    }
  }

  @Test
  void unknown_key_ids_trigger_at_most_one_fetch_per_minimum_gap() {
    try (GatewayFixture fixture = new GatewayFixture().start()) {
      int fetches = fixture.users.hits(JWKS);
      for (int i = 0; i < 5; i++) {
        String forged =
            TokenIssuer.create(
                    fixture.vertx,
                    GatewayFixture.JWT,
                    SigningKeys.generate(),
                    Duration.ofMinutes(5))
                .issue("user-8", 8, "user")
                .token();
        assertThat(fixture.get("/api/v1/apps", forged).status()).isEqualTo(401);
      }
      assertThat(fixture.users.hits(JWKS)).isEqualTo(fetches);
    }
  }

  @Test
  void keys_from_pem_are_used_without_any_jwks() {
    try (GatewayFixture fixture = new GatewayFixture()) {
      fixture.with("ASTRO_JWT_PUBLIC_KEY", fixture.keys.publicKeyPem()).start();

      assertThat(fixture.get("/api/v1/apps", fixture.token()).status()).isEqualTo(200);
      String other =
          TokenIssuer.create(
                  fixture.vertx, GatewayFixture.JWT, SigningKeys.generate(), Duration.ofMinutes(5))
              .issue("user-9", 9, "user")
              .token();
      assertThat(fixture.get("/api/v1/apps", other).status()).isEqualTo(401);
      assertThat(fixture.users.hits(JWKS)).isZero();
    }
  }
}
