package io.astro.testkit.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.TopicConfig;

/**
 * A Kafka broker for tests and dev mode: the in-process KRaft broker or a Kafka container. Topics
 * are shared by everything using the same broker, so tests name theirs uniquely ({@link
 * #uniqueTopicName}).
 */
public interface KafkaBroker extends AutoCloseable {

  /** {@code host:port} for the {@code bootstrap.servers} client setting. */
  String bootstrapServers();

  /** Stops the broker. */
  @Override
  void close();

  /** A new admin client for this broker; the caller closes it. */
  default Admin admin() {
    return Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  default void createTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of());
  }

  /** A topic that keeps the latest record per key ({@code cleanup.policy=compact}). */
  default void createCompactedTopic(String name, int partitions) {
    createTopic(
        name,
        partitions,
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /**
   * Creates the topic with the broker's default replication factor and waits until the controller
   * has it.
   */
  default void createTopic(String name, int partitions, Map<String, String> configs) {
    TopicCreator.create(this, name, partitions, configs);
  }

  /** Like {@link #awaitRecords(String, int, Predicate, Duration)} with every record matching. */
  default List<ReceivedRecord> awaitRecords(String topic, int count, Duration timeout) {
    return awaitRecords(topic, count, record -> true, timeout);
  }

  /**
   * Reads {@code topic} from the beginning with a consumer of its own (no group, commits nothing)
   * until at least {@code count} records match {@code filter}, then on to the end of the topic so
   * that duplicates already written show up too. Returns every matching record read, in partition
   * and offset order; throws {@link AssertionError} saying what it saw if {@code timeout} passes
   * first.
   */
  default List<ReceivedRecord> awaitRecords(
      String topic, int count, Predicate<ReceivedRecord> filter, Duration timeout) {
    return new RecordAwaiter(bootstrapServers()).await(topic, count, filter, timeout);
  }

  /** A topic name no other test on this broker uses. */
  static String uniqueTopicName(String prefix) {
    return TopicCreator.uniqueName(prefix);
  }
}
