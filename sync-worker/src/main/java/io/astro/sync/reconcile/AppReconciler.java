package io.astro.sync.reconcile;

import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatus;
import io.astro.common.kube.KubeNames;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.ConnectedClusters;
import io.astro.sync.clusters.KubeApis;
import io.astro.sync.commands.DesiredState;
import io.astro.sync.status.DeploymentStatusMapper;
import io.astro.sync.status.StatusPublisher;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Service;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes one app's objects in its cluster match its desired state, then reports what the informers
 * show. Safe to run any number of times: it reads the listers, writes only what differs, and
 * publishes only a changed status.
 */
public final class AppReconciler {

  /** What the work queue should do with the app next. */
  public sealed interface Result {

    /** The app is as desired (or not this worker's): nothing until it is queued again. */
    record Done() implements Result {}

    /** Waiting on something that is no failure (a cluster to connect, informers to sync). */
    record After(Duration delay) implements Result {}

    /** The cluster API failed: again after the back-off, counted by {@code reason}. */
    record Retry(String reason) implements Result {}
  }

  private static final Result DONE = new Result.Done();

  /** Failures of the cluster API in a row after which the app is reported {@code unknown}. */
  static final int UNKNOWN_AFTER = 3;

  private static final Duration WAIT_FOR_SYNC = Duration.ofMillis(200);
  private static final Duration WAIT_FOR_CLUSTER = Duration.ofSeconds(5);

  private final DesiredState state;
  private final ConnectedClusters clusters;
  private final Manifests manifests;
  private final ObjectWriter writer;
  private final NamespaceSetup namespaces;
  private final StatusPublisher publisher;
  private final Map<String, Integer> failuresInARow = new ConcurrentHashMap<>();

  public AppReconciler(
      DesiredState state,
      ConnectedClusters clusters,
      Manifests manifests,
      ObjectWriter writer,
      NamespaceSetup namespaces,
      StatusPublisher publisher) {
    this.state = state;
    this.clusters = clusters;
    this.manifests = manifests;
    this.writer = writer;
    this.namespaces = namespaces;
    this.publisher = publisher;
  }

  public Result reconcile(String appId) {
    AppCommand app = state.get(appId).orElse(null);
    if (app == null) {
      return DONE; // not ours (any more)
    }
    ClusterConnection cluster = clusters.get(app.cluster()).orElse(null);
    if (cluster == null) {
      publisher.publish(
          app, unknown(app, "ClusterUnknown", "cluster " + app.cluster() + " is not connected"));
      return new Result.After(WAIT_FOR_CLUSTER);
    }
    if (cluster.failure() != null) {
      publisher.publish(app, unknown(app, "ClusterUnreachable", cluster.failure()));
      return new Result.After(WAIT_FOR_CLUSTER);
    }
    if (!cluster.synced()) {
      return new Result.After(WAIT_FOR_SYNC);
    }
    try {
      if (app.desired().deleted()) {
        remove(app, cluster);
      } else {
        apply(app, cluster);
        DeploymentStatusMapper.map(
                app,
                cluster.deployment(app.namespace(), app.k8sName()),
                cluster.podsOf(appId),
                cluster.eventsOf(app.namespace(), appId))
            .ifPresent(status -> publisher.publish(app, status));
      }
      failuresInARow.remove(appId);
      return DONE;
    } catch (ClusterApiException e) {
      return failed(app, e);
    }
  }

  private void apply(AppCommand app, ClusterConnection cluster) {
    KubeApis apis = cluster.apis();
    namespaces.ensure(cluster, app.namespace(), app.userId());
    V1Service service = cluster.service(app.namespace(), app.k8sName());
    if (app.desired().port() != null) {
      writer.ensure(apis.services(), manifests.service(app), service, false);
    } else if (service != null) {
      writer.delete(apis.services(), "Service", app.namespace(), app.k8sName());
    }
    V1Deployment observed = cluster.deployment(app.namespace(), app.k8sName());
    V1Deployment desired = manifests.deployment(app);
    writer.ensure(
        apis.deployments(), desired, observed, observed != null && drifted(desired, observed));
  }

  /**
   * Removes the app's objects; reports {@code deleting} until the informers show nothing left, then
   * {@code deleted}.
   */
  private void remove(AppCommand app, ClusterConnection cluster) {
    KubeApis apis = cluster.apis();
    V1Deployment deployment = cluster.deployment(app.namespace(), app.k8sName());
    V1Service service = cluster.service(app.namespace(), app.k8sName());
    if (service != null) {
      writer.delete(apis.services(), "Service", app.namespace(), app.k8sName());
    }
    if (deployment != null) {
      writer.delete(apis.deployments(), "Deployment", app.namespace(), app.k8sName());
    }
    boolean gone = deployment == null && service == null && cluster.podsOf(app.appId()).isEmpty();
    publisher.publish(
        app,
        AppState.of(
            gone ? AppStatus.DELETED : AppStatus.DELETING, 0, 0, List.of(), app.generation()));
  }

  private Result failed(AppCommand app, ClusterApiException e) {
    switch (e.kind()) {
      case CONFLICT -> {
        // the informer brings the newer object; the retry works from it
        return new Result.Retry(e.reason());
      }
      case REJECTED -> {
        publisher.publish(
            app,
            AppState.of(AppStatus.FAILED, app.runningReplicas(), 0, List.of(), app.generation())
                .withReason("ApplyRejected", e.getMessage()));
        return new Result.Retry(e.reason());
      }
      default -> {
        int failures = failuresInARow.merge(app.appId(), 1, Integer::sum);
        if (failures >= UNKNOWN_AFTER) {
          publisher.publish(app, unknown(app, "ClusterUnreachable", e.getMessage()));
        }
        return new Result.Retry(e.reason());
      }
    }
  }

  /** Hand edits the spec hash cannot see: the fields a user would notice. */
  private static boolean drifted(V1Deployment desired, V1Deployment observed) {
    if (!Objects.equals(desired.getSpec().getReplicas(), observed.getSpec().getReplicas())) {
      return true;
    }
    List<V1Container> have =
        observed.getSpec().getTemplate().getSpec() == null
            ? List.of()
            : observed.getSpec().getTemplate().getSpec().getContainers();
    String image = desired.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    return have.size() != 1
        || !Objects.equals(image, have.get(0).getImage())
        || !Objects.equals(restartedAt(desired), restartedAt(observed));
  }

  private static String restartedAt(V1Deployment deployment) {
    Map<String, String> annotations =
        deployment.getSpec().getTemplate().getMetadata() == null
            ? null
            : deployment.getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(KubeNames.RESTARTED_AT_ANNOTATION);
  }

  // the generation is the app's current one: unknown is the answer to "how is it now", whatever was
  // asked last
  private static AppState unknown(AppCommand app, String reason, String message) {
    return AppState.of(AppStatus.UNKNOWN, app.runningReplicas(), 0, List.of(), app.generation())
        .withReason(reason, message);
  }

  /** Forgets failure counts of apps that went elsewhere. */
  public void forget(List<String> appIds) {
    appIds.forEach(failuresInARow::remove);
  }
}
