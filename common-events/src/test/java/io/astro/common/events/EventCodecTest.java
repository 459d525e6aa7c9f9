package io.astro.common.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventCodecTest {

  private final JsonObject data = new JsonObject().put("appId", 42).put("status", "running");

  @Test
  void events_are_structured_json_with_data_as_an_object() {
    CloudEvent event =
        EventCodec.create("io.astro.app.status.v1", "/astro/sync-worker", "42", data);

    JsonObject json = new JsonObject(Buffer.buffer(EventCodec.encode(event)));

    assertThat(json.getString("specversion")).isEqualTo("1.0");
    assertThat(json.getString("id")).isNotBlank();
    assertThat(json.getString("type")).isEqualTo("io.astro.app.status.v1");
    assertThat(json.getString("source")).isEqualTo("/astro/sync-worker");
    assertThat(json.getString("subject")).isEqualTo("42");
    assertThat(json.getString("datacontenttype")).isEqualTo("application/json");
    assertThat(json.getString("time")).isNotBlank();
    assertThat(json.getJsonObject("data")).isEqualTo(data);
    assertThat(json.containsKey("data_base64")).isFalse();
  }

  @Test
  void decode_reverses_encode() {
    CloudEvent event =
        EventCodec.create("io.astro.app.status.v1", "/astro/sync-worker", "42", data);

    CloudEvent decoded = EventCodec.decode(EventCodec.encode(event));

    assertThat(decoded.getId()).isEqualTo(event.getId());
    assertThat(decoded.getType()).isEqualTo(event.getType());
    assertThat(decoded.getTime()).isEqualTo(event.getTime());
    assertThat(EventCodec.data(decoded)).isEqualTo(data);
  }

  @Test
  void values_that_are_not_cloud_events_are_rejected_as_invalid() {
    assertThatThrownBy(() -> EventCodec.decode("{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventCodec.InvalidEventException.class);
    assertThatThrownBy(() -> EventCodec.decode("{\"hello\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EventCodec.InvalidEventException.class);
    assertThatThrownBy(() -> EventCodec.decode(new byte[0]))
        .isInstanceOf(EventCodec.InvalidEventException.class);
  }

  @Test
  void dead_letter_topics_sit_beside_their_source() {
    assertThat(Topics.deadLetter(Topics.APP_COMMANDS)).isEqualTo("astro.app.commands.dlq");
  }
}
