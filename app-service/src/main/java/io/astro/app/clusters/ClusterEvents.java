package io.astro.app.clusters;

import io.astro.app.store.Cluster;
import io.astro.app.store.OutboxMessage;
import io.astro.common.events.EventCodec;
import io.astro.common.events.Topics;
import io.astro.common.http.RequestIds;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Builds {@code io.astro.cluster.v1} records for the compacted {@code astro.clusters} topic (schema
 * under {@code docs/events/}): the cluster as it is now, kubeconfig sealed; a tombstone once it is
 * deleted.
 */
final class ClusterEvents {

  static final String TYPE = "io.astro.cluster.v1";
  private static final String SOURCE = "/astro/app-service";

  private final String topic;

  ClusterEvents(String topic) {
    this.topic = topic;
  }

  OutboxMessage of(Cluster cluster) {
    JsonObject data =
        new JsonObject()
            .put("clusterId", cluster.id())
            .put("name", cluster.name())
            .put("kubeconfig", cluster.sealedKubeconfig())
            .put("labels", cluster.labels().copy())
            .put("revision", cluster.revision())
            .put(
                "syncRequestedAt",
                cluster.syncRequestedAt() == null ? null : cluster.syncRequestedAt().toString());
    String payload =
        new String(
            EventCodec.encode(EventCodec.create(TYPE, SOURCE, cluster.name(), data)),
            StandardCharsets.UTF_8);
    return new OutboxMessage(TYPE, payload, headers(), topic);
  }

  OutboxMessage tombstone() {
    return new OutboxMessage(TYPE, null, headers(), topic);
  }

  private static JsonObject headers() {
    String requestId = RequestIds.current();
    return requestId == null
        ? new JsonObject()
        : new JsonObject().put(Topics.REQUEST_ID_HEADER, requestId);
  }
}
