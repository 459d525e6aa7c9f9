package io.astro.common.events.app;

import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.string;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventFields;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * {@code io.astro.app.status.v1} (schema: {@code docs/events/io.astro.app.status.v1.json}): the
 * observed state of one app. Produced by the sync-worker on {@code astro.app.status} (key = app
 * id), consumed by app-service, which applies an event only when (observedGeneration, observedAt)
 * is newer than what it holds.
 */
public record AppStatusEvent(String appId, String cluster, AppState state, Instant observedAt) {

  public static final String TYPE = "io.astro.app.status.v1";
  public static final String SOURCE = "/astro/sync-worker";

  /** {@code state} of app {@code appId} on {@code cluster}, seen at {@code observedAt}. */
  public static AppStatusEvent observed(
      String appId, String cluster, AppState state, Instant observedAt) {
    return new AppStatusEvent(appId, cluster, state, observedAt);
  }

  public JsonObject toData() {
    JsonObject data = new JsonObject();
    state.writeTo(data);
    return data.put("appId", appId)
        .put("cluster", cluster)
        .put("observedAt", observedAt.toString());
  }

  /** The record value: the CloudEvent as JSON text, subject = app id. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, appId, toData()));
  }

  /** Reads and checks a record value; anything off the contract is an invalid (poison) event. */
  public static AppStatusEvent decode(String value) {
    return fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
  }

  public static AppStatusEvent fromData(JsonObject data) {
    return new AppStatusEvent(
        matching(data, "appId", EventFields.UUID, 36),
        string(data, "cluster"),
        AppState.readFrom(data),
        instant(data, "observedAt"));
  }
}
