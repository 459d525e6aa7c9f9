package io.astro.sync;

import java.util.Map;

/** Client settings chosen on purpose rather than left to Kafka's defaults. */
final class KafkaClients {

  private KafkaClients() {
  }

  /** Idempotent, {@code acks=all}; status latency matters more than batching (Kafka 4 lingers 5 ms by default). */
  static Map<String, Object> producer(String bootstrap, String clientId) {
    return Map.ofEntries(
        Map.entry("bootstrap.servers", bootstrap),
        Map.entry("client.id", clientId),
        Map.entry("key.serializer", "org.apache.kafka.common.serialization.StringSerializer"),
        Map.entry("value.serializer", "org.apache.kafka.common.serialization.StringSerializer"),
        Map.entry("enable.idempotence", "true"),
        Map.entry("acks", "all"),
        Map.entry("linger.ms", "1"),
        Map.entry("max.block.ms", "5000"),
        Map.entry("delivery.timeout.ms", "15000"),
        Map.entry("request.timeout.ms", "5000"));
  }

  /** Manual commits, after the records are recorded; the partitions are read from the beginning on assignment. */
  static Map<String, Object> consumer(String bootstrap, String group) {
    return Map.of(
        "bootstrap.servers", bootstrap,
        "group.id", group,
        "client.id", group,
        "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
        "value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
        "enable.auto.commit", "false",
        "auto.offset.reset", "earliest",
        "max.poll.records", "500");
  }

  /** No group: the partitions are assigned by hand and read from the beginning, and nothing is committed. */
  static Map<String, Object> assignedConsumer(String bootstrap, String clientId) {
    return Map.of(
        "bootstrap.servers", bootstrap,
        "client.id", clientId,
        "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
        "value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
        "enable.auto.commit", "false",
        "auto.offset.reset", "earliest",
        // a topic that is not there yet is waited for, not created with the broker's defaults (not compacted)
        "allow.auto.create.topics", "false",
        "max.poll.records", "500");
  }
}
