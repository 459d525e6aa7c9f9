package io.astro.testkit.kafka;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Topic creation through the admin client, as the services' own set-up would do it. */
final class TopicCreator {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final long TIMEOUT_SECONDS = 30;

  private TopicCreator() {}

  static void create(KafkaBroker broker, String name, int partitions, Map<String, String> configs) {
    NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs);
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      awaitMetadata(admin, name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Cannot create topic " + name + " on " + broker.bootstrapServers(), e);
    }
  }

  // createTopics returns when the controller has the topic; brokers serve its metadata a moment
  // later,
  // and a describe or produce in between fails with UnknownTopicOrPartition
  private static void awaitMetadata(Admin admin, String name)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        admin.describeTopics(List.of(name)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Topic " + name + " was created but its metadata never appeared", e);
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }
  }

  static String uniqueName(String prefix) {
    // Topic names allow [a-zA-Z0-9._-]; the nanoTime part keeps reruns against a persistent broker
    // apart.
    String clean = prefix.replaceAll("[^a-zA-Z0-9._-]", "-").toLowerCase(Locale.ROOT);
    return clean + "-" + SEQUENCE.incrementAndGet() + "-" + Long.toString(System.nanoTime(), 36);
  }
}
