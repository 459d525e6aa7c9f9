package io.astro.sync.reconcile;

import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.kube.KubeNames;
import io.astro.sync.clusters.Certificates;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.ConnectedClusters;
import io.astro.sync.clusters.KubeApis;
import io.astro.sync.commands.DesiredState;
import io.astro.sync.status.DeploymentStatusMapper;
import io.astro.sync.status.StatusPublisher;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1Service;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes one app's objects in its cluster match its desired state, then reports what the informers
 * show. Safe to run any number of times: it reads the listers, writes only what differs, and
 * publishes only a changed status.
 */
public final class AppReconciler implements ReconcileLoop.Reconciler {

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

  /**
   * The first repair of drift is immediate; each further one on the same field waits twice as long.
   */
  static final Duration DRIFT_BACKOFF_BASE = Duration.ofSeconds(1);

  static final Duration DRIFT_BACKOFF_MAX = Duration.ofMinutes(10);

  /** Repairs of the same field after which drift coming back is reported as fought. */
  static final int FOUGHT_AFTER = 2;

  static final String DRIFT_FOUGHT = "DriftFought";
  static final String NAMESPACE_TERMINATING = "NamespaceTerminating";
  static final String SECRETS_UNREADABLE = "SecretsUnreadable";

  /**
   * Drift repaired on an app's Deployment: which field, how often, when it may be repaired next.
   */
  private record Drift(String field, int repairs, Instant next) {}

  private final DesiredState state;
  private final ConnectedClusters clusters;
  private final Manifests manifests;
  private final ObjectWriter writer;
  private final NamespaceSetup namespaces;
  private final AppSecrets secrets;
  private final StatusPublisher publisher;
  private final Map<String, Integer> failuresInARow = new ConcurrentHashMap<>();
  private final Map<String, Drift> drifts = new ConcurrentHashMap<>();
  private final Clock clock = Clock.systemUTC();

  public AppReconciler(
      DesiredState state,
      ConnectedClusters clusters,
      Manifests manifests,
      ObjectWriter writer,
      NamespaceSetup namespaces,
      AppSecrets secrets,
      StatusPublisher publisher) {
    this.state = state;
    this.clusters = clusters;
    this.manifests = manifests;
    this.writer = writer;
    this.namespaces = namespaces;
    this.secrets = secrets;
    this.publisher = publisher;
  }

  /**
   * Whether the app's Deployment is in its cluster (the informer's, or the worker's own write not
   * delivered yet). False while its cluster is unknown, failing or not synced: such a reconcile
   * only waits or reports {@code unknown}, and should not go ahead of creates on clusters that
   * work.
   */
  @Override
  public boolean deployed(String appId) {
    AppCommand app = state.get(appId).orElse(null);
    if (app == null) {
      return true; // not ours: nothing to do, done at once
    }
    ClusterConnection cluster = clusters.get(app.cluster()).orElse(null);
    return cluster != null
        && cluster.failure() == null
        && cluster.synced()
        && cluster.deployment(app.namespace(), app.k8sName()) != null;
  }

