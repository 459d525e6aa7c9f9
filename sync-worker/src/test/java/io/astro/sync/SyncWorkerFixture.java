package io.astro.sync;

import io.astro.testkit.Backends;
import io.astro.testkit.Eventually;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.testkit.kube.FakeCluster;
import io.astro.testkit.kube.KubeCluster;
import io.astro.testkit.kube.KubeClusters;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Secret;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * A broker with fresh topics, fake clusters, a worker on them, and what tests need to drive and
 * observe it.
 */
public final class SyncWorkerFixture implements AutoCloseable {

  public static final Duration WAIT = Duration.ofSeconds(60);

  public final KafkaBroker broker;

  /** The fake clusters; empty on K3s ({@code -Dastro.containers=true}). */
  public final List<FakeCluster> clusters;

  /**
   * The clusters the worker is given: the fakes, or K3s clusters with {@code
   * -Dastro.containers=true}.
   */
  public final List<KubeCluster> kubes;

  public final String commandsTopic = KafkaBroker.uniqueTopicName("commands");
  public final String statusTopic = KafkaBroker.uniqueTopicName("status");
  public final String clustersTopic = KafkaBroker.uniqueTopicName("clusters");
  public final String clusterStatusTopic = KafkaBroker.uniqueTopicName("cluster-status");
  public final String group = "sync-worker-" + UUID.randomUUID();
  public final Commands commands;
  public final ClusterRecords clusterRecords;
  private RunningSyncWorker worker;

  public SyncWorkerFixture(KafkaBroker broker, int clusterCount) {
    this.broker = broker;
    broker.createCompactedTopic(commandsTopic, 3);
    broker.createTopic(statusTopic, 3);
    broker.createCompactedTopic(clustersTopic, 3);
    broker.createTopic(clustersTopic + ".dlq", 1);
    broker.createTopic(clusterStatusTopic, 3);
    if (Backends.containers()) {
      // a real API server and kubelet (Docker): calibrates what the fakes pretend
      this.clusters = List.of();
      this.kubes = KubeClusters.start(clusterCount);
    } else {
      this.clusters =
          java.util.stream.IntStream.range(0, clusterCount)
              .mapToObj(i -> FakeCluster.start())
              .toList();
      this.kubes = List.copyOf(clusters);
    }
    this.commands = new Commands(broker, commandsTopic);
    this.clusterRecords = new ClusterRecords(broker, clustersTopic);
  }

  /** A worker with every fake cluster in its static configuration ({@code ASTRO_CLUSTERS}). */
  public SyncWorkerFixture startWorker(Map<String, String> extra) {
    return startWorker(extra, kubes);
  }

  /**
   * A worker with only {@code staticClusters} configured; others can come from the cluster topic.
   */
  public SyncWorkerFixture startWorker(
      Map<String, String> extra, List<? extends KubeCluster> staticClusters) {
    Map<String, String> vars =
        new java.util.HashMap<>(
            Map.of(
                "ASTRO_CLUSTERS_TOPIC", clustersTopic,
                "ASTRO_CLUSTER_STATUS_TOPIC", clusterStatusTopic));
    vars.putAll(extra);
    worker =
        RunningSyncWorker.start(
            broker.bootstrapServers(), commandsTopic, statusTopic, group, staticClusters, vars);
    return this;
  }

  public RunningSyncWorker worker() {
    return worker;
  }

  public void stopWorker() {
    worker.close();
    worker = null;
  }

  /**
   * The i-th fake cluster, for tests that steer its faults, credential or simulator; such tests are
   * skipped on K3s, which has none of those.
   */
  public FakeCluster cluster(int i) {
    Assumptions.assumeFalse(
        Backends.containers(), "steers the fake cluster's faults and simulator; K3s has none");
    return clusters.get(i);
  }

  /** The i-th cluster the worker was given, fake or K3s. */
  public KubeCluster kube(int i) {
    return kubes.get(i);
  }

  /** The name the worker knows the i-th cluster by. */
  public String clusterName(int i) {
    return RunningSyncWorker.name(kubes.get(i), i);
  }

  /**
   * Waits for a status of the app matching {@code condition} on the status topic; answers its data.
   */
  public JsonObject awaitStatus(Commands.App app, Predicate<JsonObject> condition) {
    List<ReceivedRecord> records;
    try {
      records =
          broker.awaitRecords(
              statusTopic, 1, r -> app.id.equals(r.key()) && condition.test(data(r)), WAIT);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + whatTheWorkerDid(app), e);
    }
    return data(records.get(0));
  }

  /**
   * For a failed wait: the app's own statuses (the topic's other apps hide them in the awaiter's
   * message) and the worker's retry counters.
   */
  private String whatTheWorkerDid(Commands.App app) {
    StringBuilder why = new StringBuilder("\nThe app's statuses, oldest first:");
    broker
        .awaitRecords(statusTopic, 0, r -> app.id.equals(r.key()), Duration.ofSeconds(10))
        .forEach(r -> why.append("\n  ").append(data(r).encode()));
    if (worker != null) {
      why.append("\nThe worker's retries:");
      worker
          .metrics()
          .lines()
          .filter(line -> line.startsWith("astro_sync_reconcile_retries"))
          .forEach(line -> why.append("\n  ").append(line));
    }
    return why.toString();
  }

  /** Waits for the status {@code status} of the app's current generation. */
  public JsonObject awaitStatus(Commands.App app, String status) {
    return awaitStatus(
        app,
        d ->
            status.equals(d.getString("status"))
                && d.getLong("observedGeneration") == app.generation);
  }

  /**
   * Every status record of the app so far, oldest first (reads the topic up to {@code atLeast} of
   * them).
   */
  public List<JsonObject> statuses(Commands.App app, int atLeast) {
    return broker.awaitRecords(statusTopic, atLeast, r -> app.id.equals(r.key()), WAIT).stream()
        .map(SyncWorkerFixture::data)
        .toList();
  }

  /** Waits for a health record of the cluster matching {@code condition}; answers its data. */
  public JsonObject awaitClusterStatus(String cluster, Predicate<JsonObject> condition) {
    List<ReceivedRecord> records =
        broker.awaitRecords(
            clusterStatusTopic, 1, r -> cluster.equals(r.key()) && condition.test(data(r)), WAIT);
    return data(records.get(records.size() - 1));
  }

  public static JsonObject data(ReceivedRecord record) {
    return new JsonObject(record.value()).getJsonObject("data");
  }

  public V1Deployment deployment(int cluster, Commands.App app) {
    try {
      return new AppsV1Api(kube(cluster).apiClient())
          .readNamespacedDeployment(app.k8sName(), app.namespace())
          .execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw new IllegalStateException(e);
    }
  }

  /** The app's Secret of that name in the i-th cluster, or null when there is none. */
  public V1Secret secret(int cluster, Commands.App app, String name) {
    try {
      return new CoreV1Api(kube(cluster).apiClient())
          .readNamespacedSecret(name, app.namespace())
          .execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw new IllegalStateException(e);
    }
  }

  public static void await(String what, BooleanSupplier condition) {
    Eventually.until(what, WAIT, condition);
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.close();
    }
    commands.close();
    clusterRecords.close();
    kubes.forEach(KubeCluster::close);
  }
}
