package io.astro.dev;

import io.astro.common.runtime.DaemonThreads;
import io.astro.testkit.db.EmbeddedMariaDb;
import io.astro.testkit.db.MySqlServer;
import io.astro.testkit.kafka.EmbeddedKafkaBroker;
import io.astro.testkit.kafka.KafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the services run on: the embedded MariaDB and Kafka broker, both keeping their files in the
 * workspace, and the cluster. The three start side by side (each spends most of its time waiting on
 * disk or a child process).
 */
public final class Backing implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Backing.class);

  private final Path kafkaDir;
  private final int kafkaPort;
  private final int kafkaControllerPort;
  private final MySqlServer database;
  private volatile KafkaBroker kafka;
  private final ClusterTarget cluster;
  private final List<String> topics;

  private Backing(
      Path kafkaDir,
      int kafkaPort,
      int kafkaControllerPort,
      MySqlServer database,
      KafkaBroker kafka,
      ClusterTarget cluster,
      List<String> topics) {
    this.kafkaDir = kafkaDir;
    this.kafkaPort = kafkaPort;
    this.kafkaControllerPort = kafkaControllerPort;
    this.database = database;
    this.kafka = kafka;
    this.cluster = cluster;
    this.topics = topics;
  }

  public static Backing start(DevOptions options, Workspace workspace) {
    DevOptions.Ports ports = options.ports();
    // a real cluster is checked first: when it does not answer, nothing else needs starting
    ClusterTarget external =
        options.kubeconfig() == null ? null : ClusterTarget.external(options.kubeconfig());
    ExecutorService starter =
        Executors.newFixedThreadPool(3, DaemonThreads.named("astro-dev-start"));
    try {
      Future<MySqlServer> db =
          starter.submit(
              () -> EmbeddedMariaDb.startPersistent(workspace.mariadb(), ports.database()));
      Future<KafkaBroker> broker =
          starter.submit(
              () ->
                  EmbeddedKafkaBroker.startPersistent(
                      workspace.kafka(), ports.kafka(), ports.kafkaController()));
      Future<ClusterTarget> cluster =
          external != null
              ? CompletableFuture.completedFuture(external)
              : starter.submit(() -> ClusterTarget.sandbox(workspace.sandboxKubeconfig()));

      // every start is waited for, even after one failed, so nothing is left running when this
      // throws
      List<AutoCloseable> started = new ArrayList<>();
      List<RuntimeException> failures = new ArrayList<>();
      MySqlServer database = outcome(db, "the embedded MariaDB", started, failures);
      KafkaBroker kafka = outcome(broker, "the embedded Kafka broker", started, failures);
      ClusterTarget target = outcome(cluster, "the cluster", started, failures);
      if (target != null) {
        started.add(target::close);
      }
      if (!failures.isEmpty()) {
        closeAll(started);
        throw failures.get(0);
      }
      try {
        Databases.ensure(database);
        List<String> topics = KafkaTopics.ensure(kafka.bootstrapServers());
        return new Backing(
            workspace.kafka(),
            ports.kafka(),
            ports.kafkaController(),
            database,
            kafka,
            target,
            topics);
      } catch (RuntimeException e) {
        closeAll(List.of(target::close, kafka, database));
        throw e;
      }
    } finally {
      starter.shutdown();
    }
  }

  private static <T> T outcome(
      Future<T> start, String what, List<AutoCloseable> started, List<RuntimeException> failures) {
    try {
      T value = start.get();
      if (value instanceof AutoCloseable closeable) {
        started.add(closeable);
      }
      return value;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add(new IllegalStateException("interrupted while starting " + what));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      failures.add(
          cause instanceof DevFailure failure
              ? failure
              : new IllegalStateException(
                  what + " did not start: " + Failures.rootMessage(cause), cause));
    }
    return null;
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("stopping failed: {}", e.toString());
      }
    }
  }

  public MySqlServer database() {
    return database;
  }

  public KafkaBroker kafka() {
    return kafka;
  }

  public ClusterTarget cluster() {
    return cluster;
  }

  public List<String> topics() {
    return topics;
  }

  /**
   * Stops the broker (files kept): for fault tests, which then {@link #startKafka()} it again on
   * the same ports.
   */
  public void stopKafka() {
    kafka.close();
  }

  public void startKafka() {
    kafka = EmbeddedKafkaBroker.startPersistent(kafkaDir, kafkaPort, kafkaControllerPort);
  }

  /**
   * Cluster first (its informer clients are already closed with the sync-worker), then broker, then
   * database.
   */
  @Override
  public void close() {
    closeAll(List.of(cluster::close, kafka, database));
  }
}
