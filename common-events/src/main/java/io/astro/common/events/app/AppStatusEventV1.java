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
 * observed state of one app before releases. No longer produced; app-service still reads such
 * records as the {@link AppStatusEvent} they mean ({@link #toCurrent()}).
 */
public record AppStatusEventV1(String appId, String cluster, AppState state, Instant observedAt) {

  public static final String TYPE = "io.astro.app.status.v1";
  public static final String SOURCE = "/astro/sync-worker";

  /** {@code state} (of v1's fields: no release, no warnings) of app {@code appId}. */
  public static AppStatusEventV1 observed(
      String appId, String cluster, AppState state, Instant observedAt) {
    return new AppStatusEventV1(appId, cluster, state, observedAt);
  }

  /** The same observation as a current event: release 0 (before releases), no warnings. */
  public AppStatusEvent toCurrent() {
    return AppStatusEvent.observed(appId, cluster, state, observedAt);
  }

  public JsonObject toData() {
    JsonObject data = new JsonObject();
    state.writeV1(data);
    return data.put("appId", appId)
        .put("cluster", cluster)
        .put("observedAt", observedAt.toString());
  }

  /** The record value: the CloudEvent as JSON text, subject = app id. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, appId, toData()));
  }

  /** Reads and checks a record value; anything off the contract is an invalid (poison) event. */
  public static AppStatusEventV1 decode(String value) {
    return fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
  }

  public static AppStatusEventV1 fromData(JsonObject data) {
    return new AppStatusEventV1(
        matching(data, "appId", EventFields.UUID, 36),
        string(data, "cluster"),
        AppState.readV1(data),
        instant(data, "observedAt"));
  }
}
