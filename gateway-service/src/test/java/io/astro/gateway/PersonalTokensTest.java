package io.astro.gateway;

import static io.astro.gateway.GatewayFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.auth.TokenScope;
import io.astro.gateway.GatewayFixture.Reply;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Authorization: Bearer astro_pat_...}: traded at user-service for a short-lived access
 * token, which is cached by the personal token's hash and forwarded upstream in its place; held to
 * its scope, dropped when its personal token is revoked, and answered 503 when user-service cannot
 * be asked. Tokens not known yet are held to the address's login rate, so guessing them is no
 * cheaper than guessing passwords.
 */
class PersonalTokensTest {

  private static final String EXCHANGE = "/internal/v1/tokens/exchange";
  private static final String LIST = "/internal/v1/users/disabled";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture().start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void a_personal_token_is_exchanged_once_and_only_its_access_token_goes_upstream() {
    String secret = secret();
    String patId = UUID.randomUUID().toString();
    AtomicInteger issued = new AtomicInteger();
    String[] last = new String[1];
    fixture.users.personalTokens.put(
        secret,
        () -> {
          issued.incrementAndGet();
          last[0] = access(patId, TokenScope.WRITE, Duration.ofMinutes(5));
          return last[0];
        });
    int before = fixture.users.hits(EXCHANGE);

    Reply first = fixture.get("/api/v1/apps", secret);
    Reply second = fixture.post("/api/v1/apps", secret, "{}");
    Reply third = fixture.get("/api/v1/apps", secret);

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertThat(third.status()).isEqualTo(200);
    assertThat(fixture.users.hits(EXCHANGE) - before).isEqualTo(1);
    assertThat(issued).hasValue(1);
    for (Reply reply : new Reply[] {first, second, third}) {
      String forwarded = reply.json().getJsonObject("headers").getString("authorization");
      assertThat(forwarded).isEqualTo("Bearer " + last[0]);
      assertThat(reply.body()).doesNotContain(secret);
    }
  }

  @Test
  void a_read_token_reads_but_every_write_is_refused_403_before_any_upstream() {
    String secret = secret();
    fixture.users.personalTokens.put(
        secret, () -> access(UUID.randomUUID().toString(), TokenScope.READ, Duration.ofMinutes(5)));
    int posts = fixture.apps.hits("/api/v1/apps");

    assertThat(fixture.get("/api/v1/apps", secret).status()).isEqualTo(200);
    Reply write = fixture.post("/api/v1/apps", secret, "{\"name\":\"web\"}");

    assertThat(write.status()).isEqualTo(403);
    assertThat(write.code()).isEqualTo(10012);
    assertThat(write.json().getJsonObject("data").getString("required")).isEqualTo("write");
    assertThat(fixture.apps.hits("/api/v1/apps")).isEqualTo(posts + 1);
  }

