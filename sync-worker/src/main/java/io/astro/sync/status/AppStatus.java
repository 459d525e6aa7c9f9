package io.astro.sync.status;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a user sees of an app, as carried by {@code io.astro.app.status.v1} (without the observation
 * time).
 */
public record AppStatus(
    String status,
    int desiredReplicas,
    int readyReplicas,
    List<Pod> pods,
    String reason,
    String message,
    long observedGeneration) {

  /** One pod of the app. */
  public record Pod(
      String name, String phase, boolean ready, int restarts, String node, String waitingReason) {
    JsonObject toJson() {
      return new JsonObject()
          .put("name", name)
          .put("phase", phase)
          .put("ready", ready)
          .put("restarts", restarts)
          .put("node", node)
          .put("waitingReason", waitingReason);
    }
  }

  public static AppStatus of(
      String status, int desired, int ready, List<Pod> pods, long generation) {
    return new AppStatus(status, desired, ready, pods, null, null, generation);
  }

  public AppStatus withReason(String reason, String message) {
    return new AppStatus(
        status, desiredReplicas, readyReplicas, pods, reason, message, observedGeneration);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("status", status)
        .put("desiredReplicas", desiredReplicas)
        .put("readyReplicas", readyReplicas)
        .put("pods", new JsonArray(pods.stream().map(Pod::toJson).toList()))
        .put("reason", reason)
        .put("message", message)
        .put("observedGeneration", observedGeneration);
  }
}
