package io.astro.common.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings every service client is made from. */
class KafkaClientsTest {

  @Test
  void a_services_clients_keep_their_metrics_off_jmx_unless_told_otherwise() {
    assertThat(KafkaClients.producer("kafka:9092", KafkaSecurity.PLAINTEXT, "p"))
        .containsEntry("metric.reporters", "");
    assertThat(KafkaClients.consumer("kafka:9092", KafkaSecurity.PLAINTEXT, "g", 10))
        .containsEntry("metric.reporters", "");
    assertThat(KafkaClients.settings(Map.of("client.id", "readiness"), KafkaSecurity.PLAINTEXT))
        .containsEntry("client.id", "readiness")
        .containsEntry("metric.reporters", "");
    String jmx = "org.apache.kafka.common.metrics.JmxReporter";
    assertThat(KafkaClients.settings(Map.of("metric.reporters", jmx), KafkaSecurity.PLAINTEXT))
        .containsEntry("metric.reporters", jmx);
  }
}
