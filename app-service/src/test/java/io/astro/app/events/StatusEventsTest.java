package io.astro.app.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.app.apps.App;
import io.astro.app.apps.Observation;
import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.events.app.AppStatusEventV1;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusEventsTest {

  private static final String APP = "0b6f3c1e-8a4d-4a51-9d1e-2f0c6b7a9e10";
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void a_valid_event_becomes_an_observation() {
    Observation o = StatusEvents.parse(event(data("running", 2)));
    assertThat(o.appId()).isEqualTo(APP);
    assertThat(o.status()).isEqualTo(AppStatus.RUNNING);
    assertThat(o.observedGeneration()).isEqualTo(2);
    assertThat(o.observedAt()).isEqualTo(T0);
    assertThat(o.gone()).isFalse();
    assertThat(StatusEvents.parse(event(data("deleted", 3))).gone()).isTrue();
  }

  @Test
  void a_v2_event_carries_the_observed_release_and_the_warnings() {
    Observation o =
        StatusEvents.parse(
            event(
                data("updating", 4)
                    .put("observedRelease", 2)
                    .put(
                        "warnings",
                        new JsonArray()
                            .add(
                                new JsonObject()
                                    .put("reason", "BackOff")
                                    .put("message", "Back-off restarting failed container")
                                    .put("count", 3)
                                    .put("lastSeen", T0.toString())))));
    assertThat(o.status()).isEqualTo(AppStatus.UPDATING);
    assertThat(o.observedRelease()).isEqualTo(2);
    assertThat(o.warnings().getJsonObject(0).getString("reason")).isEqualTo("BackOff");
    assertThat(o.warnings().getJsonObject(0).getInteger("count")).isEqualTo(3);
  }

  @Test
  void a_v1_event_still_on_the_topic_reads_as_release_0_without_warnings() {
    JsonObject v1 = data("running", 2);
    v1.remove("observedRelease");
    v1.remove("warnings");
    v1.remove("url");
    v1.remove("domains");
    Observation o =
        StatusEvents.parse(
            EventCodec.encodeText(
                EventCodec.create(AppStatusEventV1.TYPE, AppStatusEventV1.SOURCE, APP, v1)));
    assertThat(o.status()).isEqualTo(AppStatus.RUNNING);
    assertThat(o.observedGeneration()).isEqualTo(2);
    assertThat(o.observedRelease()).isZero();
    assertThat(o.warnings()).isEmpty();
  }

  @Test
  void anything_off_contract_is_an_invalid_event() {
    for (String bad :
        new String[] {
          null,
          "",
          "{}",
          "[1]",
          event(data("sleeping", 1)),
          event(data("running", 1).put("observedAt", "yesterday")),
          event(data("running", 1).put("readyReplicas", "2")),
          event(data("running", 1).put("pods", new JsonArray().add("web-1"))),
          event(data("running", 1).putNull("observedGeneration")),
          event(data("running", 1).put("appId", "short")),
          event(data("running", 1).put("observedRelease", -1)),
          event(data("running", 1).put("warnings", new JsonArray().add("BackOff")))
        }) {
      assertThatThrownBy(() -> StatusEvents.parse(bad))
          .as(String.valueOf(bad))
          .isInstanceOf(InvalidEventException.class);
    }
    String otherType =
        new String(
            EventCodec.encode(
                EventCodec.create("io.astro.app.command.v1", "/x", APP, data("running", 1))),
            StandardCharsets.UTF_8);
    assertThatThrownBy(() -> StatusEvents.parse(otherType))
        .isInstanceOf(InvalidEventException.class);
  }

  @Test
  void only_a_later_generation_or_a_later_look_at_the_same_one_is_news() {
    App.Observed stored =
        new App.Observed(
            1, 1, new JsonArray(), null, null, 2, T0, 0, new JsonArray(), null, new JsonArray());
    assertThat(observation(3, T0.minusSeconds(60)).isNewerThan(stored)).isTrue();
    assertThat(observation(2, T0.plusMillis(1)).isNewerThan(stored)).isTrue();
    assertThat(observation(2, T0).isNewerThan(stored)).isFalse();
    assertThat(observation(2, T0.minusSeconds(1)).isNewerThan(stored)).isFalse();
    assertThat(observation(1, T0.plusSeconds(60)).isNewerThan(stored)).isFalse();
    assertThat(observation(0, T0).isNewerThan(App.Observed.NONE)).isTrue();
  }

  private static Observation observation(long generation, Instant at) {
    return new Observation(
        APP,
        AppStatus.RUNNING,
        1,
        1,
        new JsonArray(),
        null,
        null,
        generation,
        at,
        0,
        new JsonArray(),
        null,
        new JsonArray());
  }

  private static JsonObject data(String status, long generation) {
    return new JsonObject()
        .put("appId", APP)
        .put("status", status)
        .put("desiredReplicas", 1)
        .put("readyReplicas", 1)
        .put("pods", new JsonArray())
        .put("observedGeneration", generation)
        .put("observedRelease", 0)
        .put("warnings", new JsonArray())
        .put("cluster", "eu-1")
        .putNull("url")
        .put("domains", new JsonArray())
        .put("observedAt", T0.toString());
  }

  private static String event(JsonObject data) {
    return EventCodec.encodeText(
        EventCodec.create(AppStatusEvent.TYPE, AppStatusEvent.SOURCE, APP, data));
  }
}