  @Override
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
      Result result = DONE;
      if (app.desired().deleted()) {
        remove(app, cluster);
      } else {
        result = apply(app, cluster);
        Drift fought = fought(appId);
        DeploymentStatusMapper.map(
                app,
                cluster.deployment(app.namespace(), app.k8sName()),
                cluster.podsOf(appId),
                cluster.eventsOf(app.namespace(), appId))
            .map(
                status ->
                    fought == null || status.reason() != null ? status : foughtBy(status, fought))
            .ifPresent(
                status -> {
                  String url = urlOf(app, cluster);
                  publisher.publish(app, status, url, certificatesOf(app, cluster, url));
                });
      }
      failuresInARow.remove(appId);
      return result;
    } catch (AppSecrets.Unopenable e) {
      // a safety net: the consumer parks such commands when it reads them, with the same keys; the
      // message names the field and key, never a value
      failuresInARow.remove(appId);
      publisher.publish(
          app,
          AppState.of(AppStatus.FAILED, app.runningReplicas(), 0, List.of(), app.generation())
              .withReason(SECRETS_UNREADABLE, e.getMessage()));
      return DONE;
    } catch (NamespaceSetup.Terminating e) {
      failuresInARow.remove(appId);
      if (cluster.deployment(app.namespace(), app.k8sName()) == null) {
        // nothing of the app runs: say why it does not start; a running app keeps its status
        publisher.publish(
            app,
            AppState.of(AppStatus.PENDING, app.runningReplicas(), 0, List.of(), app.generation())
                .withReason(NAMESPACE_TERMINATING, e.getMessage()));
      }
      return new Result.Retry(NAMESPACE_TERMINATING);
    } catch (ClusterApiException e) {
      if (e.httpStatus() == 403 || e.httpStatus() == 404) {
        // e.g. the namespace went (or is going) away under a write: check it again first
        namespaces.forget(cluster.id(), app.namespace());
      }
      return failed(app, e);
    }
  }

  private Result apply(AppCommand app, ClusterConnection cluster) {
    KubeApis apis = cluster.apis();
    V1Deployment observed = cluster.deployment(app.namespace(), app.k8sName());
    // the Deployment gone is what a namespace deleted by hand leaves: check the namespace now
    namespaces.ensure(cluster, app.namespace(), app.userId(), observed == null);
    V1Service service = cluster.service(app.namespace(), app.k8sName());
    if (app.desired().port() != null) {
      cluster.writeService(
          app.namespace(),
          app.k8sName(),
          () -> writer.write(apis.services(), manifests.service(app), service, false));
    } else if (service != null) {
      cluster.deleteService(
          app.namespace(),
          app.k8sName(),
          () -> writer.delete(apis.services(), "Service", app.namespace(), app.k8sName()));
    }
    V1Ingress ingress = cluster.ingress(app.namespace(), KubeNames.ingress(app.k8sName()));
    if (manifests.wantsIngress(app)) {
      V1Ingress desired = manifests.ingress(app);
      writer.ensure(
          apis.ingresses(), desired, ingress, ingress != null && ingressDrifted(desired, ingress));
    } else if (ingress != null) {
      writer.delete(apis.ingresses(), "Ingress", app.namespace(), KubeNames.ingress(app.k8sName()));
    }
    // the Secrets first: the new pods read them as they start
    secrets.ensure(cluster, app);
    V1Deployment desired = manifests.deployment(app);
    String field = observed == null ? null : driftedField(desired, observed);
    boolean sameSpec =
        observed != null
            && Objects.equals(Manifests.specHash(observed), Manifests.specHash(desired));
    if (field == null || !sameSpec) {
      // in order, or a new desired state: whatever drift was seen is history
      drifts.remove(app.appId());
      writeDeployment(cluster, desired, observed, false);
      secrets.prune(cluster, app);
      return DONE;
    }
    Instant now = clock.instant();
    Drift last = drifts.get(app.appId());
    if (last != null && last.field().equals(field) && now.isBefore(last.next())) {
      secrets.prune(cluster, app);
      // the drift came back before its back-off ended: leave it until then
      return new Result.After(Duration.between(now, last.next()));
    }
    int repairs = last != null && last.field().equals(field) ? last.repairs() + 1 : 1;
    drifts.put(app.appId(), new Drift(field, repairs, now.plus(driftBackoff(repairs))));
    writeDeployment(cluster, desired, observed, true);
    secrets.prune(cluster, app);
    return new Result.After(driftBackoff(repairs));
  }

  /**
   * Where the app answers: its URL once the informers hold its Ingress as Astro wrote it, null
   * while it has none (an internal app, or one whose Ingress is not there yet).
   */
  private String urlOf(AppCommand app, ClusterConnection cluster) {
    if (!manifests.wantsIngress(app)) {
      return null;
    }
    V1Ingress ingress = cluster.ingress(app.namespace(), KubeNames.ingress(app.k8sName()));
    return ingress != null
            && Objects.equals(
                Manifests.specHash(ingress), Manifests.specHash(manifests.ingress(app)))
        ? manifests.url(app)
        : null;
  }

  /**
   * The state of the TLS certificate of each host the app answers on, from cert-manager's
   * Certificate named after the host's TLS Secret (ingress-shim's naming); none when the app has no
   * URL or TLS, or the cluster's Certificates cannot be read (no cert-manager, no right).
   */
  private List<AppStatusEvent.Certificate> certificatesOf(
      AppCommand app, ClusterConnection cluster, String url) {
    if (url == null || !cluster.certificatesReadable()) {
      return List.of();
    }
    List<V1IngressTLS> tls = manifests.ingress(app).getSpec().getTls();
    if (tls == null) {
      return List.of();
    }
    List<AppStatusEvent.Certificate> states = new ArrayList<>();
    for (V1IngressTLS entry : tls) {
      Certificates.Certificate certificate =
          cluster.certificate(app.namespace(), entry.getSecretName());
      // another object of that name for another Secret is none of the host's
      boolean ours = certificate != null && entry.getSecretName().equals(certificate.secretName());
      for (String host : entry.getHosts()) {
        states.add(Certificates.state(host, ours ? certificate : null));
      }
    }
    return states;
  }

  /**
   * Writes the Deployment if it differs and tells the cluster's cache what the API server stored,
   * so the next reconcile (within the watch's lag) neither creates it again nor replaces a stale
   * version.
   */
  private void writeDeployment(
      ClusterConnection cluster, V1Deployment desired, V1Deployment observed, boolean drifted) {
    cluster.writeDeployment(
        desired.getMetadata().getNamespace(),
        desired.getMetadata().getName(),
        () -> writer.write(cluster.apis().deployments(), desired, observed, drifted));
  }

  /** The wait after the {@code repairs}-th repair of the same field: 1 s, 2 s, 4 s, … 10 min. */
  static Duration driftBackoff(int repairs) {
    int doublings = Math.min(repairs - 1, 20);
    Duration wait = DRIFT_BACKOFF_BASE.multipliedBy(1L << doublings);
    return wait.compareTo(DRIFT_BACKOFF_MAX) > 0 ? DRIFT_BACKOFF_MAX : wait;
  }

  private Drift fought(String appId) {
    Drift drift = drifts.get(appId);
    return drift != null && drift.repairs() >= FOUGHT_AFTER ? drift : null;
  }

  // the message stays the same from one repair to the next, so the status goes out once
  private static AppState foughtBy(AppState status, Drift drift) {
    return status.withReason(
        DRIFT_FOUGHT,
        drift.field()
            + " is changed back after each write by Astro (an admission webhook or another"
            + " controller?); Astro keeps repairing it, less and less often");
  }

  /**
   * Removes the app's objects; reports {@code deleting} until the informers show nothing left, then
   * {@code deleted}.
   */
  private void remove(AppCommand app, ClusterConnection cluster) {
    KubeApis apis = cluster.apis();
    V1Ingress ingress = cluster.ingress(app.namespace(), KubeNames.ingress(app.k8sName()));
    if (ingress != null) {
      writer.delete(apis.ingresses(), "Ingress", app.namespace(), KubeNames.ingress(app.k8sName()));
    }
    V1Deployment deployment = cluster.deployment(app.namespace(), app.k8sName());
    V1Service service = cluster.service(app.namespace(), app.k8sName());
    if (service != null) {
      cluster.deleteService(
          app.namespace(),
          app.k8sName(),
          () -> writer.delete(apis.services(), "Service", app.namespace(), app.k8sName()));
    }
    if (deployment != null) {
      cluster.deleteDeployment(
          app.namespace(),
          app.k8sName(),
          () -> writer.delete(apis.deployments(), "Deployment", app.namespace(), app.k8sName()));
    }
    secrets.removeAll(cluster, app);
    boolean gone =
        deployment == null
            && service == null
            && ingress == null
            && cluster.podsOf(app.appId()).isEmpty();
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

  /**
   * Hand edits the spec hash cannot see: the fields a user would notice; the path of the first one
   * that differs, or null. An image pinned to a digest ({@code image@sha256:…}, what digest-pinning
   * admission webhooks write) is the image Astro asked for: docs/sync-worker.md, drift.
   */
  static String driftedField(V1Deployment desired, V1Deployment observed) {
    if (!Objects.equals(desired.getSpec().getReplicas(), observed.getSpec().getReplicas())) {
      return "spec.replicas";
    }
    List<V1Container> have =
        observed.getSpec().getTemplate().getSpec() == null
            ? List.of()
            : observed.getSpec().getTemplate().getSpec().getContainers();
    if (have.size() != 1) {
      return "spec.template.spec.containers";
    }
    String image = desired.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    if (!sameImage(image, have.get(0).getImage())) {
      return "spec.template.spec.containers[0].image";
    }
    if (!Objects.equals(restartedAt(desired), restartedAt(observed))) {
      return "spec.template.metadata.annotations[" + KubeNames.RESTARTED_AT_ANNOTATION + "]";
    }
    return null;
  }

  /**
   * Hand edits of an Ingress the spec hash cannot see: its rules, its tls, its class when Astro
   * sets one (unset, the API server's DefaultIngressClass admission fills it in: no drift), and the
   * annotations Astro sets. Other annotations (a controller's) are left alone.
   */
  static boolean ingressDrifted(V1Ingress desired, V1Ingress observed) {
    if (observed.getSpec() == null) {
      return true;
    }
    if (!Objects.equals(desired.getSpec().getRules(), observed.getSpec().getRules())
        || !Objects.equals(desired.getSpec().getTls(), observed.getSpec().getTls())) {
      return true;
    }
    String wantClass = desired.getSpec().getIngressClassName();
    if (wantClass != null && !wantClass.equals(observed.getSpec().getIngressClassName())) {
      return true;
    }
    Map<String, String> have = observed.getMetadata().getAnnotations();
    return !desired.getMetadata().getAnnotations().entrySet().stream()
        .filter(a -> !a.getKey().equals(KubeNames.SPEC_HASH_ANNOTATION))
        .allMatch(a -> have != null && a.getValue().equals(have.get(a.getKey())));
  }

  /** {@code have} is {@code want}, or {@code want} pinned to a digest. */
  static boolean sameImage(String want, String have) {
    if (Objects.equals(want, have)) {
      return true;
    }
    return have != null
        && !want.contains("@")
        && have.startsWith(want + "@sha256:")
        && have.length() == want.length() + "@sha256:".length() + 64;
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

  /** Forgets what was written to a cluster that answers again (it may have changed meanwhile). */
  public void forgetCluster(String clusterId) {
    secrets.forget(clusterId);
  }

  /** Apps came to this instance: what another instance wrote of them until now is not known. */
  public void ownersChanged() {
    secrets.ownersChanged();
  }

  /** Forgets failure counts, drift and what is known of the Secrets of apps that went elsewhere. */
  public void forget(List<String> appIds) {
    appIds.forEach(failuresInARow::remove);
    appIds.forEach(drifts::remove);
    secrets.forget(appIds);
  }
}
