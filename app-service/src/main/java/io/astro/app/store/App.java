package io.astro.app.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * An app row: desired state (versioned by {@code generation}) and the state last observed in its
 * cluster (versioned by its observed generation and time). {@link #toJson()} is what clients see.
 */
public record App(
    String id,
    long userId,
    String name,
    String clusterId,
    String placement,
    String namespace,
    String k8sName,
    Desired desired,
    long generation,
    String status,
    Observed observed,
    Instant createdAt,
    Instant updatedAt) {

  /**
   * What the user asked for. {@code restartedAt} changes on every restart (rolling restart stamp).
   */
  public record Desired(
      String image,
      int replicas,
      Integer port,
      boolean stopped,
      Instant restartedAt,
      boolean deleting) {

    public Desired withStopped(boolean value) {
      return new Desired(image, replicas, port, value, restartedAt, deleting);
    }

    public Desired withReplicas(int value) {
      return new Desired(image, value, port, stopped, restartedAt, deleting);
    }

    public Desired withRestartedAt(Instant value) {
      return new Desired(image, replicas, port, stopped, value, deleting);
    }

    public Desired withDeleting() {
      return new Desired(image, replicas, port, stopped, restartedAt, true);
    }
  }

  /** What the sync-worker last reported; all null/0 until the first status event. */
  public record Observed(
      Integer desiredReplicas,
      Integer readyReplicas,
      JsonArray pods,
      String reason,
      String message,
      long observedGeneration,
      Instant observedAt) {

    public static final Observed NONE =
        new Observed(null, null, new JsonArray(), null, null, 0, null);
  }

  /**
   * The app after a change of desired state: next generation, and status {@code deleting} once
   * deletion starts.
   */
  public App next(Desired change, Instant now) {
    return new App(
        id,
        userId,
        name,
        clusterId,
        placement,
        namespace,
        k8sName,
        change,
        generation + 1,
        change.deleting() ? "deleting" : status,
        observed,
        createdAt,
        now);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("image", desired.image())
        .put("replicas", desired.replicas())
        .put("port", desired.port())
        .put("stopped", desired.stopped())
        .put("status", status)
        .put("generation", generation)
        .put("cluster", clusterId)
        .put("placement", placement)
        .put("namespace", namespace)
        .put("k8s_name", k8sName)
        .put("restarted_at", text(desired.restartedAt()))
        .put("desired_replicas", observed.desiredReplicas())
        .put("ready_replicas", observed.readyReplicas())
        .put("pods", observed.pods().copy())
        .put("reason", observed.reason())
        .put("message", observed.message())
        .put("observed_generation", observed.observedGeneration())
        .put("observed_at", text(observed.observedAt()))
        .put("created_at", text(createdAt))
        .put("updated_at", text(updatedAt));
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
