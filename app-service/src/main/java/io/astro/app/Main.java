package io.astro.app;

import io.astro.app.apps.AppCounts;
import io.astro.app.apps.AppDetail;
import io.astro.app.apps.AppMetrics;
import io.astro.app.apps.AppRoutes;
import io.astro.app.apps.AppRules;
import io.astro.app.apps.AppService;
import io.astro.app.apps.AppStore;
import io.astro.app.audit.AuditActions;
import io.astro.app.audit.AuditLog;
import io.astro.app.audit.AuditRoutes;
import io.astro.app.auth.JwksAuthHandler;
import io.astro.app.clusters.ClusterRoutes;
import io.astro.app.clusters.ClusterService;
import io.astro.app.clusters.ClusterStore;
import io.astro.app.clusters.ClusterViews;
import io.astro.app.clusters.KubeconfigCheck;
import io.astro.app.clusters.Placement;
import io.astro.app.clusters.StaticClusters;
import io.astro.app.domains.DnsTxtCheck;
import io.astro.app.domains.DomainRoutes;
import io.astro.app.domains.DomainSettings;
import io.astro.app.domains.DomainStore;
import io.astro.app.domains.DomainVerifier;
import io.astro.app.events.ClusterStatusEvents;
import io.astro.app.events.KafkaReadiness;
import io.astro.app.events.StatusConsumer;
import io.astro.app.events.StatusEvents;
import io.astro.app.events.UserEvents;
import io.astro.app.logs.SyncWorkerLogs;
import io.astro.app.registries.RegistryRoutes;
import io.astro.app.registries.RegistryStore;
import io.astro.app.store.AppHousekeeping;
import io.astro.app.streams.StatusFeed;
import io.astro.app.streams.StatusStreams;
import io.astro.common.auth.DisabledUsers;
import io.astro.common.config.Env;
import io.astro.common.db.Database;
import io.astro.common.db.audit.AuditTrail;
import io.astro.common.db.outbox.OutboxRelay;
import io.astro.common.db.outbox.OutboxStore;
import io.astro.common.events.audit.AuditEvent;
import io.astro.common.http.RequestDeadline;
import io.astro.common.http.StreamSlots;
import io.astro.common.ops.ReadinessCheck;
import io.astro.common.runtime.Service;
import io.astro.common.runtime.ServiceLauncher;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;

/**
 * The apps API; desired state in MySQL, commands to Kafka through the outbox, status back from
 * Kafka.
 */
public final class Main {

  public static final String NAME = "app-service";

  /** The consumer group that keeps the audit trail. */
  public static final String AUDIT_GROUP = "app-service-audit";

  private Main() {}

  public static void main(String[] args) {
    ServiceLauncher.run(() -> start(Env.system()));
  }

