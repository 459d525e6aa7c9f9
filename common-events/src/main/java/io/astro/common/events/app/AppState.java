package io.astro.common.events.app;

import static io.astro.common.events.EventFields.flag;
import static io.astro.common.events.EventFields.range;
import static io.astro.common.events.EventFields.required;
import static io.astro.common.events.EventFields.string;

import io.astro.common.events.EventCodec.InvalidEventException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What a user sees of an app in its cluster: the part of {@code io.astro.app.status.v1} that says
 * how the app is, without whose it is and when it was seen ({@link AppStatusEvent}). Two equal
 * states are the same news.
 */
public record AppState(
    AppStatus status,
    int desiredReplicas,
    int readyReplicas,
    List<Pod> pods,
    String reason,
    String message,
    long observedGeneration) {

  public AppState {
    pods = List.copyOf(pods);
  }

  /**
   * One pod of the app. {@code waitingReason} is why its container waits (e.g. {@code
   * ImagePullBackOff}), or null.
   */
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

    static Pod fromJson(JsonObject pod) {
      return new Pod(
          required(pod, "name"),
          required(pod, "phase"),
          flag(pod, "ready"),
          (int) range(pod, "restarts", 0, Integer.MAX_VALUE),
          string(pod, "node"),
          string(pod, "waitingReason"));
    }
  }

  /** A state without a reason. */
  public static AppState of(
      AppStatus status, int desired, int ready, List<Pod> pods, long generation) {
    return new AppState(status, desired, ready, pods, null, null, generation);
  }

  /** A state for an app without pods to show (being deleted, failed to apply, cluster away). */
  public static AppState withoutPods(AppStatus status, int desired, long generation) {
    return of(status, desired, 0, List.of(), generation);
  }

  public AppState withReason(String why, String detail) {
    return new AppState(
        status, desiredReplicas, readyReplicas, pods, why, detail, observedGeneration);
  }

  /** The pods as the event carries them. */
  public JsonArray podsJson() {
    return new JsonArray(pods.stream().map(Pod::toJson).toList());
  }

  void writeTo(JsonObject data) {
    data.put("status", status.value())
        .put("desiredReplicas", desiredReplicas)
        .put("readyReplicas", readyReplicas)
        .put("pods", podsJson())
        .put("reason", reason)
        .put("message", message)
        .put("observedGeneration", observedGeneration);
  }

  static AppState readFrom(JsonObject data) {
    String word = string(data, "status");
    AppStatus status =
        AppStatus.parse(word)
            .orElseThrow(() -> new InvalidEventException("status " + word + " is unknown"));
    Object podsValue = data.getValue("pods");
    if (!(podsValue instanceof JsonArray array)) {
      throw new InvalidEventException("pods is missing or not an array");
    }
    List<Pod> pods = new ArrayList<>();
    for (Object pod : array) {
      if (!(pod instanceof JsonObject p)) {
        throw new InvalidEventException("a pod is not an object");
      }
      pods.add(Pod.fromJson(p));
    }
    return new AppState(
        status,
        (int) range(data, "desiredReplicas", 0, Integer.MAX_VALUE),
        (int) range(data, "readyReplicas", 0, Integer.MAX_VALUE),
        pods,
        string(data, "reason"),
        string(data, "message"),
        range(data, "observedGeneration", 0, Long.MAX_VALUE));
  }
}
