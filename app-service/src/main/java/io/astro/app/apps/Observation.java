package io.astro.app.apps;

import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.vertx.core.json.JsonArray;
import java.time.Instant;

/**
 * A status event as the store applies it. {@code status} is one of the status schema's values,
 * where {@code deleted} means the app's objects are gone from the cluster; {@code url} is where the
 * app answers publicly (null: nowhere).
 */
public record Observation(
    String appId,
    AppStatus status,
    int desiredReplicas,
    int readyReplicas,
    JsonArray pods,
    String reason,
    String message,
    long observedGeneration,
    Instant observedAt,
    long observedRelease,
    JsonArray warnings,
    String url,
    JsonArray certificates) {

  /** The reason of a release whose pods never became available within the rollout deadline. */
  public static final String ROLLOUT_FAILED = "RolloutFailed";

  /**
   * The event as the store applies it: reason and message cut to what the columns hold (255 and
   * 1024 characters).
   */
  public static Observation of(AppStatusEvent event) {
    AppState s = event.state();
    return new Observation(
        event.appId(),
        s.status(),
        s.desiredReplicas(),
        s.readyReplicas(),
        s.podsJson(),
        cut(s.reason(), 255),
        cut(s.message(), 1024),
        s.observedGeneration(),
        event.observedAt(),
        s.observedRelease(),
        warnings(s.warnings()),
        cut(event.url(), 300),
        certificates(event.certificates()));
  }

  private static JsonArray certificates(java.util.List<AppStatusEvent.Certificate> certificates) {
    JsonArray json = new JsonArray();
    for (AppStatusEvent.Certificate c : certificates) {
      json.add(
          new io.vertx.core.json.JsonObject()
              .put("host", c.host())
              .put("state", c.state().value())
              .put("reason", c.reason()));
    }
    return json;
  }

  private static JsonArray warnings(java.util.List<AppState.Warning> warnings) {
    JsonArray json = new JsonArray();
    for (AppState.Warning w : warnings) {
      json.add(
          new io.vertx.core.json.JsonObject()
              .put("reason", w.reason())
              .put("message", w.message())
              .put("count", w.count())
              .put("lastSeen", w.lastSeen() == null ? null : w.lastSeen().toString()));
    }
    return json;
  }

  /** Whether this says the rollout of the observed generation's release failed. */
  public boolean rolloutFailed() {
    return status == AppStatus.FAILED && ROLLOUT_FAILED.equals(reason);
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }

  public boolean gone() {
    return status == AppStatus.DELETED;
  }

  /**
   * Whether this observation is news for an app whose last applied one is {@code stored}: a later
   * generation, or the same generation seen later. Duplicates and reordered (older) events are not.
   */
  public boolean isNewerThan(App.Observed stored) {
    if (observedGeneration != stored.observedGeneration()) {
      return observedGeneration > stored.observedGeneration();
    }
    return stored.observedAt() == null || observedAt.isAfter(stored.observedAt());
  }
}
