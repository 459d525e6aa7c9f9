package io.astro.app.clusters;

import io.astro.common.db.outbox.OutboxMessage;
import io.astro.common.events.Topics;
import io.astro.common.events.cluster.ClusterEvent;
import io.astro.common.http.RequestIds;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Outbox messages of {@link ClusterEvent}s for the compacted {@code astro.clusters} topic: the
 * cluster as it is now, kubeconfig sealed; a tombstone once it is deleted.
 */
final class ClusterEvents {

  private final String topic;

  ClusterEvents(String topic) {
    this.topic = topic;
  }

  OutboxMessage of(Cluster cluster) {
    Map<String, String> labels = new LinkedHashMap<>();
    cluster.labels().forEach(label -> labels.put(label.getKey(), String.valueOf(label.getValue())));
    ClusterEvent event =
        new ClusterEvent(
            cluster.id(),
            cluster.name(),
            cluster.sealedKubeconfig(),
            labels,
            cluster.revision(),
            cluster.syncRequestedAt() == null ? null : cluster.syncRequestedAt().toString(),
            cluster.publicUrls());
    return new OutboxMessage(ClusterEvent.TYPE, event.encode(), headers(), topic);
  }

  OutboxMessage tombstone() {
    return new OutboxMessage(ClusterEvent.TYPE, null, headers(), topic);
  }

  private static JsonObject headers() {
    String requestId = RequestIds.current();
    return requestId == null
        ? new JsonObject()
        : new JsonObject().put(Topics.REQUEST_ID_HEADER, requestId);
  }
}
