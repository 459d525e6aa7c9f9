package io.astro.common.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventDeserializationException;
import io.cloudevents.jackson.JsonFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * CloudEvents 1.0 in structured JSON mode: the record value is the whole event ({@code specversion,
 * id, source, type, time, subject, datacontenttype, data}) with {@code data} as a JSON object, not
 * base64. Integrations depend on this shape; types carry their version ({@code
 * io.astro.app.status.v1}).
 */
public final class EventCodec {

  public static final String DATA_CONTENT_TYPE = "application/json";

  private static final JsonFormat FORMAT = new JsonFormat();

  private EventCodec() {}

  /**
   * A new event with a fresh id and the current time. {@code source} names the producer, e.g.
   * {@code /astro/app-service}.
   */
  public static CloudEvent create(String type, String source, String subject, JsonObject data) {
    return CloudEventBuilder.v1()
        .withId(UUID.randomUUID().toString())
        .withSource(URI.create(source))
        .withType(type)
        .withTime(OffsetDateTime.now(ZoneOffset.UTC))
        .withSubject(subject)
        .withDataContentType(DATA_CONTENT_TYPE)
        .withData(data.toBuffer().getBytes())
        .build();
  }

  public static byte[] encode(CloudEvent event) {
    return FORMAT.serialize(event);
  }

  /** The event as a record value: JSON text, UTF-8 whatever the platform's default charset. */
  public static String encodeText(CloudEvent event) {
    return new String(encode(event), StandardCharsets.UTF_8);
  }

  /**
   * Reads a record value (UTF-8 JSON text) that must be an event of {@code type}; anything else is
   * an {@link InvalidEventException}.
   */
  public static CloudEvent decode(String value, String type) {
    CloudEvent event = decode(value);
    if (!type.equals(event.getType())) {
      throw new InvalidEventException("unexpected event type " + event.getType());
    }
    return event;
  }

  /**
   * Reads a record value (UTF-8 JSON text) of any type, for a consumer of a topic that carries more
   * than one: it reads the type, then the data, from this one parse.
   */
  public static CloudEvent decode(String value) {
    return decode(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses a record value; a value that is not a CloudEvent is a poison message for the caller's
   * DLQ.
   */
  public static CloudEvent decode(byte[] value) {
    if (value == null || value.length == 0) {
      throw new InvalidEventException("empty record value");
    }
    try {
      return FORMAT.deserialize(value);
    } catch (EventDeserializationException | IllegalStateException | IllegalArgumentException e) {
      throw new InvalidEventException("not a CloudEvent: " + e.getMessage());
    }
  }

  /**
   * The event's data as JSON; an event without a JSON object payload is invalid for Astro's types.
   */
  public static JsonObject data(CloudEvent event) {
    if (event.getData() == null) {
      throw new InvalidEventException("event " + event.getId() + " has no data");
    }
    try {
      return new JsonObject(Buffer.buffer(event.getData().toBytes()));
    } catch (RuntimeException e) {
      throw new InvalidEventException("event " + event.getId() + " data is not a JSON object");
    }
  }

  /** A record that cannot be read as the event it claims to be. */
  public static final class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
      super(message);
    }
  }
}
