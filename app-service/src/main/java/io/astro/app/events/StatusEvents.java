package io.astro.app.events;

import io.astro.app.apps.Observation;
import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.cloudevents.CloudEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Reads {@code io.astro.app.status.v1} events (schema: {@code
 * docs/events/io.astro.app.status.v1.json}, the contract the sync-worker publishes). Anything that
 * does not fit is an {@link InvalidEventException}: a poison message for the dead-letter topic,
 * since reading it again would fail again.
 */
public final class StatusEvents {

  public static final String TYPE = "io.astro.app.status.v1";
  public static final Set<String> STATUSES =
      Set.of(
          "pending",
          "starting",
          "running",
          "stopped",
          "restarting",
          "failed",
          "deleting",
          "deleted",
          "unknown");
  private static final int MAX_REASON = 255;
  private static final int MAX_MESSAGE = 1024;

  private StatusEvents() {}

  public static Observation parse(String value) {
    CloudEvent event =
        EventCodec.decode(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    if (!TYPE.equals(event.getType())) {
      throw new InvalidEventException("unexpected event type " + event.getType());
    }
    JsonObject data = EventCodec.data(event);
    try {
      String appId = data.getString("appId");
      String status = data.getString("status");
      if (appId == null || appId.length() != 36) {
        throw new InvalidEventException("appId missing or not a UUID");
      }
      if (!STATUSES.contains(status)) {
        throw new InvalidEventException("status " + status + " is not one of " + STATUSES);
      }
      Long generation = data.getLong("observedGeneration");
      String observedAt = data.getString("observedAt");
      if (generation == null || generation < 0 || observedAt == null) {
        throw new InvalidEventException("observedGeneration and observedAt are required");
      }
      JsonArray pods = data.getJsonArray("pods", new JsonArray());
      for (Object pod : pods) {
        if (!(pod instanceof JsonObject p) || !(p.getValue("name") instanceof String)) {
          throw new InvalidEventException("every pod needs a name");
        }
      }
      return new Observation(
          appId,
          status,
          count(data, "desiredReplicas"),
          count(data, "readyReplicas"),
          pods,
          cut(data.getString("reason"), MAX_REASON),
          cut(data.getString("message"), MAX_MESSAGE),
          generation,
          Instant.parse(observedAt));
    } catch (ClassCastException | DateTimeParseException e) {
      throw new InvalidEventException("malformed status data: " + e.getMessage());
    }
  }

  private static int count(JsonObject data, String field) {
    Integer value = data.getInteger(field);
    if (value == null || value < 0) {
      throw new InvalidEventException(field + " is required and must not be negative");
    }
    return value;
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }
}
