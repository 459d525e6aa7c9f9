package io.astro.common.events.cluster;

import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.optionalInstant;
import static io.astro.common.events.EventFields.optionalNumber;
import static io.astro.common.events.EventFields.optionalRange;
import static io.astro.common.events.EventFields.required;
import static io.astro.common.events.EventFields.string;
import static io.astro.common.events.EventFields.text;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * {@code io.astro.cluster.status.v1} (schema: {@code docs/events/io.astro.cluster.status.v1.json}):
 * the result of one health check of a cluster. Produced by the sync-worker on {@code
 * astro.cluster.status} (key = the cluster's name), consumed by app-service, which keeps the newest
 * (by {@code checkedAt}) per cluster. What the cluster did not answer is null; {@code heartbeatAt}
 * is when it last answered a check (this one or an earlier one).
 */
public record ClusterStatusEvent(
    String name,
    ClusterStatus status,
    String version,
    String apiServer,
    Integer nodes,
    Integer readyNodes,
    Double cpuCores,
    Long memoryBytes,
    Instant heartbeatAt,
    String error,
    Instant checkedAt) {

  public static final String TYPE = "io.astro.cluster.status.v1";
  public static final String SOURCE = "/astro/sync-worker";

  /**
   * What the node list says: how many, how many Ready, and their allocatable CPU (cores) and memory
   * (bytes).
   */
  public record Nodes(int count, int ready, double cpuCores, long memoryBytes) {}

  /**
   * A check's result: healthy when there is no {@code error}. {@code nodes} is null when they could
   * not be listed.
   */
  public static ClusterStatusEvent checked(
      String name,
      String version,
      String apiServer,
      Nodes nodes,
      Instant heartbeatAt,
      String error,
      Instant checkedAt) {
    return new ClusterStatusEvent(
        name,
        error == null ? ClusterStatus.HEALTHY : ClusterStatus.UNHEALTHY,
        version,
        apiServer,
        nodes == null ? null : nodes.count(),
        nodes == null ? null : nodes.ready(),
        nodes == null ? null : nodes.cpuCores(),
        nodes == null ? null : nodes.memoryBytes(),
        heartbeatAt,
        error,
        checkedAt);
  }

  public boolean healthy() {
    return status == ClusterStatus.HEALTHY;
  }

  public JsonObject toData() {
    return new JsonObject()
        .put("name", name)
        .put("status", status.value())
        .put("version", version)
        .put("apiServer", apiServer)
        .put("nodes", nodes)
        .put("readyNodes", readyNodes)
        .put("cpuCores", cpuCores)
        .put("memoryBytes", memoryBytes)
        .put("heartbeatAt", text(heartbeatAt))
        .put("error", error)
        .put("checkedAt", checkedAt.toString());
  }

  /** The record value: the CloudEvent as JSON text, subject = the cluster's name. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, name, toData()));
  }

  /** Reads and checks a record value; anything off the contract is an invalid (poison) event. */
  public static ClusterStatusEvent decode(String value) {
    return fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
  }

  public static ClusterStatusEvent fromData(JsonObject data) {
    String name = required(data, "name");
    if (name.length() > 63) {
      throw new InvalidEventException("name is too long");
    }
    String word = string(data, "status");
    ClusterStatus status =
        ClusterStatus.parse(word)
            .filter(ClusterStatus.checked()::contains)
            .orElseThrow(() -> new InvalidEventException("cluster status " + word + " is unknown"));
    Long nodes = optionalRange(data, "nodes", 0, Integer.MAX_VALUE);
    Long readyNodes = optionalRange(data, "readyNodes", 0, Integer.MAX_VALUE);
    return new ClusterStatusEvent(
        name,
        status,
        string(data, "version"),
        string(data, "apiServer"),
        nodes == null ? null : nodes.intValue(),
        readyNodes == null ? null : readyNodes.intValue(),
        optionalNumber(data, "cpuCores"),
        optionalRange(data, "memoryBytes", 0, Long.MAX_VALUE),
        optionalInstant(data, "heartbeatAt"),
        string(data, "error"),
        instant(data, "checkedAt"));
  }
}
