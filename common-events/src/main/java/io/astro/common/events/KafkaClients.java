package io.astro.common.events;

import java.util.HashMap;
import java.util.Map;

/**
 * Kafka client settings chosen on purpose rather than left to Kafka's defaults, shared by every
 * service.
 */
public final class KafkaClients {

  /**
   * Kafka 4 registers each client metric as a JMX bean by default; nothing reads JMX here (the
   * services export their own metrics), so the beans are only memory and work at start.
   */
  private static final String METRIC_REPORTERS = "metric.reporters";

  private KafkaClients() {}

  /**
   * Idempotent, {@code acks=all}, ordered per partition even across retries. Kafka 4 lingers 5 ms
   * by default; Astro's records are few and latency matters, so 1 ms. Blocking for metadata and
   * delivery are bounded so a send while the broker is away fails in seconds and is retried by its
   * caller, rather than holding on for minutes.
   */
  public static Map<String, String> producer(String bootstrap, String clientId) {
    return Map.ofEntries(
        Map.entry("bootstrap.servers", bootstrap),
        Map.entry("client.id", clientId),
        Map.entry("key.serializer", "org.apache.kafka.common.serialization.StringSerializer"),
        Map.entry("value.serializer", "org.apache.kafka.common.serialization.StringSerializer"),
        Map.entry("enable.idempotence", "true"),
        Map.entry("acks", "all"),
        Map.entry("max.in.flight.requests.per.connection", "5"),
        Map.entry("linger.ms", "1"),
        Map.entry("max.block.ms", "5000"),
        Map.entry("request.timeout.ms", "5000"),
        Map.entry("delivery.timeout.ms", "15000"));
  }

  /** {@link #producer(String, String)} through {@code security} (TLS, SCRAM). */
  public static Map<String, String> producer(
      String bootstrap, KafkaSecurity security, String clientId) {
    return settings(producer(bootstrap, clientId), security);
  }

  /** {@link #consumer(String, String, int)} through {@code security} (TLS, SCRAM). */
  public static Map<String, String> consumer(
      String bootstrap, KafkaSecurity security, String group, int maxPollRecords) {
    return settings(consumer(bootstrap, group, maxPollRecords), security);
  }

  /**
   * A service client's settings: {@code config}, the properties of {@code security}, and no JMX
   * reporter unless {@code config} names one. Every client of the services is made from these.
   */
  public static Map<String, String> settings(Map<String, String> config, KafkaSecurity security) {
    Map<String, String> all = new HashMap<>(config);
    all.putAll(security.properties());
    all.putIfAbsent(METRIC_REPORTERS, "");
    return Map.copyOf(all);
  }

  /** A group member that commits by hand, after the records' effect is durable. */
  public static Map<String, String> consumer(String bootstrap, String group, int maxPollRecords) {
    return Map.of(
        "bootstrap.servers",
        bootstrap,
        "group.id",
        group,
        "client.id",
        group,
        "key.deserializer",
        "org.apache.kafka.common.serialization.StringDeserializer",
        "value.deserializer",
        "org.apache.kafka.common.serialization.StringDeserializer",
        "enable.auto.commit",
        "false",
        "auto.offset.reset",
        "earliest",
        "max.poll.records",
        Integer.toString(maxPollRecords));
  }
}
