package io.astro.testkit.kafka;

import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** The apache/kafka image in Docker via Testcontainers ({@code -Dastro.containers=true}). */
public final class KafkaContainerBroker implements KafkaBroker {

  private final KafkaContainer container;

  private KafkaContainerBroker(KafkaContainer container) {
    this.container = container;
  }

  public static KafkaContainerBroker start() {
    KafkaContainer container =
        new KafkaContainer(DockerImageName.parse("apache/kafka:4.2.0"))
            // same as the embedded broker: consumers join a group at once
            .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
    container.start();
    return new KafkaContainerBroker(container);
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    container.stop();
  }
}
