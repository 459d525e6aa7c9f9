package io.astro.bench.scenarios;

import io.astro.common.events.Topics;
import io.astro.common.events.app.AppCommand;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.kube.FakeCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What reconcile at scale runs against: fake clusters in this JVM (their kubeconfigs written to
 * files for {@code ASTRO_CLUSTERS}), topics of their own on the broker, and desired state for every
 * app published on the command topic the way app-service's outbox would — so no database or API is
 * involved.
 */
final class ScaleRig implements AutoCloseable {

  static final String COMMANDS = "bench.scale.commands";
  static final String STATUS = "bench.scale.status";
  static final String CLUSTERS = "bench.scale.clusters";
  static final String CLUSTER_STATUS = "bench.scale.cluster-status";

  final List<FakeCluster> clusters;
  final String clustersSpec;

  private ScaleRig(List<FakeCluster> clusters, String clustersSpec) {
    this.clusters = clusters;
    this.clustersSpec = clustersSpec;
  }

  static ScaleRig start(int count, Path dir) {
    List<CompletableFuture<FakeCluster>> starting = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = "scale-" + i;
      starting.add(CompletableFuture.supplyAsync(() -> FakeCluster.start(name)));
    }
    List<FakeCluster> clusters = starting.stream().map(CompletableFuture::join).toList();
    StringBuilder spec = new StringBuilder();
    try {
      Files.createDirectories(dir);
      for (FakeCluster c : clusters) {
        Path file = dir.resolve(c.name() + ".kubeconfig");
        Files.writeString(file, c.kubeconfig());
        spec.append(spec.isEmpty() ? "" : ",").append(c.name()).append('=').append(file);
      }
    } catch (IOException e) {
      clusters.forEach(FakeCluster::close);
      throw new UncheckedIOException(e);
    }
    return new ScaleRig(clusters, spec.toString());
  }

  static void createTopics(String bootstrap) {
    Map<String, String> compacted =
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    List<NewTopic> topics =
        new ArrayList<>(
            List.of(
                new NewTopic(COMMANDS, Optional.of(3), Optional.empty()).configs(compacted),
                new NewTopic(STATUS, Optional.of(3), Optional.empty()),
                new NewTopic(CLUSTERS, Optional.of(1), Optional.empty()).configs(compacted),
                new NewTopic(CLUSTER_STATUS, Optional.of(1), Optional.empty())));
    for (String t : List.of(COMMANDS, STATUS, CLUSTERS, CLUSTER_STATUS)) {
      topics.add(new NewTopic(Topics.deadLetter(t), Optional.of(1), Optional.empty()));
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(topics).all().get();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (true) {
        try {
          admin.describeTopics(topics.stream().map(NewTopic::name).toList()).allTopicNames().get();
          return;
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(20);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("creating the scale topics: " + e, e);
    }
  }

  /**
   * One create command per app: {@code perCluster} apps on each cluster, {@code perNamespace} per
   * user.
   */
  List<String> publishApps(String bootstrap, int perCluster, int perNamespace) {
    List<String> ids = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                5),
            new StringSerializer(),
            new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int c = 0; c < clusters.size(); c++) {
        for (int i = 0; i < perCluster; i++) {
          long userId = 1_000_000L + (long) c * 10_000 + i / perNamespace;
          String id = UUID.randomUUID().toString();
          String name = "app-" + i;
          AppCommand command =
              new AppCommand(
                  AppCommand.Command.CREATE,
                  id,
                  userId,
                  name,
                  clusters.get(c).name(),
                  KubeNames.namespace(userId),
                  KubeNames.objectName(name, userId),
                  1,
                  new AppCommand.Desired(
                      "nginx:1.27",
                      1,
                      80,
                      false,
                      null,
                      false,
                      new AppCommand.Release(
                          1, new TreeMap<>(), List.of(), null, null, null, null, null, null)));
          sent.add(
              producer.send(
                  new ProducerRecord<>(
                      COMMANDS, id, command.encode().getBytes(StandardCharsets.UTF_8))));
          ids.add(id);
        }
      }
      producer.flush();
      // an app whose command was lost would only show up as a run that never converges
      for (Future<RecordMetadata> send : sent) {
        try {
          send.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while sending the commands", e);
        } catch (ExecutionException e) {
          throw new IllegalStateException("a command was not sent", e.getCause());
        }
      }
    }
    return ids;
  }

  /**
   * Stops every cluster's simulated control plane: once all is ready nothing needs it, and its
   * resync is costly.
   */
  void stopSimulators() {
    for (FakeCluster c : clusters) {
      try {
        c.simulator().close();
      } catch (RuntimeException e) {
        // already closed
      }
    }
  }

  @Override
  public void close() {
    clusters.parallelStream().forEach(FakeCluster::close);
  }
}
