package io.astro.bench.scenarios;

import io.astro.common.kube.KubeNames;
import io.astro.common.runtime.DaemonThreads;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * A watch on the sandbox's Deployments through the same watch path the sync-worker's informers use:
 * when each app's Deployment appeared and when it first reported every replica ready. That splits
 * "the worker applied" from "the simulated control plane made it ready".
 */
final class DeploymentWatch implements AutoCloseable {

  private final SharedInformerFactory factory;

  DeploymentWatch(ApiClient client, EventTap tap) {
    factory =
        new SharedInformerFactory(
            client,
            Executors.newCachedThreadPool(DaemonThreads.named("bench-deployment-watch")),
            false);
    SharedIndexInformer<V1Deployment> informer =
        factory.sharedIndexInformerFor(
            new GenericKubernetesApi<>(
                V1Deployment.class, V1DeploymentList.class, "apps", "v1", "deployments", client),
            V1Deployment.class,
            0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(V1Deployment d) {
            see(d);
          }

          @Override
          public void onUpdate(V1Deployment before, V1Deployment after) {
            see(after);
          }

          @Override
          public void onDelete(V1Deployment d, boolean finalStateUnknown) {}

          private void see(V1Deployment d) {
            long now = System.currentTimeMillis();
            String appId =
                d.getMetadata().getLabels() == null
                    ? null
                    : d.getMetadata().getLabels().get(KubeNames.APP_ID_LABEL);
            if (appId == null) {
              return;
            }
            Timeline t = tap.timeline(appId);
            if (t.deploymentAdded == 0) {
              t.deploymentAdded = now;
            }
            if (t.deploymentReady == 0 && ready(d)) {
              t.deploymentReady = now;
            }
          }
        });
    factory.startAllRegisteredInformers();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!informer.hasSynced() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000);
    }
  }

  private static boolean ready(V1Deployment d) {
    if (d.getStatus() == null || d.getSpec() == null) {
      return false;
    }
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    int ready = d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    long observed =
        d.getStatus().getObservedGeneration() == null ? 0 : d.getStatus().getObservedGeneration();
    return want > 0 && ready >= want && observed >= generation;
  }

  @Override
  public void close() {
    factory.stopAllRegisteredInformers(true);
  }
}