  /** Starts the service in this JVM; also how a launcher runs several services in one process. */
  public static Future<Service> start(Env env) {
    AppServiceConfig config = AppServiceConfig.from(env);
    Service service = Service.create(NAME);
    Vertx vertx = service.vertx();
    AppServiceConfig.Kafka kafka = config.kafka();
    Pool pool = Database.pool(vertx, config.db());
    // the schema is brought up on a worker thread while the rest is built and what reads no table
    // starts; what reads or writes one starts once it is in place
    Future<Void> migrated = Database.migrate(vertx, pool, config.db(), "db/apps");
    AppStore store = new AppStore(pool, config.writeLimits());
    OutboxRelay relay =
        new OutboxRelay(
            new OutboxStore(pool),
            kafka.bootstrap(),
            kafka.security(),
            kafka.commandsTopic(),
            kafka.outboxPollInterval(),
            service.registry(),
            "app-service-outbox",
            "astro_app_events_emitted");
    StatusConsumer status =
        new StatusConsumer(
            "app-status",
            value -> StatusEvents.apply(store, value, relay::wake),
            kafka.bootstrap(),
            kafka.security(),
            kafka.statusTopic(),
            kafka.statusGroup());
    AppServiceConfig.Clusters c = config.clusters();
    ClusterStore clusterStore = new ClusterStore(pool);
    StatusConsumer clusterStatus =
        new StatusConsumer(
            "cluster-status",
            value -> clusterStore.applyState(ClusterStatusEvents.parse(value)),
            kafka.bootstrap(),
            kafka.security(),
            c.statusTopic(),
            c.statusGroup());
    AuditLog auditLog = new AuditLog(pool);
    StatusConsumer audit =
        new StatusConsumer(
            "audit",
            value -> auditLog.append(AuditEvent.decode(value)),
            kafka.bootstrap(),
            kafka.security(),
            config.kafka().auditTopic(),
            AUDIT_GROUP);
    AuditTrail trail =
        AuditActions.declare(
            new AuditTrail(
                pool, NAME, config.kafka().auditTopic(), relay::wake, Clock.systemUTC()));
    KafkaReadiness kafkaReady = new KafkaReadiness(kafka.bootstrap(), kafka.security());
    DisabledUsers disabled =
        JwksAuthHandler.disabledUsers(
            vertx,
            config.disabledUsers().url(),
            config.disabledUsers().every(),
            service.registry());
    JwksAuthHandler auth =
        config.publicJwk() != null
            ? JwksAuthHandler.withKey(vertx, config.jwt(), config.publicJwk(), disabled)
            : JwksAuthHandler.fetching(vertx, config.jwt(), config.jwksUrl(), disabled);
    Placement placement =
        new Placement(
            clusterStore, config.defaultCluster(), c.placementLabels(), c.coresPerReplica());
    RegistryStore registries = new RegistryStore(pool);
    AppRules rules = new AppRules(config.imageAllowlist(), config.sizes().names());
    AppService apps =
        new AppService(
            store,
            registries,
            rules,
            c.cipher(),
            new AppService.Limits(config.maxAppsPerUser(), config.sizes(), config.namespaceQuota()),
            placement,
            clusterStore,
            relay::wake,
            Clock.systemUTC());
    StatusConsumer users =
        new StatusConsumer(
            "users",
            new UserEvents(apps)::apply,
            kafka.bootstrap(),
            kafka.security(),
            kafka.usersTopic(),
            kafka.usersGroup());
    ClusterService clusters =
        new ClusterService(
            clusterStore,
            new KubeconfigCheck(vertx, c.checkTimeout(), c.addressGuard()),
            c.cipher(),
            c.acceptLegacySeals(),
            c.topic(),
            relay::wake,
            Clock.systemUTC());
    // log follows and status streams share each user's places
    StreamSlots streamSlots = new StreamSlots(config.streams().perUser());
    SyncWorkerLogs logs =
        SyncWorkerLogs.create(
            vertx,
            config.syncWorker(),
            streamSlots,
            config.streams().lifetime(),
            service.registry());
    StatusStreams statusStreams =
        new StatusStreams(
            store, streamSlots, config.streams().lifetime(), config.streams().keepAlive());
    AppRoutes routes = new AppRoutes(apps, rules, new AppDetail(c.healthInterval()), auth, logs);
    ClusterRoutes clusterRoutes =
        new ClusterRoutes(
            clusters,
            auth,
            apps::reencrypt,
            new StaticClusters(clusterStore, config.defaultCluster()),
            ClusterViews.create(vertx, config.syncWorker()));
    RegistryRoutes registryRoutes =
        new RegistryRoutes(registries, c.cipher(), auth, Clock.systemUTC());
    DomainSettings d = config.domains();
    DomainStore domains = new DomainStore(pool, config.writeLimits());
    DomainRoutes domainRoutes =
        new DomainRoutes(
            domains,
            new DomainRoutes.Settings(
                d.appsDomain(), d.ingressAddresses(), d.maxPerApp(), Clock.systemUTC()));
    Handler<RoutingContext> answering = RequestDeadline.answering(config.requestDeadline());
    // each verticle starts on its own event loop beside the others: none waits for another (a
    // status applied before the relay runs is sent by the relay's first pass)
    Future<Service> schemaFree =
        service.deployAll(
            List.of(
                () -> kafkaReady,
                // its start completes after the first poll, whatever the outcome
                () -> disabled));
    Future<Service> workers =
        migrated.compose(
            v ->
                service.deployAll(
                    List.of(
                        () -> relay,
                        () -> status,
                        () -> clusterStatus,
                        () -> users,
                        () -> audit,
                        () ->
                            new StatusFeed(
                                statusStreams,
                                kafka.bootstrap(),
                                kafka.security(),
                                kafka.statusTopic()),
                        () ->
                            new AppHousekeeping(
                                    pool,
                                    new AppHousekeeping.Periods(
                                        config.cleanup().every(),
                                        config.cleanup().outboxRetention(),
                                        config.cleanup().idempotencyKeyLifetime(),
                                        config.cleanup().appEventsRetention(),
                                        config.cleanup().auditRetention()),
                                    Clock.systemUTC())
                                .verticle(),
                        () -> AppMetrics.polled(pool, service.registry(), AppRules.STATUSES),
                        () ->
                            new DomainVerifier(
                                domains,
                                DnsTxtCheck.of(d.resolvers(), d.dnsTimeout()),
                                d.schedule(),
                                Clock.systemUTC()))));
    return Future.all(schemaFree, workers)
        .compose(
            s ->
                service.serve(
                    config.http(),
                    List.of(
                        Database.readiness(pool),
                        kafkaReady,
                        ReadinessCheck.loaded("token-keys", auth::keysLoaded),
                        ReadinessCheck.loaded("disabled-users", disabled::loaded)),
                    router -> {
                      // database work of each request ends before the gateway gives up;
                      // an app's changes are all bounded transactions, so a change still
                      // waiting at its deadline is answered then: nothing changed
                      // (on the API only: a catch-all route would turn /health's 405s
                      // into 404s)
                      router
                          .route("/api/*")
                          .handler(RequestDeadline.handler(config.requestDeadline()));
                      // records each answer of the routes below
                      router.route("/api/*").handler(trail.handler());
                      router
                          .route("/api/v1/apps*")
                          .handler(
                              ctx -> {
                                HttpMethod method = ctx.request().method();
                                if (HttpMethod.GET.equals(method)
                                    || HttpMethod.HEAD.equals(method)) {
                                  ctx.next();
                                } else {
                                  answering.handle(ctx);
                                }
                              });
                      // before the apps' /:id routes
                      statusStreams.mount(router, auth);
                      routes.mount(router);
                      // after the apps' routes: behind their token check
                      domainRoutes.mount(router);
                      new AppCounts(store).mount(router);
                      clusterRoutes.mount(router);
                      registryRoutes.mount(router);
                      new AuditRoutes(auditLog, auth).mount(router);
                    }))
        // nothing is left running by a start that failed (a schema that could not be brought up)
        .onFailure(failed -> service.close());
  }
}
