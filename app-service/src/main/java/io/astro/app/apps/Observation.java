package io.astro.app.apps;

import io.vertx.core.json.JsonArray;
import java.time.Instant;

/**
 * A status event as the store applies it. {@code status} is one of the status schema's values,
 * where {@code deleted} means the app's objects are gone from the cluster.
 */
public record Observation(
    String appId,
    String status,
    int desiredReplicas,
    int readyReplicas,
    JsonArray pods,
    String reason,
    String message,
    long observedGeneration,
    Instant observedAt) {

  public boolean gone() {
    return "deleted".equals(status);
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
