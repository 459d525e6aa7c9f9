package io.astro.testkit.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the beginning until enough matching records turned up or the time is up. */
final class RecordAwaiter {

  private static final Duration POLL = Duration.ofMillis(100);
  private static final int SHOWN_IN_FAILURE = 5;

  private final String bootstrapServers;

  RecordAwaiter(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  List<ReceivedRecord> await(
      String topic, int count, Predicate<ReceivedRecord> filter, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ReceivedRecord> matching = new ArrayList<>();
    List<ReceivedRecord> others = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config(), new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = awaitPartitions(consumer, topic, deadline);
      if (partitions.isEmpty()) {
        throw new AssertionError(
            "Timed out after "
                + timeout
                + " waiting for "
                + count
                + " record(s) on topic '"
                + topic
                + "': the topic does not exist on "
                + bootstrapServers);
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> endOffsets = null;
      while (true) {
        if (matching.size() >= count) {
          if (endOffsets == null) {
            endOffsets = consumer.endOffsets(partitions, remaining(deadline));
          }
          if (atEnd(consumer, endOffsets) || System.nanoTime() >= deadline) {
            matching.sort(
                Comparator.comparingInt(ReceivedRecord::partition)
                    .thenComparingLong(ReceivedRecord::offset));
            return matching;
          }
        } else if (System.nanoTime() >= deadline) {
          throw new AssertionError(
              "Timed out after "
                  + timeout
                  + " waiting for "
                  + count
                  + " matching record(s) on topic '"
                  + topic
                  + "': "
                  + matching.size()
                  + " matched among "
                  + (matching.size() + others.size())
                  + " read. Matching: "
                  + firstFew(matching)
                  + ". Not matching: "
                  + firstFew(others));
        }
        for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
          ReceivedRecord received = toReceived(record);
          (filter.test(received) ? matching : others).add(received);
        }
      }
    }
  }

  /**
   * The topic may not exist yet when the code under test creates it on first use: partitionsFor
   * keeps asking the broker until it does or the time is up. An empty list means it never appeared.
   */
  private static List<TopicPartition> awaitPartitions(
      KafkaConsumer<?, ?> consumer, String topic, long deadline) {
    try {
      return consumer.partitionsFor(topic, remaining(deadline)).stream()
          .map(info -> new TopicPartition(topic, info.partition()))
          .toList();
    } catch (TimeoutException e) {
      return List.of();
    }
  }

  private static boolean atEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> endOffsets) {
    return endOffsets.entrySet().stream()
        .allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private static ReceivedRecord toReceived(ConsumerRecord<String, String> record) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header header : record.headers()) {
      headers.put(
          header.key(),
          header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
    }
    return new ReceivedRecord(
        record.topic(),
        record.partition(),
        record.offset(),
        record.key(),
        record.value(),
        Collections.unmodifiableMap(headers));
  }

  private static String firstFew(List<ReceivedRecord> records) {
    return records.size() <= SHOWN_IN_FAILURE
        ? records.toString()
        : records.subList(0, SHOWN_IN_FAILURE)
            + " and "
            + (records.size() - SHOWN_IN_FAILURE)
            + " more";
  }

  private Map<String, Object> config() {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers,
        ConsumerConfig.CLIENT_ID_CONFIG,
        "astro-testkit-await",
        // no group: it must not move any group's offsets nor join a rebalance
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
        false,
        // looking must not create the topic it looks for
        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
        false);
  }
}
