package io.astro.common.events.app;

import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.string;
import static io.astro.common.events.EventFields.strings;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.EventFields;
import io.cloudevents.CloudEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * {@code io.astro.app.status.v2} (schema: {@code docs/events/io.astro.app.status.v2.json}): the
 * observed state of one app. Produced by the sync-worker on {@code astro.app.status} (key = app
 * id), consumed by app-service, which applies an event only when (observedGeneration, observedAt)
 * is newer than what it holds, and reads {@link AppStatusEventV1} records too ({@link #read}).
 * {@code url} and {@code domains} are where the app answers, when it does (null and empty until
 * then).
 */
public record AppStatusEvent(
    String appId,
    String cluster,
    AppState state,
    Instant observedAt,
    String url,
    List<String> domains) {

  public static final String TYPE = "io.astro.app.status.v2";
  public static final String SOURCE = "/astro/sync-worker";

  public AppStatusEvent {
    domains = List.copyOf(domains);
  }

  /** {@code state} of app {@code appId} on {@code cluster}, seen at {@code observedAt}. */
  public static AppStatusEvent observed(
      String appId, String cluster, AppState state, Instant observedAt) {
    return new AppStatusEvent(appId, cluster, state, observedAt, null, List.of());
  }

  public AppStatusEvent reachableAt(String address, List<String> names) {
    return new AppStatusEvent(appId, cluster, state, observedAt, address, names);
  }

  public JsonObject toData() {
    JsonObject data = new JsonObject();
    state.writeTo(data);
    return data.put("appId", appId)
        .put("cluster", cluster)
        .put("observedAt", observedAt.toString())
        .put("url", url)
        .put("domains", new JsonArray(domains));
  }

  /** The record value: the CloudEvent as JSON text, subject = app id. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, appId, toData()));
  }

  /** Reads and checks a v2 record value; anything off the contract is an invalid (poison) event. */
  public static AppStatusEvent decode(String value) {
    return fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
  }

  /** Reads a record of either version: a v1 status is the current one it means. */
  public static AppStatusEvent read(String value) {
    CloudEvent event =
        EventCodec.decode(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    if (AppStatusEventV1.TYPE.equals(event.getType())) {
      return AppStatusEventV1.fromData(EventCodec.data(event)).toCurrent();
    }
    if (!TYPE.equals(event.getType())) {
      throw new InvalidEventException("unexpected event type " + event.getType());
    }
    return fromData(EventCodec.data(event));
  }

  public static AppStatusEvent fromData(JsonObject data) {
    List<String> domains = strings(data, "domains");
    if (domains == null) {
      throw new InvalidEventException("domains is missing");
    }
    return new AppStatusEvent(
        matching(data, "appId", EventFields.UUID, 36),
        string(data, "cluster"),
        AppState.readFrom(data),
        instant(data, "observedAt"),
        string(data, "url"),
        domains);
  }
}
