package io.astro.sync;

import io.astro.common.events.KafkaSecurity;
import java.util.Map;

/** Kafka client settings of the sync-worker's plain (thread-based) clients. */
final class KafkaClients {

  private KafkaClients() {}

  /** The shared producer settings (see common's KafkaClients), typed for the plain client. */
  static Map<String, Object> producer(String bootstrap, KafkaSecurity security, String clientId) {
    return Map.copyOf(io.astro.common.events.KafkaClients.producer(bootstrap, security, clientId));
  }

  /**
   * Manual commits, after the records are recorded; the partitions are read from the beginning on
   * assignment.
   */
  static Map<String, Object> consumer(String bootstrap, KafkaSecurity security, String group) {
    return Map.copyOf(
        io.astro.common.events.KafkaClients.consumer(bootstrap, security, group, 500));
  }

  /**
   * No group: the partitions are assigned by hand and read from the beginning, and nothing is
   * committed.
   */
  static Map<String, Object> assignedConsumer(
      String bootstrap, KafkaSecurity security, String clientId) {
    return Map.copyOf(
        io.astro.common.events.KafkaClients.settings(
            Map.of(
                "bootstrap.servers", bootstrap,
                "client.id", clientId,
                "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                "value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                "enable.auto.commit", "false",
                "auto.offset.reset", "earliest",
                // a topic that is not there yet is waited for, not created with the broker's
                // defaults (not compacted)
                "allow.auto.create.topics", "false",
                "max.poll.records", "500"),
            security));
  }
}
