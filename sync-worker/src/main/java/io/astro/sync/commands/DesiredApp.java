package io.astro.sync.commands;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.cloudevents.CloudEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What one app should look like in its cluster: the whole desired state carried by an {@code
 * io.astro.app.command.v1} record (docs/events/). The latest record per app is all the worker
 * needs.
 */
public record DesiredApp(
    String appId,
    long userId,
    String name,
    String cluster,
    String namespace,
    String k8sName,
    long generation,
    String image,
    int replicas,
    Integer port,
    boolean stopped,
    String restartedAt,
    boolean deleted) {

  public static final String TYPE = "io.astro.app.command.v1";

  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern NAMESPACE = Pattern.compile("astro-user-[0-9]+");

  /** Reads and checks a command record's value; anything off the contract is a poison message. */
  public static DesiredApp parse(String value) {
    CloudEvent event =
        EventCodec.decode(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    if (!TYPE.equals(event.getType())) {
      throw new InvalidEventException("unexpected event type " + event.getType());
    }
    JsonObject data = EventCodec.data(event);
    try {
      JsonObject desired = data.getJsonObject("desired");
      if (desired == null) {
        throw new InvalidEventException("command has no desired state");
      }
      DesiredApp app =
          new DesiredApp(
              matching(data.getString("appId"), UUID, "appId"),
              positive(data.getLong("userId"), "userId"),
              matching(data.getString("name"), DNS_LABEL, "name"),
              required(data.getString("cluster"), "cluster"),
              matching(data.getString("namespace"), NAMESPACE, "namespace"),
              matching(data.getString("k8sName"), DNS_LABEL, "k8sName"),
              positive(data.getLong("generation"), "generation"),
              required(desired.getString("image"), "desired.image"),
              (int) range(desired.getInteger("replicas"), 0, 10, "desired.replicas"),
              desired.getInteger("port") == null
                  ? null
                  : (int) range(desired.getInteger("port"), 1, 65535, "desired.port"),
              Boolean.TRUE.equals(desired.getBoolean("stopped")),
              desired.getString("restartedAt"),
              Boolean.TRUE.equals(desired.getBoolean("deleted")));
      if (app.k8sName.length() > 63 || app.name.length() > 40) {
        throw new InvalidEventException("name or k8sName too long");
      }
      if (!app.appId.equals(event.getSubject())) {
        throw new InvalidEventException("subject " + event.getSubject() + " is not the appId");
      }
      return app;
    } catch (ClassCastException e) {
      throw new InvalidEventException(
          "command data has a field of the wrong type: " + e.getMessage());
    }
  }

  /** The replica count the Deployment should have now. */
  public int runningReplicas() {
    return stopped ? 0 : replicas;
  }

  private static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new InvalidEventException("command lacks " + field);
    }
    return value;
  }

  private static String matching(String value, Pattern pattern, String field) {
    if (!pattern.matcher(required(value, field)).matches()) {
      throw new InvalidEventException("command has an invalid " + field + ": " + value);
    }
    return value;
  }

  private static long positive(Long value, String field) {
    return range(value == null ? null : value, 1, Long.MAX_VALUE, field);
  }

  private static long range(Number value, long min, long max, String field) {
    if (value == null || value.longValue() < min || value.longValue() > max) {
      throw new InvalidEventException("command has " + field + " out of range: " + value);
    }
    return value.longValue();
  }
}
