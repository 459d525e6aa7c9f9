package io.astro.sync.health;

import io.astro.common.events.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes {@code io.astro.cluster.status.v1} (key = the cluster's name) and waits for the broker
 * to have it.
 */
public final class ClusterStatusPublisher {

  public static final String TYPE = "io.astro.cluster.status.v1";
  private static final String SOURCE = "/astro/sync-worker";

  private final KafkaProducer<String, String> producer;
  private final String topic;

  public ClusterStatusPublisher(KafkaProducer<String, String> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  public void publish(ClusterHealth health) throws InterruptedException {
    String value =
        new String(
            EventCodec.encode(EventCodec.create(TYPE, SOURCE, health.name(), health.toJson())),
            StandardCharsets.UTF_8);
    try {
      producer.send(new ProducerRecord<>(topic, health.name(), value)).get(15, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "health of cluster " + health.name() + " not published: " + e.getMessage(), e);
    }
  }
}
