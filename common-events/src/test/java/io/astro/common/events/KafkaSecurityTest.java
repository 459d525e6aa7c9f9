package io.astro.common.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSecurityTest {

  @Test
  void plaintext_unless_told_otherwise() {
    KafkaSecurity none = KafkaSecurity.fromEnv(Env.of(Map.of()));
    assertThat(none).isEqualTo(KafkaSecurity.PLAINTEXT);
    assertThat(KafkaClients.producer("kafka:9092", none, "p"))
        .containsEntry("security.protocol", "PLAINTEXT")
        .doesNotContainKey("sasl.jaas.config");
  }

  @Test
  void sasl_ssl_is_tls_with_the_host_checked_and_a_scram_user() {
    KafkaSecurity scram =
        KafkaSecurity.fromEnv(
            Env.of(
                Map.of(
                    "ASTRO_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                    "ASTRO_KAFKA_USERNAME", "app-service",
                    "ASTRO_KAFKA_PASSWORD", "pa\"ss",
                    "ASTRO_KAFKA_TRUSTSTORE", "/etc/astro/kafka-ca/ca.crt")));

    Map<String, String> consumer = KafkaClients.consumer("kafka:9093", scram, "g", 10);
    assertThat(consumer)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.endpoint.identification.algorithm", "https")
        .containsEntry("ssl.truststore.location", "/etc/astro/kafka-ca/ca.crt")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"app-service\" password=\"pa\\\"ss\";")
        .containsEntry("group.id", "g");
    assertThat(scram.toString()).contains("app-service").doesNotContain("pa\"ss");
  }

  @Test
  void settings_that_cannot_work_stop_the_start_naming_the_variable() {
    assertThatThrownBy(
            () ->
                KafkaSecurity.fromEnv(
                    Env.of(Map.of("ASTRO_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_KAFKA_SECURITY_PROTOCOL");
    assertThatThrownBy(
            () ->
                KafkaSecurity.fromEnv(Env.of(Map.of("ASTRO_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_KAFKA_USERNAME");
    assertThatThrownBy(
            () ->
                KafkaSecurity.fromEnv(
                    Env.of(
                        Map.of(
                            "ASTRO_KAFKA_SECURITY_PROTOCOL", "SSL",
                            "ASTRO_KAFKA_TRUSTSTORE_TYPE", "JKS"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_KAFKA_TRUSTSTORE_TYPE");
  }
}
