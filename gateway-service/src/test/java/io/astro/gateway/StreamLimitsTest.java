package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.gateway.GatewayFixture.Reply;
import io.astro.testkit.EventStreamClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streams at the edge (log follows, the apps' status stream): each user holds a bounded number at
 * once, and streams hold places of their own, never the ones ordinary calls need — so one user's
 * streams leave everyone else's calls alone. Each stream ends after its lifetime.
 */
class StreamLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(GatewayFixture.WAIT_SECONDS);
  private static final String FOLLOW = FakeUpstream.LOGS + "?follow=true";

  @Test
  void one_users_fifty_streams_stop_at_the_cap_and_another_users_calls_stay_200() {
    // ordinary calls get 4 places per upstream, fewer than one user's streams: if streams took
    // them, every ordinary call would answer 503
    try (GatewayFixture fixture =
        new GatewayFixture()
            .with("ASTRO_GATEWAY_BULKHEAD", "4")
            .with("ASTRO_GATEWAY_STREAMS_PER_USER", "10")
            .with("ASTRO_GATEWAY_USER_RATE", "100000")
            .start()) {
      String a = fixture.token();
      String b = fixture.token();
      List<EventStreamClient> streams = new ArrayList<>();
      try {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          // log follows and status streams together
          EventStreamClient stream = open(fixture, i % 2 == 0 ? FakeUpstream.STREAM : FOLLOW, a);
          streams.add(stream);
          statuses.add(stream.status());
          if (stream.status() == 429) {
            JsonObject envelope = new JsonObject(stream.body());
            assertThat(envelope.getInteger("code")).isEqualTo(10008);
            assertThat(envelope.getString("message")).contains("streams");
            assertThat(envelope.getJsonObject("data").getInteger("max_streams")).isEqualTo(10);
          }
          Reply list = fixture.get("/api/v1/apps", b);
          assertThat(list.status())
              .as("B's call with %d of A's streams open", i + 1)
              .isEqualTo(200);
        }

        assertThat(statuses.subList(0, 10)).containsOnly(200);
        assertThat(statuses.subList(10, 50)).containsOnly(429);
        // refused at the edge: the upstream saw only the streams let through
        assertThat(fixture.apps.hits(FakeUpstream.STREAM) + fixture.apps.hits(FakeUpstream.LOGS))
            .isEqualTo(10);
        // A's ordinary calls go on too, and B opens streams of B's own
        assertThat(fixture.get("/api/v1/apps", a).status()).isEqualTo(200);
        EventStreamClient own = open(fixture, FakeUpstream.STREAM, b);
        streams.add(own);
        assertThat(own.status()).isEqualTo(200);
        own.await("snapshot", WAIT);
      } finally {
        fixture.apps.releaseLogs.tryComplete();
        streams.forEach(EventStreamClient::close);
      }
    }
  }

  @Test
  void a_stream_ends_after_its_lifetime_and_its_place_is_free_again() {
    try (GatewayFixture fixture =
        new GatewayFixture()
            .with("ASTRO_GATEWAY_STREAMS_PER_USER", "1")
            .with("ASTRO_GATEWAY_STREAM_LIFETIME", "300ms")
            .start()) {
      String token = fixture.token();
      try (EventStreamClient stream = open(fixture, FakeUpstream.STREAM, token)) {
        assertThat(stream.status()).isEqualTo(200);
        stream.await("snapshot", WAIT);

        stream.awaitEnd(WAIT);
        // the gateway hung up on the upstream as well
        fixture.eventually(
            "the upstream stream hung up", () -> fixture.apps.streamsHungUp.get() == 1);
      }
      fixture.eventually(
          "the user's one place free again",
          () -> {
            try (EventStreamClient again = open(fixture, FakeUpstream.STREAM, token)) {
              return again.status() == 200;
            }
          });
    }
  }

  @Test
  void a_stream_its_client_leaves_is_hung_up_upstream_at_once_and_its_place_is_free_again() {
    try (GatewayFixture fixture =
        new GatewayFixture().with("ASTRO_GATEWAY_STREAMS_PER_USER", "1").start()) {
      String token = fixture.token();
      try (EventStreamClient stream = open(fixture, FakeUpstream.STREAM, token)) {
        assertThat(stream.status()).isEqualTo(200);
        stream.await("snapshot", WAIT);
      }

      // the upstream sends nothing more: nothing but the client's leaving tells the gateway
      fixture.eventually(
          "the upstream stream hung up", () -> fixture.apps.streamsHungUp.get() == 1);
      try (EventStreamClient again = open(fixture, FakeUpstream.STREAM, token)) {
        assertThat(again.status()).isEqualTo(200);
      }
    }
  }

  private static EventStreamClient open(GatewayFixture fixture, String path, String token) {
    return EventStreamClient.open(
        "http://127.0.0.1:" + fixture.gateway.httpPort() + path, token, WAIT);
  }
}
