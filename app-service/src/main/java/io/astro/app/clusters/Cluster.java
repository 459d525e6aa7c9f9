package io.astro.app.clusters;

import io.astro.common.events.cluster.ClusterStatus;
import io.astro.common.events.cluster.ClusterStatusEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * An imported cluster: what the operator gave (name, description, labels, the kubeconfig — held
 * sealed only) and its latest health check ({@code state}, null before the first). {@link
 * #toJson()} never includes the kubeconfig.
 */
public record Cluster(
    String id,
    String name,
    String description,
    JsonObject labels,
    String sealedKubeconfig,
    String keyId,
    String apiServer,
    long revision,
    Instant syncRequestedAt,
    Instant createdAt,
    Instant updatedAt,
    ClusterStatusEvent state,
    int appCount) {

  public Cluster with(
      String description,
      JsonObject labels,
      String sealedKubeconfig,
      String keyId,
      String apiServer,
      Instant syncRequestedAt) {
    return new Cluster(
        id,
        name,
        description,
        labels,
        sealedKubeconfig,
        keyId,
        apiServer,
        revision + 1,
        syncRequestedAt,
        createdAt,
        updatedAt,
        state,
        appCount);
  }

  /** The status shown in lists: {@code unknown} until the first health check. */
  public ClusterStatus status() {
    return state == null ? ClusterStatus.UNKNOWN : state.status();
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("id", id)
            .put("name", name)
            .put("description", description)
            .put("labels", labels.copy())
            .put(
                "api_server",
                state != null && state.apiServer() != null ? state.apiServer() : apiServer)
            .put("status", status().value())
            .put("app_count", appCount)
            .put("revision", revision)
            .put("created_at", text(createdAt))
            .put("updated_at", text(updatedAt));
    if (state != null) {
      json.put("version", state.version())
          .put("nodes", state.nodes())
          .put("ready_nodes", state.readyNodes())
          .put("cpu_cores", state.cpuCores())
          .put("memory_bytes", state.memoryBytes())
          .put("last_heartbeat", text(state.heartbeatAt()))
          .put("last_error", state.error())
          .put("checked_at", text(state.checkedAt()));
    }
    return json;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
