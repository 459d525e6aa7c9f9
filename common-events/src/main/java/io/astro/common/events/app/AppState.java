package io.astro.common.events.app;

import static io.astro.common.events.EventFields.flag;
import static io.astro.common.events.EventFields.optionalInstant;
import static io.astro.common.events.EventFields.range;
import static io.astro.common.events.EventFields.required;
import static io.astro.common.events.EventFields.string;

import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.EventFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a user sees of an app in its cluster: the part of {@code io.astro.app.status.v2} that says
 * how the app is, without whose it is and when it was seen ({@link AppStatusEvent}). Two equal
 * states are the same news. {@code observedRelease} is the release the app's pods run (0 before
 * releases or before any pod of a release is available); {@code warnings} its recent Kubernetes
 * Warning events, at most {@value #MAX_WARNINGS}.
 */
public record AppState(
    AppStatus status,
    int desiredReplicas,
    int readyReplicas,
    List<Pod> pods,
    String reason,
    String message,
    long observedGeneration,
    long observedRelease,
    List<Warning> warnings) {

  public static final int MAX_WARNINGS = 10;

  public AppState {
    pods = List.copyOf(pods);
    warnings = List.copyOf(warnings.subList(0, Math.min(MAX_WARNINGS, warnings.size())));
  }

  /** A Kubernetes Warning event about the app's objects: why it may not be running. */
  public record Warning(String reason, String message, int count, Instant lastSeen) {

    JsonObject toJson() {
      return new JsonObject()
          .put("reason", reason)
          .put("message", message)
          .put("count", count)
          .put("lastSeen", EventFields.text(lastSeen));
    }

    static Warning fromJson(JsonObject warning) {
      return new Warning(
          required(warning, "reason"),
          string(warning, "message"),
          (int) range(warning, "count", 1, Integer.MAX_VALUE),
          optionalInstant(warning, "lastSeen"));
    }
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
    return new AppState(status, desired, ready, pods, null, null, generation, 0, List.of());
  }

  /** A state for an app without pods to show (being deleted, failed to apply, cluster away). */
  public static AppState withoutPods(AppStatus status, int desired, long generation) {
    return of(status, desired, 0, List.of(), generation);
  }

  public AppState withReason(String why, String detail) {
    return new AppState(
        status,
        desiredReplicas,
        readyReplicas,
        pods,
        why,
        detail,
        observedGeneration,
        observedRelease,
        warnings);
  }

  public AppState withRelease(long release) {
    return new AppState(
        status,
        desiredReplicas,
        readyReplicas,
        pods,
        reason,
        message,
        observedGeneration,
        release,
        warnings);
  }

  public AppState withWarnings(List<Warning> recent) {
    return new AppState(
        status,
        desiredReplicas,
        readyReplicas,
        pods,
        reason,
        message,
        observedGeneration,
        observedRelease,
        recent);
  }

  /** The pods as the event carries them. */
  public JsonArray podsJson() {
    return new JsonArray(pods.stream().map(Pod::toJson).toList());
  }

  void writeTo(JsonObject data) {
    writeV1(data);
    data.put("observedRelease", observedRelease)
        .put("warnings", new JsonArray(warnings.stream().map(Warning::toJson).toList()));
  }

  /** The fields {@code io.astro.app.status.v1} had. */
  void writeV1(JsonObject data) {
    data.put("status", status.value())
        .put("desiredReplicas", desiredReplicas)
        .put("readyReplicas", readyReplicas)
        .put("pods", podsJson())
        .put("reason", reason)
        .put("message", message)
        .put("observedGeneration", observedGeneration);
  }

  static AppState readFrom(JsonObject data) {
    AppState v1 = readV1(data);
    List<Warning> warnings = new ArrayList<>();
    for (JsonObject warning : objects(data, "warnings")) {
      warnings.add(Warning.fromJson(warning));
    }
    return v1.withRelease(range(data, "observedRelease", 0, Long.MAX_VALUE)).withWarnings(warnings);
  }

  static AppState readV1(JsonObject data) {
    String word = string(data, "status");
    AppStatus status =
        AppStatus.parse(word)
            .orElseThrow(() -> new InvalidEventException("status " + word + " is unknown"));
    List<Pod> pods = new ArrayList<>();
    for (JsonObject pod : objects(data, "pods")) {
      pods.add(Pod.fromJson(pod));
    }
    return new AppState(
        status,
        (int) range(data, "desiredReplicas", 0, Integer.MAX_VALUE),
        (int) range(data, "readyReplicas", 0, Integer.MAX_VALUE),
        pods,
        string(data, "reason"),
        string(data, "message"),
        range(data, "observedGeneration", 0, Long.MAX_VALUE),
        0,
        List.of());
  }

  private static List<JsonObject> objects(JsonObject data, String field) {
    Object value = data.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw new InvalidEventException(field + " is missing or not an array");
    }
    List<JsonObject> objects = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof JsonObject o)) {
        throw new InvalidEventException(field + " holds an item that is not an object");
      }
      objects.add(o);
    }
    return objects;
  }
}
