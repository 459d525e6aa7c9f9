package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.gateway.GatewayFixture.Reply;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-IP limits on register/login and per-user limits elsewhere answer 429 with Retry-After, then
 * recover. Buckets refill continuously (one token a second here), so the tests send until the first
 * refusal rather than count on how fast requests go out.
 */
class RateLimitTest {

  private static final int MAX_TRIES = 30;
  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture =
        new GatewayFixture()
            .with("ASTRO_GATEWAY_AUTH_RATE", "3")
            .with("ASTRO_GATEWAY_AUTH_RATE_WINDOW", "3s")
            .with("ASTRO_GATEWAY_USER_RATE", "5")
            .with("ASTRO_GATEWAY_USER_RATE_WINDOW", "5s")
            .start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void login_is_limited_per_client_ip_and_recovers() {
    int hits = fixture.users.hits("/api/v1/login");

    Reply limited = untilRefused(() -> fixture.post("/api/v1/login", null, "{}"), 3);

    assertThat(limited.code()).isEqualTo(10008);
    assertThat(Integer.parseInt(limited.headers().get("Retry-After"))).isBetween(1, 3);
    assertThat(fixture.users.hits("/api/v1/login") - hits)
        .as("refusals never reach user-service")
        .isGreaterThanOrEqualTo(3);
    fixture.eventually(
        "the bucket refills", () -> fixture.post("/api/v1/login", null, "{}").status() == 200);
  }

  @Test
  void by_default_a_team_of_20_behind_one_address_all_reach_login_within_a_minute() {
    // the edge only stops floods; failed logins and sign-ups per address are user-service's to
    // count, as only it knows which attempts failed
    GatewayFixture defaults = new GatewayFixture().start();
    try {
      for (int member = 1; member <= 20; member++) {
        assertThat(defaults.post("/api/v1/login", null, "{}").status())
            .as("login %d from one address", member)
            .isEqualTo(200);
      }
    } finally {
      defaults.close();
    }
  }

  @Test
  void other_routes_are_limited_per_user_not_per_ip() {
    String heavy = fixture.token();

    Reply limited = untilRefused(() -> fixture.get("/api/v1/apps", heavy), 5);

    assertThat(limited.code()).isEqualTo(10008);
    assertThat(Integer.parseInt(limited.headers().get("Retry-After"))).isBetween(1, 5);
    assertThat(fixture.get("/api/v1/apps", fixture.token()).status())
        .as("same IP, other user")
        .isEqualTo(200);
    fixture.eventually(
        "the bucket refills", () -> fixture.get("/api/v1/apps", heavy).status() == 200);
  }

  private static Reply untilRefused(Supplier<Reply> request, int limit) {
    for (int sent = 1; sent <= MAX_TRIES; sent++) {
      Reply reply = request.get();
      if (reply.status() == 429) {
        assertThat(sent).as("requests let through before the first refusal").isGreaterThan(limit);
        return reply;
      }
      assertThat(reply.status()).isEqualTo(200);
    }
    throw new AssertionError("never limited after " + MAX_TRIES + " requests");
  }
}
