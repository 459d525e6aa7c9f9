package io.astro.dev;

import io.astro.common.events.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topics of docs/architecture.md, created before any service starts: the services never create
 * topics, and the broker's auto-creation would make {@code astro.app.commands} a plain topic — the
 * sync-worker rebuilds desired state from it, so it must be compacted.
 */
public final class KafkaTopics {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Map<String, String> COMPACTED =
      Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);

  private KafkaTopics() {}

  /** Name → (partitions, configs) of every topic Astro uses. */
  static Map<String, NewTopic> wanted() {
    Map<String, NewTopic> topics = new LinkedHashMap<>();
    add(topics, Topics.APP_COMMANDS, 3, COMPACTED);
    add(topics, Topics.APP_STATUS, 3, Map.of());
    add(topics, Topics.CLUSTERS, 1, COMPACTED);
    add(topics, Topics.CLUSTER_STATUS, 1, Map.of());
    add(topics, Topics.USERS, 3, Map.of());
    add(topics, Topics.AUDIT, 3, Map.of());
    for (String topic :
        List.of(
            Topics.APP_COMMANDS,
            Topics.APP_STATUS,
            Topics.CLUSTERS,
            Topics.CLUSTER_STATUS,
            Topics.USERS,
            Topics.AUDIT)) {
      add(topics, Topics.deadLetter(topic), 1, Map.of());
    }
    return topics;
  }

  /**
   * Creates what is missing (a restart finds them all) and waits until the broker serves their
   * metadata.
   */
  public static List<String> ensure(String bootstrap) {
    Map<String, NewTopic> wanted = wanted();
    try (Admin admin =
        Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      wanted.forEach(
          (name, topic) -> {
            if (!existing.contains(name)) {
              missing.add(topic);
            }
          });
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      awaitMetadata(admin, wanted.keySet());
      return List.copyOf(wanted.keySet());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot create the topics on " + bootstrap + ": " + e.getMessage(), e);
    }
  }

  // createTopics returns when the controller has them; the broker serves their metadata a moment
  // later
  private static void awaitMetadata(Admin admin, Set<String> names) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      try {
        admin.describeTopics(names).allTopicNames().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }
  }

  private static void add(
      Map<String, NewTopic> topics, String name, int partitions, Map<String, String> configs) {
    topics.put(
        name, new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs));
  }
}
