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

/** Topic creation through the admin client, as the services' own set-up would do it. */
final class TopicCreator {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final long TIMEOUT_SECONDS = 30;

  private TopicCreator() {
  }

  static void create(KafkaBroker broker, String name, int partitions, Map<String, String> configs) {
    NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs);
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot create topic " + name + " on " + broker.bootstrapServers(), e);
    }
  }

  static String uniqueName(String prefix) {
    // Topic names allow [a-zA-Z0-9._-]; the nanoTime part keeps reruns against a persistent broker apart.
    String clean = prefix.replaceAll("[^a-zA-Z0-9._-]", "-").toLowerCase(Locale.ROOT);
    return clean + "-" + SEQUENCE.incrementAndGet() + "-" + Long.toString(System.nanoTime(), 36);
  }
}