  @Test
  void a_revoked_personal_tokens_cached_access_token_is_dropped_after_the_next_poll() {
    String secret = secret();
    String patId = UUID.randomUUID().toString();
    fixture.users.personalTokens.put(
        secret, () -> access(patId, TokenScope.WRITE, Duration.ofMinutes(5)));
    String bystander = secret();
    fixture.users.personalTokens.put(
        bystander,
        () -> access(UUID.randomUUID().toString(), TokenScope.WRITE, Duration.ofMinutes(5)));
    assertThat(fixture.get("/api/v1/apps", secret).status()).isEqualTo(200);
    assertThat(fixture.get("/api/v1/apps", bystander).status()).isEqualTo(200);
    int exchanges = fixture.users.hits(EXCHANGE);

    // as user-service does on DELETE: the id is listed and the secret no longer exchanges
    fixture.users.personalTokens.remove(secret);
    fixture.users.revokedTokens.add(patId);
    await(fixture.users.hitsReached(LIST, fixture.users.hits(LIST) + 2));

    Reply refused = fixture.get("/api/v1/apps", secret);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.code()).isEqualTo(10002);
    assertThat(fixture.users.hits(EXCHANGE))
        .as("the cached access token was dropped, so user-service was asked again")
        .isEqualTo(exchanges + 1);
    // a refusal is remembered for a while: retries do not become calls
    assertThat(fixture.get("/api/v1/apps", secret).status()).isEqualTo(401);
    assertThat(fixture.users.hits(EXCHANGE)).isEqualTo(exchanges + 1);
    assertThat(fixture.get("/api/v1/apps", bystander).status()).isEqualTo(200);
    fixture.users.revokedTokens.remove(patId);
  }

  @Test
  void
      unknown_and_malformed_personal_tokens_answer_401_and_malformed_ones_never_reach_user_service() {
    int exchanges = fixture.users.hits(EXCHANGE);

    for (String malformed :
        new String[] {"astro_pat_", "astro_pat_short", "astro_pat_" + "!".repeat(43)}) {
      Reply reply = fixture.get("/api/v1/apps", malformed);
      assertThat(reply.status()).isEqualTo(401);
      assertThat(reply.code()).isEqualTo(10002);
    }
    assertThat(fixture.users.hits(EXCHANGE)).isEqualTo(exchanges);

    Reply unknown = fixture.get("/api/v1/apps", secret());
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(fixture.users.hits(EXCHANGE)).isEqualTo(exchanges + 1);
  }

  @Test
  void guessing_personal_tokens_is_held_to_the_addresss_login_rate_without_asking_user_service() {
    try (GatewayFixture limited =
        new GatewayFixture()
            .with("ASTRO_GATEWAY_AUTH_RATE", "3")
            .with("ASTRO_GATEWAY_TRUST_FORWARDED", "true")
            .start()) {
      String good = secret();
      String patId = UUID.randomUUID().toString();
      limited.users.personalTokens.put(
          good,
          () ->
              limited
                  .issuer
                  .issuePersonal(
                      "3f6c2a9e-0000-4000-8000-" + patId.substring(24),
                      42,
                      "user",
                      0,
                      TokenScope.WRITE,
                      patId,
                      Duration.ofMinutes(5),
                      Instant.now().plus(Duration.ofDays(1)))
                  .token());
      // the owner's token is exchanged once, from the owner's address
      assertThat(fromAddress(limited, "7.7.7.7", good).status()).isEqualTo(200);
      int exchanges = limited.users.hits(EXCHANGE);

      // a guesser's address: each unknown token costs an exchange, up to the login rate (3)
      for (int i = 0; i < 3; i++) {
        assertThat(fromAddress(limited, "6.6.6.6", secret()).status()).isEqualTo(401);
      }
      Reply refused = fromAddress(limited, "6.6.6.6", secret());

      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.code()).isEqualTo(10008);
      assertThat(refused.headers().get("Retry-After")).isNotBlank();
      assertThat(limited.users.hits(EXCHANGE)).isEqualTo(exchanges + 3);
      // the same budget as its logins
      MultiMap login =
          MultiMap.caseInsensitiveMultiMap()
              .add("Content-Type", "application/json")
              .add("X-Forwarded-For", "6.6.6.6");
      assertThat(
              limited
                  .send(
                      HttpMethod.POST,
                      "/api/v1/login",
                      login,
                      Buffer.buffer("{\"username\":\"a\",\"password\":\"b\"}"))
                  .status())
          .isEqualTo(429);
      // a token already known is served from the cache whatever the address's budget; other
      // addresses have budgets of their own
      assertThat(fromAddress(limited, "6.6.6.6", good).status()).isEqualTo(200);
      assertThat(fromAddress(limited, "8.8.8.8", secret()).status()).isEqualTo(401);
      assertThat(limited.users.hits(EXCHANGE)).isEqualTo(exchanges + 4);
    }
  }

  private static Reply fromAddress(GatewayFixture gateway, String address, String token) {
    return gateway.send(
        HttpMethod.GET,
        "/api/v1/apps",
        MultiMap.caseInsensitiveMultiMap()
            .add("Authorization", "Bearer " + token)
            .add("X-Forwarded-For", address),
        null);
  }

  @Test
  void an_access_token_near_its_end_is_renewed_in_the_background_while_requests_are_served() {
    String secret = secret();
    String patId = UUID.randomUUID().toString();
    AtomicInteger issued = new AtomicInteger();
    // a lifetime inside the refresh window from the start: every cached use asks for a fresh one
    fixture.users.personalTokens.put(
        secret,
        () -> {
          issued.incrementAndGet();
          return access(patId, TokenScope.WRITE, Duration.ofSeconds(60));
        });

    Reply first = fixture.get("/api/v1/apps", secret);
    Reply second = fixture.get("/api/v1/apps", secret);

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    fixture.eventually("a background exchange", () -> issued.get() >= 2);
  }

  @Test
  void when_user_service_cannot_be_asked_an_uncached_personal_token_answers_503() {
    String cached = secret();
    fixture.users.personalTokens.put(
        cached,
        () -> access(UUID.randomUUID().toString(), TokenScope.WRITE, Duration.ofMinutes(5)));
    String uncached = secret();
    fixture.users.personalTokens.put(
        uncached,
        () -> access(UUID.randomUUID().toString(), TokenScope.WRITE, Duration.ofMinutes(5)));
    assertThat(fixture.get("/api/v1/apps", cached).status()).isEqualTo(200);

    fixture.users.stop();
    try {
      Reply unavailable = fixture.get("/api/v1/apps", uncached);
      assertThat(unavailable.status()).isEqualTo(503);
      assertThat(unavailable.code()).isEqualTo(30005);
      assertThat(fixture.get("/api/v1/apps", cached).status())
          .as("a cached access token needs no exchange")
          .isEqualTo(200);
    } finally {
      fixture.users.start();
    }
    assertThat(fixture.get("/api/v1/apps", uncached).status()).isEqualTo(200);
  }

  private static String access(String patId, TokenScope scope, Duration lifetime) {
    return fixture
        .issuer
        .issuePersonal(
            "3f6c2a9e-0000-4000-8000-" + patId.substring(24),
            42,
            "user",
            0,
            scope,
            patId,
            lifetime,
            Instant.now().plus(Duration.ofDays(1)))
        .token();
  }

  private static String secret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "astro_pat_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
