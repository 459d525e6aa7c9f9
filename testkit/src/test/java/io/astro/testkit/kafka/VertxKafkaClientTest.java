package io.astro.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The broker the kit hands out, driven by the client the services use: Vert.x 5's Kafka client. */
@ExtendWith(KafkaExtension.class)
class VertxKafkaClientTest {

  private static final long TIMEOUT_SECONDS = 30;

  private static Vertx vertx;
  private static KafkaProducer<String, String> producer;

  @BeforeAll
  static void start(KafkaBroker broker) {
    vertx = Vertx.vertx();
    producer =
        KafkaProducer.create(
            vertx,
            Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "value.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "enable.idempotence", "true",
                "acks", "all",
                "linger.ms", "1"));
  }

  @AfterAll
  static void stop() throws Exception {
    await(producer.close());
    await(vertx.close());
  }

  @Test
  void secondConsumerOfAGroupStartsAfterTheCommittedOffset(KafkaBroker broker) throws Exception {
    String topic = KafkaBroker.uniqueTopicName("commits");
    String group = topic + "-group";
    broker.createTopic(topic, 1);
    sendAll(topic, "a1", "a2", "a3");

    KafkaConsumer<String, String> first = consumer(broker, group);
    await(first.subscribe(topic));
    List<KafkaConsumerRecord<String, String>> firstRead = pollUntil(first, 3);
    await(first.commit());
    await(first.close());
    sendAll(topic, "b1", "b2");

    KafkaConsumer<String, String> second = consumer(broker, group);
    await(second.subscribe(topic));
    List<KafkaConsumerRecord<String, String>> secondRead = pollUntil(second, 2);
    await(second.close());

    assertThat(firstRead).extracting(KafkaConsumerRecord::value).containsExactly("a1", "a2", "a3");
    // Had the commit been lost, auto.offset.reset=earliest would have replayed a1..a3 first.
    assertThat(secondRead).extracting(KafkaConsumerRecord::value).containsExactly("b1", "b2");
    assertThat(secondRead.get(0).offset()).isEqualTo(3);
  }

  @Test
  void headersRoundTrip(KafkaBroker broker) throws Exception {
    String topic = KafkaBroker.uniqueTopicName("headers");
    broker.createTopic(topic, 1);
    await(
        producer.send(
            KafkaProducerRecord.create(topic, "app-1", "{\"v\":1}")
                .addHeader("ce_type", "io.astro.app.status.v1")
                .addHeader("ce_id", Buffer.buffer(new byte[] {0, 1, 2, (byte) 255}))));

    KafkaConsumer<String, String> consumer = consumer(broker, topic + "-group");
    await(consumer.subscribe(topic));
    KafkaConsumerRecord<String, String> record = pollUntil(consumer, 1).get(0);
    await(consumer.close());

    assertThat(record.key()).isEqualTo("app-1");
    assertThat(record.headers()).hasSize(2);
    assertThat(record.headers().get(0).key()).isEqualTo("ce_type");
    assertThat(record.headers().get(0).value().toString()).isEqualTo("io.astro.app.status.v1");
    assertThat(record.headers().get(1).value().getBytes()).containsExactly(0, 1, 2, 255);
  }

  @Test
  void compactedTopicIsCreatedAndDescribed(KafkaBroker broker) throws Exception {
    String compacted = KafkaBroker.uniqueTopicName("compacted");
    String plain = KafkaBroker.uniqueTopicName("plain");
    broker.createCompactedTopic(compacted, 3);
    broker.createTopic(plain, 2);

    try (Admin admin = broker.admin()) {
      Map<String, TopicDescription> topics =
          admin
              .describeTopics(List.of(compacted, plain))
              .allTopicNames()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(topics.get(compacted).partitions()).hasSize(3);
      assertThat(topics.get(plain).partitions()).hasSize(2);

      ConfigResource compactedConfig = new ConfigResource(ConfigResource.Type.TOPIC, compacted);
      ConfigResource plainConfig = new ConfigResource(ConfigResource.Type.TOPIC, plain);
      var configs =
          admin
              .describeConfigs(List.of(compactedConfig, plainConfig))
              .all()
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(configs.get(compactedConfig).get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(configs.get(plainConfig).get("cleanup.policy").value()).isEqualTo("delete");
    }
  }

  private static void sendAll(String topic, String... values) throws Exception {
    for (String value : values) {
      await(producer.send(KafkaProducerRecord.create(topic, "key", value)));
    }
  }

  private static KafkaConsumer<String, String> consumer(KafkaBroker broker, String group) {
    return KafkaConsumer.create(
        vertx,
        Map.of(
            "bootstrap.servers", broker.bootstrapServers(),
            "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
            "value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
            "group.id", group,
            "enable.auto.commit", "false",
            "auto.offset.reset", "earliest"));
  }

  /** Polls until {@code count} records arrived; the group join happens inside the first polls. */
  private static List<KafkaConsumerRecord<String, String>> pollUntil(
      KafkaConsumer<String, String> consumer, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    List<KafkaConsumerRecord<String, String>> records = new ArrayList<>();
    while (records.size() < count) {
      assertThat(System.nanoTime())
          .as("%d of %d records after %d s", records.size(), count, TIMEOUT_SECONDS)
          .isLessThan(deadline);
      var batch = await(consumer.poll(Duration.ofMillis(200)));
      for (int i = 0; i < batch.size(); i++) {
        records.add(batch.recordAt(i));
      }
    }
    return records;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
