package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.crypto.KeyRing;
import io.astro.common.events.DeadLetters;
import io.astro.common.net.ClusterAddressGuard;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster topic counts as read — what the worker's start waits for before it takes on apps — as
 * soon as its end is reached, not once a poll for more records gives up.
 */
@ExtendWith(KafkaExtension.class)
class ClusterTopicCatchUpTest {

  // far longer than the bound below: a catch-up that waited for a poll to end would miss it
  private static final Duration LONG_POLL = Duration.ofMinutes(10);
  private static final long BOUND_SECONDS = 20;

  private final ClusterRegistry registry =
      new ClusterRegistry(
          new ConnectedClusters(),
          new QuietEvents(),
          Duration.ofSeconds(10),
          Duration.ofMinutes(10),
          5);
  private ClusterTopicConsumer consumer;

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
    registry.close();
  }

  @Test
  void an_empty_cluster_topic_is_read_without_waiting_for_a_poll_to_end(KafkaBroker broker)
      throws Exception {
    String topic = KafkaBroker.uniqueTopicName("astro.clusters");
    broker.createCompactedTopic(topic, 3);
    consumer =
        new ClusterTopicConsumer(
            Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                "value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                "enable.auto.commit", "false",
                "auto.offset.reset", "earliest"),
            new DeadLetters(record -> CompletableFuture.completedFuture(null), parked -> {}),
            topic,
            new PublishedClusters(
                registry,
                KeyRing.fromSpec(KeyRing.generateSpec("k1")),
                cluster -> {},
                new ClusterAddressGuard(
                    List.of(ClusterAddressGuard.Cidr.parse("127.0.0.0/8")), true),
                true),
            LONG_POLL);

    consumer.start();

    assertThat(consumer.caughtUp())
        .as("caught up while the first poll would still be waiting")
        .succeedsWithin(BOUND_SECONDS, TimeUnit.SECONDS);
  }
}
