package io.astro.common.events.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The optional {@code certificates} of status v2: absent reads as none, off-contract is poison. */
class AppStatusEventTest {

  private static final String APP = "0b6f8a36-2f7e-4f5e-9a55-6b3c1b3c9d01";
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static JsonObject data() {
    return AppStatusEvent.observed(APP, "eu-1", AppState.withoutPods(AppStatus.RUNNING, 1, 3), T0)
        .reachableAt("https://web-u7.apps.example", List.of("www.example.org"))
        .toData();
  }

  private static String encode(JsonObject data) {
    return EventCodec.encodeText(
        EventCodec.create(AppStatusEvent.TYPE, AppStatusEvent.SOURCE, APP, data));
  }

  @Test
  void a_status_without_certificates_from_an_older_worker_carries_none() {
    JsonObject data = data();
    data.remove("certificates");

    assertThat(AppStatusEvent.decode(encode(data)).certificates()).isEmpty();
  }

  @Test
  void certificates_are_read_back_with_their_state_and_reason() {
    JsonObject data =
        data()
            .put(
                "certificates",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("host", "www.example.org")
                            .put("state", "failed")
                            .put("reason", "Failed")));

    assertThat(AppStatusEvent.decode(encode(data)).certificates())
        .containsExactly(
            new AppStatusEvent.Certificate("www.example.org", CertificateState.FAILED, "Failed"));
  }

  @Test
  void an_unknown_certificate_state_or_a_long_reason_is_poison() {
    JsonObject unknown =
        data()
            .put(
                "certificates",
                new JsonArray()
                    .add(new JsonObject().put("host", "www.example.org").put("state", "expired")));
    JsonObject chatty =
        data()
            .put(
                "certificates",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("host", "www.example.org")
                            .put("state", "failed")
                            .put("reason", "x".repeat(65))));

    assertThatThrownBy(() -> AppStatusEvent.decode(encode(unknown)))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("expired");
    assertThatThrownBy(() -> AppStatusEvent.decode(encode(chatty)))
        .isInstanceOf(InvalidEventException.class);
  }
}
