package io.astro.app.events;

import io.astro.app.clusters.Cluster;
import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.cloudevents.CloudEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Reads {@code io.astro.cluster.status.v1} health checks (schema: {@code docs/events/}), published
 * by the sync-worker. Anything off the contract is an {@link InvalidEventException} for the
 * dead-letter topic.
 */
public final class ClusterStatusEvents {

  public static final String TYPE = "io.astro.cluster.status.v1";
  private static final Set<String> STATUSES = Set.of("healthy", "unhealthy");

  private ClusterStatusEvents() {}

  public static Cluster.State parse(String value) {
    CloudEvent event =
        EventCodec.decode(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    if (!TYPE.equals(event.getType())) {
      throw new InvalidEventException("unexpected event type " + event.getType());
    }
    JsonObject data = EventCodec.data(event);
    try {
      String name = data.getString("name");
      String status = data.getString("status");
      if (name == null || name.isEmpty() || name.length() > 63) {
        throw new InvalidEventException("name missing or too long");
      }
      if (!STATUSES.contains(status)) {
        throw new InvalidEventException("unknown cluster status " + status);
      }
      Number cpu = data.getNumber("cpuCores");
      String error = data.getString("error");
      return new Cluster.State(
          name,
          status,
          cut(data.getString("version"), 64),
          cut(data.getString("apiServer"), 512),
          data.getInteger("nodes"),
          data.getInteger("readyNodes"),
          cpu == null ? null : cpu.doubleValue(),
          data.getLong("memoryBytes"),
          instant(data.getString("heartbeatAt")),
          cut(error, 1024),
          required(instant(data.getString("checkedAt"))));
    } catch (ClassCastException | DateTimeParseException e) {
      throw new InvalidEventException(
          "cluster status has a field of the wrong type: " + e.getMessage());
    }
  }

  private static Instant required(Instant checkedAt) {
    if (checkedAt == null) {
      throw new InvalidEventException("checkedAt missing");
    }
    return checkedAt;
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }
}
