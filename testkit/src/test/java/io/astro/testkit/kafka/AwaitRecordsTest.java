package io.astro.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class AwaitRecordsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  // Long enough to read a few records, short enough to keep the failing cases quick.
  private static final Duration SHORT_WAIT = Duration.ofSeconds(2);

  private static KafkaProducer<String, String> producer;

  @BeforeAll
  static void createProducer(KafkaBroker broker) {
    producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", broker.bootstrapServers(), "linger.ms", 0),
            new StringSerializer(),
            new StringSerializer());
  }

  @AfterAll
  static void closeProducer() {
    producer.close();
  }

  @Test
  void findsMatchingRecordsAcrossPartitionsWithKeysValuesAndHeaders(KafkaBroker broker)
      throws Exception {
    String topic = KafkaBroker.uniqueTopicName("await");
    broker.createTopic(topic, 2);
    send(new ProducerRecord<>(topic, 0, "a", "1"));
    send(new ProducerRecord<>(topic, 1, "b", "2"));
    ProducerRecord<String, String> withHeader = new ProducerRecord<>(topic, 1, "c", "3");
    withHeader.headers().add("ce_type", "io.astro.test.v1".getBytes(StandardCharsets.UTF_8));
    send(withHeader);

    List<ReceivedRecord> records =
        broker.awaitRecords(topic, 2, record -> !record.key().equals("b"), WAIT);

    assertThat(records).extracting(ReceivedRecord::key).containsExactly("a", "c");
    assertThat(records).extracting(ReceivedRecord::value).containsExactly("1", "3");
    assertThat(records.get(1).partition()).isEqualTo(1);
    assertThat(records.get(1).header("ce_type")).isEqualTo("io.astro.test.v1");
    assertThat(records.get(0).headers()).isEmpty();
  }

  @Test
  void waitsForRecordsWrittenAfterItStarted(KafkaBroker broker) throws Exception {
    String topic = KafkaBroker.uniqueTopicName("later");
    broker.createTopic(topic, 1);
    send(new ProducerRecord<>(topic, "k", "early"));
    // Sent without waiting: the awaiter may well be polling before this record lands.
    Future<RecordMetadata> late = producer.send(new ProducerRecord<>(topic, "k", "late"));

    assertThat(broker.awaitRecords(topic, 2, WAIT))
        .extracting(ReceivedRecord::value)
        .containsExactly("early", "late");
    assertThat(late.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).topic()).isEqualTo(topic);
  }

  /** It reads on to the end of the topic, so a record written twice shows up twice. */
  @Test
  void returnsDuplicatesAlreadyWritten(KafkaBroker broker) throws Exception {
    String topic = KafkaBroker.uniqueTopicName("dupes");
    broker.createTopic(topic, 1);
    send(new ProducerRecord<>(topic, "app-1", "created"));
    send(new ProducerRecord<>(topic, "app-2", "created"));
    send(new ProducerRecord<>(topic, "app-1", "created"));

    assertThat(broker.awaitRecords(topic, 1, record -> record.key().equals("app-1"), WAIT))
        .hasSize(2);
  }

  @Test
  void timesOutSayingWhatItSaw(KafkaBroker broker) throws Exception {
    String topic = KafkaBroker.uniqueTopicName("absent");
    broker.createTopic(topic, 1);
    send(new ProducerRecord<>(topic, "k", "other"));

    assertThatThrownBy(
            () ->
                broker.awaitRecords(
                    topic, 1, record -> record.value().equals("wanted"), SHORT_WAIT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "Timed out after PT2S waiting for 1 matching record(s) on topic '" + topic + "'")
        .hasMessageContaining("0 matched among 1 read")
        .hasMessageContaining("value=other");
  }

  @Test
  void timesOutOnAMissingTopicWithoutCreatingIt(KafkaBroker broker) throws Exception {
    String topic = KafkaBroker.uniqueTopicName("missing");

    assertThatThrownBy(() -> broker.awaitRecords(topic, 1, SHORT_WAIT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the topic does not exist");
    try (var admin = broker.admin()) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(topic);
    }
  }

  private static void send(ProducerRecord<String, String> record) throws Exception {
    producer.send(record).get(30, TimeUnit.SECONDS);
  }
}
