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
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * A watch on the sandbox's Deployments through the same watch path the sync-worker's informers use:
 * when each app's Deployment appeared and when it first reported every replica ready. That splits
 * "the worker applied" from "the simulated control plane made it ready".
 */
final class DeploymentWatch implements AutoCloseable {

  private final SharedInformerFactory factory;

  /** Told of every Deployment added or updated, with when the watch delivered it. */
  interface Seen {
    void seen(V1Deployment deployment, long atMillis);
  }

  DeploymentWatch(ApiClient client, EventTap tap) {
    this(
        client,
        (d, now) -> {
          String appId = appId(d);
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
        });
  }

  DeploymentWatch(ApiClient client, Seen seen) {
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
            seen.seen(d, System.currentTimeMillis());
          }
        });
    factory.startAllRegisteredInformers();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!informer.hasSynced() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000);
    }
  }

  /** The Astro app a Deployment runs, or null. */
  static String appId(V1Deployment d) {
    return d.getMetadata().getLabels() == null
        ? null
        : d.getMetadata().getLabels().get(KubeNames.APP_ID_LABEL);
  }

  /** The app generation Astro last wrote into it ({@code astro.io/generation}), or 0. */
  static long appGeneration(V1Deployment d) {
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(KubeNames.GENERATION_ANNOTATION);
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Rolled out: the controller saw this spec, every replica runs it and is ready, and no pod of an
   * older template is left.
   */
  static boolean rolledOut(V1Deployment d) {
    if (!ready(d)) {
      return false;
    }
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    int updated =
        d.getStatus().getUpdatedReplicas() == null ? 0 : d.getStatus().getUpdatedReplicas();
    int all = d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas();
    return updated >= want && all <= want;
  }

  static boolean ready(V1Deployment d) {
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
