package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.EventStreamClient;
import io.astro.testkit.EventStreamClient.Event;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streams through the whole system: a user's status stream shows their app as the cluster runs it,
 * and one user holding as many streams as they can leaves every other user's calls and streams
 * alone.
 */
class StreamsEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  private static final String STREAM = "/api/v1/apps/stream";

  @Test
  void a_users_status_stream_shows_their_new_app_becoming_running() {
    Gateway api = astro.gateway();
    User user = api.newUser("stream");

    try (EventStreamClient stream = open(user)) {
      assertThat(stream.status()).as(stream.body()).isEqualTo(200);
      assertThat(json(stream.await("snapshot", Gateway.WAIT)).getJsonArray("items")).isEmpty();

      String id = api.create(user, "live", 1).getString("id");

      JsonObject running =
          json(
              stream.await(
                  "the app running",
                  Gateway.WAIT,
                  e ->
                      "app".equals(e.name())
                          && id.equals(json(e).getString("id"))
                          && "running".equals(json(e).getString("status"))));
      assertThat(running.getString("name")).isEqualTo("live");
      assertThat(running.getInteger("ready_replicas")).isEqualTo(1);
    }
  }

  @Test
  void fifty_streams_of_one_user_stop_at_the_cap_and_another_users_calls_stay_200() {
    Gateway api = astro.gateway();
    User greedy = api.newUser("greedy");
    User other = api.newUser("other");
    List<EventStreamClient> streams = new ArrayList<>();
    try {
      int refused = 0;
      for (int i = 0; i < 50; i++) {
        EventStreamClient stream = open(greedy);
        streams.add(stream);
        if (stream.status() != 200) {
          refused++;
          // every refusal is one the API document allows: 429 in the envelope
          ApiContract.get()
              .check("GET", STREAM, stream.status(), stream.contentType(), stream.body());
          assertThat(stream.status()).isEqualTo(429);
          assertThat(new JsonObject(stream.body()).getJsonObject("data").getInteger("max_streams"))
              .isEqualTo(10);
        }
        assertThat(api.get("/api/v1/apps", other.token()).status()).isEqualTo(200);
      }
      assertThat(refused).isEqualTo(40);
      assertThat(api.get("/api/v1/quota", other.token()).status()).isEqualTo(200);
      assertThat(api.get("/api/v1/users/me", other.token()).status()).isEqualTo(200);

      EventStreamClient own = open(other);
      streams.add(own);
      assertThat(own.status()).isEqualTo(200);
      own.await("snapshot", Gateway.WAIT);
    } finally {
      streams.forEach(EventStreamClient::close);
    }
  }

  private static EventStreamClient open(User user) {
    return EventStreamClient.open(astro.dev().gatewayUrl() + STREAM, user.token(), Gateway.WAIT);
  }

  private static JsonObject json(Event event) {
    return new JsonObject(event.data());
  }
}
