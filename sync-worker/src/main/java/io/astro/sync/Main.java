package io.astro.sync;

import io.astro.common.config.Env;
import io.astro.common.runtime.Service;
import io.astro.common.runtime.ServiceLauncher;
import io.astro.sync.clusters.ClusterRegistry;
import io.astro.sync.logs.LogRoutes;
import io.astro.sync.views.ClusterViewRoutes;
import io.kubernetes.client.openapi.ApiClient;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Applies desired state to Kubernetes clusters and publishes what it observes. */
public final class Main {

  public static final String NAME = "sync-worker";

  private Main() {}

  public static void main(String[] args) {
    ServiceLauncher.run(() -> start(Env.system()));
  }

  /** Starts the service in this JVM; also how a launcher runs several services in one process. */
  public static Future<Service> start(Env env) {
    SyncWorkerConfig config = SyncWorkerConfig.from(env);
    // begun first: reading the kubeconfigs and setting up their TLS is the longest step before the
    // informers can list, and the rest of the start does not need it
    CompletableFuture<Map<String, ApiClient>> clients =
        ClusterRegistry.openEarly(config.clusters().values(), config.kubeRequestTimeout());
    Service service = Service.create(NAME);
    SyncWorkerVerticle worker = new SyncWorkerVerticle(config, clients, service.registry());
    LogRoutes logs = new LogRoutes(service.vertx(), worker.clusters(), config.internalToken());
    ClusterViewRoutes views =
        new ClusterViewRoutes(service.vertx(), worker.clusters(), config.internalToken());
    return service
        .deploy(() -> worker, 1)
        .compose(
            s ->
                service.serve(
                    config.http(),
                    worker.readiness(),
                    router -> {
                      logs.mount(router);
                      views.mount(router);
                    }));
  }
}
