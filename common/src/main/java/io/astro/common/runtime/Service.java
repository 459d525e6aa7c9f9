package io.astro.common.runtime;

import io.astro.common.config.HttpSettings;
import io.astro.common.http.ApiRouter;
import io.astro.common.ops.OpsRoutes;
import io.astro.common.ops.ReadinessCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running service: its Vert.x instance and its metrics registry. Each service owns a registry
 * (tagged {@code service=<name>}) rather than sharing a global one, so several services can run in
 * one JVM (dev mode, end-to-end tests) and still report separately.
 */
public final class Service {

  private static final Logger LOG = LoggerFactory.getLogger(Service.class);

  private final String name;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private volatile int httpPort;
  private volatile int managementPort;
  private volatile Router router;

  private Service(String name, Vertx vertx, PrometheusMeterRegistry registry) {
    this.name = name;
    this.vertx = vertx;
    this.registry = registry;
  }

  public static Service create(String name) {
    return create(name, Set.of());
  }

  /**
   * A service that leaves out some of Vert.x's own metrics: each domain costs a few meter lookups
   * per request or connection, and a service whose own metrics already cover one can spare it.
   */
  public static Service create(String name, Set<MetricsDomain> withoutMetrics) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("service", name);
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setRegistryName(name)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    withoutMetrics.forEach(metrics::addDisabledMetricsCategory);
    Vertx vertx =
        Vertx.builder()
            .with(new VertxOptions().setMetricsOptions(metrics).setPreferNativeTransport(true))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
    if (!vertx.isNativeTransportEnabled()) {
      // NIO works everywhere; epoll costs fewer system calls and wake-ups per request
      LOG.info(
          "{} runs on Java NIO: the epoll transport is unavailable ({})",
          name,
          vertx.unavailableNativeTransportCause());
    }
    return new Service(name, vertx, registry);
  }

  public String name() {
    return name;
  }

  public Vertx vertx() {
    return vertx;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Future<Service> deploy(Supplier<? extends Deployable> verticle, int instances) {
    return vertx
        .deployVerticle(verticle, new DeploymentOptions().setInstances(instances))
        .map(this);
  }

  /**
   * Deploys {@code verticles} (one instance each) side by side rather than one after the other:
   * each starts on its own event loop while the others start, so a start-up is as long as its
   * slowest verticle, not their sum. Fails if any fails; the others stay deployed (closing the
   * service undeploys them).
   */
  public Future<Service> deployAll(List<Supplier<? extends Deployable>> verticles) {
    List<Future<Service>> deployed = verticles.stream().map(v -> deploy(v, 1)).toList();
    return Future.all(deployed).map(this);
  }

  /**
   * Serves the standard router (request ids, body limit, envelope failures, {@code /health}) plus
   * the service's own {@code routes} on the public port, and {@code /health}, {@code /ready} with
   * {@code checks} and {@code /metrics} on the management port.
   */
  public Future<Service> serve(
      HttpSettings http, List<ReadinessCheck> checks, Consumer<Router> routes) {
    OpsRoutes ops = OpsRoutes.create(registry, checks);
    HttpSettings managementHttp = http.management();
    ApiServerVerticle management =
        new ApiServerVerticle(managementHttp, v -> ApiRouter.management(v, managementHttp, ops));
    ApiServerVerticle server =
        new ApiServerVerticle(
            http,
            v -> {
              Router router = ApiRouter.create(v, http, ops);
              routes.accept(router);
              this.router = router;
              return router;
            });
    return deploy(() -> management, 1)
        .onSuccess(s -> managementPort = management.actualPort())
        .compose(s -> deploy(() -> server, 1))
        .onSuccess(s -> httpPort = server.actualPort());
  }

  /**
   * The port {@code /ready} and {@code /metrics} are served on; differs from the configured one
   * when that was 0 (tests).
   */
  public int managementPort() {
    return managementPort;
  }

  /**
   * The port {@link #serve} listens on; differs from the configured one when that was 0 (tests).
   */
  public int httpPort() {
    return httpPort;
  }

  /**
   * The routes {@link #serve} mounted, as Vert.x holds them (empty before it serves): how a test
   * compares what a service really answers with what its API document says.
   */
  public List<Route> routes() {
    Router served = router;
    return served == null ? List.of() : served.getRoutes();
  }

  /**
   * Undeploys every verticle (each drains what it owns in its stop) and releases the event loops.
   */
  public Future<Void> close() {
    return vertx.close().onComplete(done -> registry.close());
  }
}
