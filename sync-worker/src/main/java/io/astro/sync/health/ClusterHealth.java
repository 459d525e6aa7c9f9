package io.astro.sync.health;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The result of one health check of a cluster: the data of an {@code io.astro.cluster.status.v1}
 * event. What the cluster did not answer is null; {@code heartbeatAt} is when it last answered a
 * check (this one or an earlier one).
 */
public record ClusterHealth(
    String name,
    boolean healthy,
    String version,
    String apiServer,
    Nodes nodes,
    Instant heartbeatAt,
    String error,
    Instant checkedAt) {

  /**
   * What the node list says: how many, how many Ready, and their allocatable CPU (cores) and memory
   * (bytes).
   */
  public record Nodes(int count, int ready, double cpuCores, long memoryBytes) {}

  public JsonObject toJson() {
    return new JsonObject()
        .put("name", name)
        .put("status", healthy ? "healthy" : "unhealthy")
        .put("version", version)
        .put("apiServer", apiServer)
        .put("nodes", nodes == null ? null : nodes.count())
        .put("readyNodes", nodes == null ? null : nodes.ready())
        .put("cpuCores", nodes == null ? null : nodes.cpuCores())
        .put("memoryBytes", nodes == null ? null : nodes.memoryBytes())
        .put("heartbeatAt", heartbeatAt == null ? null : heartbeatAt.toString())
        .put("error", error)
        .put("checkedAt", checkedAt.toString());
  }
}
