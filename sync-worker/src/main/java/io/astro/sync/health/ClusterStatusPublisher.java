package io.astro.sync.health;

import io.astro.common.events.cluster.ClusterStatusEvent;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes {@link ClusterStatusEvent}s (key = the cluster's name) and waits for the broker to have
 * them.
 */
public final class ClusterStatusPublisher {

  private final KafkaProducer<String, String> producer;
  private final String topic;

  public ClusterStatusPublisher(KafkaProducer<String, String> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  public void publish(ClusterStatusEvent health) throws InterruptedException {
    try {
      producer
          .send(new ProducerRecord<>(topic, health.name(), health.encode()))
          .get(15, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "health of cluster " + health.name() + " not published: " + e.getMessage(), e);
    }
  }
}
