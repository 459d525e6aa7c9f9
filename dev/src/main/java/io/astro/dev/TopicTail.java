package io.astro.dev;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.events.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code ./astro events [TOPIC...]}: every record of Astro's topics on the dev broker, from the
 * beginning and then as they come, one line each ({@code topic key value}) — what an integration
 * consuming them sees. Default topic {@code astro.app.status}. No consumer group: it commits
 * nothing and disturbs no one.
 */
public final class TopicTail {

  private TopicTail() {}

  public static void main(String[] args) {
    // before the first logger: errors only (a client retrying an absent broker warns several times
    // a second)
    System.setProperty("logback.configurationFile", "astro-events-logback.xml");
    String bootstrap;
    try {
      Env env = Env.system();
      bootstrap =
          env.string(
              "ASTRO_KAFKA_BOOTSTRAP",
              "localhost:" + env.integer("ASTRO_DEV_KAFKA_PORT", 9092, 1, 65535));
    } catch (ConfigException e) {
      System.err.println("astro events: " + e.getMessage());
      System.exit(2);
      return;
    }
    List<String> topics = args.length == 0 ? List.of(Topics.APP_STATUS) : Arrays.asList(args);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "astro-events"),
            new StringDeserializer(),
            new StringDeserializer())) {
      Thread main = Thread.currentThread();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    consumer.wakeup();
                    try {
                      main.join(5_000);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        List<PartitionInfo> infos;
        try {
          infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        } catch (TimeoutException e) {
          System.err.println(
              "astro events: no topic "
                  + topic
                  + " on "
                  + bootstrap
                  + " within 10 s (is ./astro dev running? is the name right?)");
          System.exit(1);
          return;
        }
        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (true) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
          System.out.println(record.topic() + " " + record.key() + " " + record.value());
        }
      }
    } catch (WakeupException stopped) {
      // Ctrl-C
    }
  }
}
