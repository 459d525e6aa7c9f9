package io.astro.sync;

import io.astro.common.ops.ReadinessCheck;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.ClusterRegistry;
import io.astro.sync.clusters.ClusterSource;
import io.astro.sync.commands.CommandConsumer;
import io.astro.sync.commands.DesiredState;
import io.astro.sync.reconcile.AppReconciler;
import io.astro.sync.reconcile.Manifests;
import io.astro.sync.reconcile.NamespaceSetup;
import io.astro.sync.reconcile.ObjectWriter;
import io.astro.sync.reconcile.ReconcileLoop;
import io.astro.sync.status.StatusPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the worker's threads — the command consumer, the reconcile workers and every cluster's informers — and
 * starts and stops them off the event loop: Kafka and Kubernetes clients block, and none of them runs on one.
 */
final class SyncWorkerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SyncWorkerVerticle.class);

  private final SyncWorkerConfig config;
  private final MeterRegistry registry;
  private final DesiredState state = new DesiredState();
  private final KafkaProducer<String, String> producer;
  private final ClusterRegistry clusters;
  private final ReconcileLoop loop;
  private final SyncEngine engine;
  private CommandConsumer commands;

  SyncWorkerVerticle(SyncWorkerConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    SyncWorkerConfig.Kafka kafka = config.kafka();
    this.producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrap(), "sync-worker"));
    StatusPublisher publisher = new StatusPublisher(producer, kafka.statusTopic(), registry);
    ObjectWriter writer = new ObjectWriter((kind, verb) -> Counter.builder("astro_sync_writes")
        .tag("kind", kind).tag("verb", verb).register(registry).increment());
    Manifests manifests = new Manifests(config.tenantPolicy());
    NamespaceSetup namespaces = new NamespaceSetup(manifests, writer);
    this.engine = new SyncEngine(state, publisher, namespaces);
    this.clusters = new ClusterRegistry(engine, config.kubeRequestTimeout(), config.informerResync(),
        config.maxClusters());
    AppReconciler reconciler = new AppReconciler(state, clusters, manifests, writer, namespaces, publisher);
    this.loop = new ReconcileLoop(reconciler, config.workers(), config.retryBase(), config.retryMax(), registry);
    engine.drive(loop, reconciler);
    Gauge.builder("astro_sync_apps", state, DesiredState::size).description("apps this instance owns")
        .register(registry);
    Gauge.builder("astro_sync_clusters_reachable", clusters,
        c -> c.all().stream().filter(cc -> cc.synced() && cc.failure() == null).count()).register(registry);
  }

  ClusterRegistry clusters() {
    return clusters;
  }

  /** Kafka: the group has given this instance its share; clusters: every connected one has synced and answers. */
  List<ReadinessCheck> readiness() {
    return List.of(
        ReadinessCheck.of("kafka", () -> commands != null && commands.assigned() ? Future.succeededFuture()
            : Future.failedFuture("command partitions not assigned yet")),
        ReadinessCheck.of("clusters", () -> {
          String waiting = clusters.all().stream()
              .filter(c -> !c.synced() || c.failure() != null)
              .map(ClusterConnection::id).collect(Collectors.joining(", "));
          return waiting.isEmpty() ? Future.succeededFuture()
              : Future.failedFuture("not synced or unreachable: " + waiting);
        }));
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> {
      loop.start();
      if (config.clusters().isEmpty()) {
        LOG.warn("no clusters configured (ASTRO_CLUSTERS): commands are recorded, apps report status unknown");
      }
      for (ClusterSource source : config.clusters().values()) {
        clusters.put(source);
      }
      SyncWorkerConfig.Kafka kafka = config.kafka();
      commands = new CommandConsumer(KafkaClients.consumer(kafka.bootstrap(), kafka.group()), producer,
          kafka.commandsTopic(), state, engine,
          topic -> Counter.builder("astro_sync_dead_letters").tag("topic", topic).register(registry).increment());
      commands.start();
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(() -> {
      if (commands != null) {
        commands.close();
      }
      loop.close();
      clusters.close();
      producer.close(Duration.ofSeconds(5));
      return null;
    });
  }
}
