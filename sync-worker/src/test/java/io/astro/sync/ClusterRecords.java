package io.astro.sync;

import io.astro.common.crypto.KeyRing;
import io.astro.common.events.cluster.ClusterEvent;
import io.astro.common.events.cluster.ClusterPublicUrls;
import io.astro.common.events.cluster.SealedKubeconfig;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes the cluster registry the way app-service's outbox relay does, checked against the
 * schema.
 */
public final class ClusterRecords implements AutoCloseable {

  private final KafkaProducer<String, String> producer;
  private final String topic;

  public ClusterRecords(KafkaBroker broker, String topic) {
    this.producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "value.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "acks", "all"));
    this.topic = topic;
  }

  /** One cluster as app-service holds it; every change is a new record with the next revision. */
  public static final class Cluster {
    public final String clusterId = UUID.randomUUID().toString();
    public final String name;
    public String kubeconfig;
    public long revision;
    public String syncRequestedAt;
    public ClusterPublicUrls publicUrls;

    public Cluster(String name, String kubeconfig) {
      this.name = name;
      this.kubeconfig = kubeconfig;
    }
  }

  /** Bumps the revision and publishes the cluster with its kubeconfig sealed by {@code cipher}. */
  public void publish(Cluster cluster, KeyRing cipher) {
    cluster.revision++;
    sendRaw(
        cluster.name,
        event(
            cluster.name,
            cluster.clusterId,
            SealedKubeconfig.seal(
                cipher, cluster.clusterId, cluster.name, cluster.revision, cluster.kubeconfig),
            cluster.revision,
            cluster.syncRequestedAt,
            cluster.publicUrls));
  }

  /** An operator's "check it now": a new revision with a new {@code syncRequestedAt}. */
  public void requestSync(Cluster cluster, KeyRing cipher) {
    cluster.syncRequestedAt = Instant.now().toString();
    publish(cluster, cipher);
  }

  /** The cluster was deleted. */
  public void tombstone(String name) {
    sendRaw(name, null);
  }

  /** A schema-valid {@code io.astro.cluster.v1} value carrying {@code sealed} as it is. */
  public static String event(
      String name, String clusterId, String sealed, long revision, String syncRequestedAt) {
    return event(name, clusterId, sealed, revision, syncRequestedAt, null);
  }

  /** The same, with the cluster's own public-URL settings ({@code null}: none). */
  public static String event(
      String name,
      String clusterId,
      String sealed,
      long revision,
      String syncRequestedAt,
      ClusterPublicUrls publicUrls) {
    String value =
        new ClusterEvent(
                clusterId,
                name,
                sealed,
                Map.of("region", "test"),
                revision,
                syncRequestedAt,
                publicUrls)
            .encode();
    EventSchemas.assertValid(ClusterEvent.TYPE, value);
    return value;
  }

  public void sendRaw(String key, String value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot publish a cluster record", e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
