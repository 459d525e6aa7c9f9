package io.astro.sync;

import io.astro.common.events.DeadLetters;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.ops.ReadinessCheck;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.ClusterRegistry;
import io.astro.sync.clusters.ClusterSource;
import io.astro.sync.clusters.ClusterTopicConsumer;
import io.astro.sync.clusters.ConnectedClusters;
import io.astro.sync.clusters.PublishedClusters;
import io.astro.sync.commands.CommandConsumer;
import io.astro.sync.commands.DesiredState;
import io.astro.sync.health.ClusterHealthCheck;
import io.astro.sync.health.ClusterHealthMonitor;
import io.astro.sync.health.ClusterStatusPublisher;
import io.astro.sync.reconcile.AppReconciler;
import io.astro.sync.reconcile.AppSecrets;
import io.astro.sync.reconcile.ClusterUrls;
import io.astro.sync.reconcile.Manifests;
import io.astro.sync.reconcile.NamespaceRemoval;
import io.astro.sync.reconcile.NamespaceSetup;
import io.astro.sync.reconcile.ObjectWriter;
import io.astro.sync.reconcile.ReconcileLoop;
import io.astro.sync.status.StatusPublisher;
import io.kubernetes.client.openapi.ApiClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the worker's threads — the command and cluster topic consumers, the reconcile workers, the
 * health checks and every cluster's informers — and starts and stops them off the event loop: Kafka
 * and Kubernetes clients block, and none of them runs on one.
 */
