package io.astro.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * Dev mode restarts the broker (on fixed ports) and expects topics, records and group offsets back.
 */
class PersistentKafkaBrokerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void topicsRecordsAndCommittedOffsetsSurviveARestart() throws Exception {
    Path workDir = Path.of("target", "persistent-kafka-" + ProcessHandle.current().pid());
    int[] ports = FreePorts.distinct(2);
    int port = ports[0];
    int controllerPort = ports[1];
    TopicPartition partition = new TopicPartition("kept", 0);
    try {
      try (KafkaBroker first = EmbeddedKafkaBroker.startPersistent(workDir, port, controllerPort)) {
        first.createCompactedTopic(partition.topic(), 1);
        try (KafkaProducer<String, String> producer =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", first.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
          producer
              .send(new ProducerRecord<>(partition.topic(), "app-1", "v1"))
              .get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, String> consumer = groupConsumer(first)) {
          consumer.commitSync(Map.of(partition, new OffsetAndMetadata(1)), WAIT);
        }
      }

      try (KafkaBroker second =
          EmbeddedKafkaBroker.startPersistent(workDir, port, controllerPort)) {
        assertThat(second.awaitRecords(partition.topic(), 1, WAIT))
            .extracting(ReceivedRecord::key, ReceivedRecord::value)
            .containsExactly(Tuple.tuple("app-1", "v1"));
        try (KafkaConsumer<String, String> consumer = groupConsumer(second)) {
          assertThat(consumer.committed(Set.of(partition), WAIT).get(partition).offset())
              .isEqualTo(1);
        }
      }
    } finally {
      Utils.delete(workDir.toFile());
    }
  }

  private static KafkaConsumer<String, String> groupConsumer(KafkaBroker broker) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "kept-group",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false),
        new StringDeserializer(),
        new StringDeserializer());
  }
}
