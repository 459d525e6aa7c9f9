package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.gateway.GatewayFixture.Reply;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream trouble: refusals come at once as 503 envelopes (the configured timeout is far longer
 * than any wait here), the breaker opens and later closes again, and only idempotent requests are
 * retried.
 */
class ResilienceTest {

  private static final String APPS = "/api/v1/apps";
  private GatewayFixture fixture;

  @BeforeEach
  void start() {
    fixture =
        new GatewayFixture()
            .with("ASTRO_GATEWAY_UPSTREAM_TIMEOUT", "60s")
            .with("ASTRO_GATEWAY_BREAKER_WINDOW", "4")
            .with("ASTRO_GATEWAY_BREAKER_MIN_CALLS", "4")
            .with("ASTRO_GATEWAY_BREAKER_OPEN_FOR", "2s")
            .with("ASTRO_GATEWAY_BREAKER_HALF_OPEN_CALLS", "1")
            .with("ASTRO_GATEWAY_USER_RATE", "10000")
            .start();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void a_stopped_upstream_answers_503_at_once_not_after_the_timeout() {
    fixture.apps.stop();

    // GatewayFixture waits 20 s at most, the gateway's timeout is 60 s: only a prompt refusal gets
    // here
    Reply get = fixture.get(APPS, fixture.token());
    Reply post = fixture.post(APPS, fixture.token(), "{}");

    assertThat(get.status()).isEqualTo(503);
    assertThat(get.code()).isEqualTo(30005);
    assertThat(get.json().getString("message")).contains("app-service");
    assertThat(post.status()).isEqualTo(503);
  }

  @Test
  void a_write_left_unanswered_past_the_timeout_is_504_outcome_unknown_never_503() {
    fixture.close();
    fixture =
        new GatewayFixture()
            .with("ASTRO_GATEWAY_UPSTREAM_TIMEOUT", "1s")
            .with("ASTRO_GATEWAY_USER_RATE", "10000")
            .start();
    String token = fixture.token();

    // it reached the upstream, which may have acted on it: a 503 would say it did not
    Reply post = fixture.post(FakeUpstream.SILENT, token, "{}");
    Reply delete =
        fixture.send(HttpMethod.DELETE, FakeUpstream.SILENT, GatewayFixture.bearer(token), null);
    // a read changes nothing either way: unavailable, as before
    Reply get = fixture.get(FakeUpstream.SILENT, token);

    assertThat(post.status()).isEqualTo(504);
    assertThat(post.code()).isEqualTo(30006);
    assertThat(post.json().getString("message")).contains("app-service", "Idempotency-Key");
    assertThat(delete.status()).isEqualTo(504);
    assertThat(get.status()).isEqualTo(503);
    assertThat(get.code()).isEqualTo(30005);
  }

  @Test
  void
      the_breaker_opens_on_failures_refuses_without_calling_and_closes_when_the_upstream_recovers() {
    String token = fixture.token();
    fixture.apps.failNext(Integer.MAX_VALUE, 503);
    for (int i = 0; i < 4; i++) {
      // POST: one upstream call each, the upstream's own 503 passed on
      assertThat(fixture.post(APPS, token, "{}").code()).isEqualTo(30002);
    }
    int hits = fixture.apps.hits(APPS);

    Reply refused = fixture.post(APPS, token, "{}");

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.code()).isEqualTo(30005);
    assertThat(fixture.apps.hits(APPS)).as("an open breaker does not call").isEqualTo(hits);
    assertThat(fixture.metrics())
        .containsPattern(
            "resilience4j_circuitbreaker_state\\{[^}]*name=\"app-service\"[^}]*state=\"open\"[^}]*} 1\\.0");

    fixture.apps.heal();
    fixture.eventually(
        "the breaker half-opens and lets a call through",
        () -> fixture.post(APPS, token, "{}").status() == 200);
    assertThat(fixture.metrics())
        .containsPattern(
            "resilience4j_circuitbreaker_state\\{[^}]*name=\"app-service\"[^}]*state=\"closed\"[^}]*} 1\\.0");
  }

  @Test
  void get_is_retried_until_it_succeeds_post_never() {
    String token = fixture.token();
    fixture.apps.failNext(2, 503);
    int before = fixture.apps.hits(APPS);

    assertThat(fixture.get(APPS, token).status()).isEqualTo(200);
    assertThat(fixture.apps.hits(APPS) - before).isEqualTo(3);

    fixture.apps.failNext(1, 503);
    before = fixture.apps.hits(APPS);
    assertThat(fixture.post(APPS, token, "{}").status()).isEqualTo(503);
    assertThat(fixture.apps.hits(APPS) - before).isEqualTo(1);
    assertThat(fixture.metrics())
        .containsPattern(
            "resilience4j_retry_calls_total\\{[^}]*kind=\"successful_with_retry\"[^}]*name=\"app-service\"[^}]*} 1\\.0");
  }

  @Test
  void retries_give_up_after_the_configured_attempts_and_pass_the_last_answer_on() {
    fixture.apps.failNext(Integer.MAX_VALUE, 502);
    int before = fixture.apps.hits(APPS);

    Reply reply = fixture.get(APPS, fixture.token());

    assertThat(reply.status()).isEqualTo(502);
    assertThat(fixture.apps.hits(APPS) - before).isEqualTo(3);
  }
}