final class SyncWorkerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SyncWorkerVerticle.class);
  private static final Duration CLUSTERS_WAIT = Duration.ofSeconds(30);
  // a removal waits for the apps' deletes; one read per cluster per pending namespace each time
  private static final Duration NAMESPACE_RECHECK = Duration.ofSeconds(1);

  private final SyncWorkerConfig config;
  private final CompletableFuture<Map<String, ApiClient>> configuredClients;
  private final DesiredState state = new DesiredState();
  private final KafkaProducer<String, String> producer;
  private final ConnectedClusters connected;
  private final ClusterRegistry clusters;
  private final ReconcileLoop loop;
  private final SyncEngine engine;
  private final ClusterHealthMonitor health;
  private final DeadLetters deadLetters;
  private final PublishedClusters published;
  private final AppSecrets secrets;
  private final NamespaceRemoval removals;
  private ClusterTopicConsumer clusterTopic;
  private CommandConsumer commands;

  /**
   * @param configuredClients the request clients of {@code config}'s clusters by id, as {@link
   *     ClusterRegistry#openEarly} makes them
   */
  SyncWorkerVerticle(
      SyncWorkerConfig config,
      CompletableFuture<Map<String, ApiClient>> configuredClients,
      MeterRegistry registry) {
    this.config = config;
    this.configuredClients = configuredClients;
    SyncWorkerConfig.Kafka kafka = config.kafka();
    this.producer =
        new KafkaProducer<>(
            KafkaClients.producer(kafka.bootstrap(), kafka.security(), "sync-worker"));
    // a status that could not be sent puts its app back on the queue, built below
    StatusPublisher publisher =
        new StatusPublisher(
            producer,
            kafka.statusTopic(),
            registry,
            StatusPublisher.MAX_IN_FLIGHT,
            this::statusUnpublished);
    ObjectWriter writer =
        new ObjectWriter(
            (kind, verb) ->
                Counter.builder("astro_sync_writes")
                    .tag("kind", kind)
                    .tag("verb", verb)
                    .register(registry)
                    .increment());
    ClusterUrls urls = new ClusterUrls(config.tenantPolicy().publicUrls());
    Manifests manifests = new Manifests(config.tenantPolicy(), config.rolloutDeadline(), urls);
    // every resync reconciles every app; half the period makes each one check its namespace and
    // Secrets
    Duration recheck = config.informerResync().dividedBy(2);
    this.secrets = new AppSecrets(config.kubeconfigKeys(), manifests, writer, recheck);
    NamespaceSetup namespaces = new NamespaceSetup(manifests, writer, secrets, recheck);
    // readers of the connected clusters first, then the engine that drives them, then the registry
    // whose events go to the engine: each part is complete when it is built
    this.connected = new ConnectedClusters();
    AppReconciler reconciler =
        new AppReconciler(state, connected, manifests, writer, namespaces, secrets, publisher);
    this.loop =
        new ReconcileLoop(
            reconciler, config.workers(), config.retryBase(), config.retryMax(), registry);
    SyncWorkerConfig.Health checks = config.health();
    this.health =
        new ClusterHealthMonitor(
            connected,
            new ClusterHealthCheck(checks.timeout()),
            new ClusterStatusPublisher(producer, kafka.clusterStatusTopic()),
            checks.interval(),
            checks.retry(),
            checks.timeout(),
            checks.concurrency(),
            registry);
    this.removals = new NamespaceRemoval(connected, writer, publisher::publish, NAMESPACE_RECHECK);
    this.engine = new SyncEngine(state, publisher, namespaces, loop, reconciler, health, removals);
    this.clusters =
        new ClusterRegistry(
            connected,
            engine,
            config.kubeRequestTimeout(),
            config.informerResync(),
            config.maxClusters());
    this.deadLetters =
        DeadLetters.over(
            producer,
            topic ->
                Counter.builder("astro_sync_dead_letters")
                    .tag("topic", topic)
                    .register(registry)
                    .increment());
    this.published =
        new PublishedClusters(
            clusters,
            config.kubeconfigKeys(),
            health::request,
            config.clusterAddresses(),
            config.acceptLegacySeals(),
            urls,
            engine::urlsChanged);
    Gauge.builder("astro_sync_apps", state, DesiredState::size)
        .description("apps this instance owns")
        .register(registry);
    Gauge.builder(
            "astro_sync_clusters_reachable",
            clusters,
            c -> c.all().stream().filter(cc -> cc.synced() && cc.failure() == null).count())
        .register(registry);
  }

  ConnectedClusters clusters() {
    return connected;
  }

  /**
   * Kafka: the group has given this instance its share; clusters: the cluster topic has been read
   * and every cluster that answers has synced its informers.
   */
  List<ReadinessCheck> readiness() {
    return List.of(
        ReadinessCheck.of(
            "kafka",
            () ->
                commands != null && commands.assigned()
                    ? Future.succeededFuture()
                    : Future.failedFuture("command partitions not assigned yet")),
        ReadinessCheck.of(
            "clusters",
            () -> {
              if (clusterTopic == null || !clusterTopic.caughtUp().isDone()) {
                return Future.failedFuture("cluster topic not read yet");
              }
              // an unreachable cluster is reported by its health and its apps' status, not by
              // taking this instance
              // (and every other cluster's logs) out of service
              String waiting =
                  clusters.all().stream()
                      .filter(c -> c.failure() == null && !c.synced())
                      .map(ClusterConnection::id)
                      .collect(Collectors.joining(", "));
              return waiting.isEmpty()
                  ? Future.succeededFuture()
                  : Future.failedFuture("informers not synced yet: " + waiting);
            }));
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(
        () -> {
          loop.start();
          health.start();
          if (config.clusters().isEmpty() && config.kubeconfigKeys() == null) {
            LOG.warn(
                "no clusters configured (ASTRO_CLUSTERS) and no ASTRO_KUBECONFIG_KEYS to open those of the "
                    + "cluster topic: commands are recorded, apps report status unknown");
          }
          // a kubeconfig that could not be used fails the start with its cluster's reason
          Map<String, ApiClient> clients = configuredClients.join();
          for (ClusterSource source : config.clusters().values()) {
            clusters.put(source, clients.get(source.id()));
          }
          SyncWorkerConfig.Kafka kafka = config.kafka();
          clusterTopic =
              new ClusterTopicConsumer(
                  KafkaClients.assignedConsumer(
                      kafka.bootstrap(), kafka.security(), "sync-worker-clusters"),
                  deadLetters,
                  kafka.clustersTopic(),
                  published);
          clusterTopic.start();
          commands =
              new CommandConsumer(
                  KafkaClients.consumer(kafka.bootstrap(), kafka.security(), kafka.group()),
                  deadLetters,
                  kafka.commandsTopic(),
                  state,
                  app -> {
                    try {
                      secrets.check(app);
                    } catch (AppSecrets.Unopenable e) {
                      throw new InvalidEventException(e.getMessage());
                    }
                  },
                  engine);
          // apps are taken on once their clusters are known, or each would report "cluster unknown"
          // at every start; the group is joined meanwhile
          CompletableFuture<Void> clustersKnown =
              clusterTopic
                  .caughtUp()
                  .copy()
                  .completeOnTimeout(null, CLUSTERS_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                  .thenRun(
                      () -> {
                        if (!clusterTopic.caughtUp().isDone()) {
                          LOG.warn(
                              "cluster topic {} not read within {}: taking on apps anyway",
                              kafka.clustersTopic(),
                              CLUSTERS_WAIT);
                        }
                      });
          commands.start(clustersKnown);
          return null;
        });
  }

  private void statusUnpublished(String appId) {
    loop.unpublished(appId);
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(
        () -> {
          if (clusterTopic != null) {
            clusterTopic.close();
          }
          if (commands != null) {
            commands.close();
          }
          health.close();
          removals.close();
          loop.close();
          clusters.close();
          producer.close(Duration.ofSeconds(5));
          return null;
        });
  }
}
