package io.astro.sync.reconcile;

import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.KubeApis;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A user's namespace and what fences it in: Pod Security labels, NetworkPolicies (deny all, allow
 * the namespace and DNS), a ResourceQuota and a LimitRange — part of the desired state of every app
 * in it. Each is read and compared by the fields Astro sets ({@link Fence}); only what is missing
 * or differs is written, so a namespace in order costs reads and no write.
 *
 * <p>These kinds are not watched (no informer, no list/watch right on them): a namespace is checked
 * when one of its apps is reconciled, at most once per {@code recheck} — the informers' resync
 * reconciles every app, so a fence object edited by hand is repaired within a resync period or two
 * — and always when a write into the namespace was refused. An app whose Deployment is missing
 * (what a namespace deleted by hand leaves, but also every new app) has the Namespace read again:
 * gone or terminating, the whole check follows; in place, its fence counts as checked until {@code
 * recheck} is up, so a user's new apps cost one read each, not six.
 *
 * <p>The apps of one namespace are reconciled by several workers at once (a new user's apps arrive
 * together): one namespace is checked by one worker at a time, and a worker that waited for
 * another's check takes its result. Without that, every worker found a new namespace missing and
 * created it and its fence too, all but one answered 409 AlreadyExists and retried after a
 * back-off.
 */
public final class NamespaceSetup {

  /** The namespace is being deleted: nothing can be created in it until it is gone. */
  public static final class Terminating extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Terminating(String namespace) {
      super("namespace " + namespace + " is terminating; it is recreated once it is gone");
    }
  }

  private final Manifests manifests;
  private final ObjectWriter writer;
  private final AppSecrets secrets;
  private final Duration recheck;
  private final Clock clock;

  /** cluster/namespace → when it was last found (or made) as desired. */
  private final Map<String, Instant> checked = new ConcurrentHashMap<>();

  /** cluster/namespace → what one worker holds while it checks that namespace. */
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  /** {@code secrets} is told of each namespace created here: it holds no Secret yet. */
  public NamespaceSetup(
      Manifests manifests, ObjectWriter writer, AppSecrets secrets, Duration recheck) {
    this(manifests, writer, secrets, recheck, Clock.systemUTC());
  }

  NamespaceSetup(
      Manifests manifests, ObjectWriter writer, AppSecrets secrets, Duration recheck, Clock clock) {
    this.manifests = manifests;
    this.writer = writer;
    this.secrets = secrets;
    this.recheck = recheck;
    this.clock = clock;
  }

  /**
   * Makes the namespace and its fence as desired.
   *
   * @param force check now even if it was checked within {@code recheck}
   * @throws Terminating when the namespace is being deleted (wait, then call again)
   * @throws ClusterApiException when the cluster refuses or does not answer
   */
  public void ensure(ClusterConnection cluster, String namespace, long userId, boolean force) {
    String key = cluster.id() + "/" + namespace;
    Instant asked = clock.instant();
    Instant before = checked.get(key);
    if (!force && before != null && before.plus(recheck).isAfter(asked)) {
      return;
    }
    synchronized (locks.computeIfAbsent(key, k -> new Object())) {
      Instant last = checked.get(key);
      if (last != null && last.isAfter(asked)) {
        return; // checked by another worker while this one waited
      }
      check(cluster, namespace, userId, key, last);
    }
  }

  private void check(
      ClusterConnection cluster, String namespace, long userId, String key, Instant last) {
    Instant now = clock.instant();
    KubeApis apis = cluster.apis();
    V1Namespace desired = manifests.namespace(namespace, userId);
    V1Namespace observed = writer.read(apis.namespaces(), "Namespace", null, namespace);
    if (observed != null && Fence.terminating(observed)) {
      checked.remove(key);
      throw new Terminating(namespace);
    }
    boolean drifted = Fence.drifted(desired, observed);
    if (observed != null && !drifted && last != null && last.plus(recheck).isAfter(now)) {
      return; // in place and its fence checked lately: the missing Deployment is a new app's
    }
    writer.ensure(apis.namespaces(), desired, observed, drifted);
    // a namespace that did not exist holds nothing: its fence is created without reading first (a
    // new user's first app waits for these calls), and its apps' Secrets are not read either
    boolean fresh = observed == null;
    if (fresh) {
      secrets.namespaceCreated(cluster.id(), namespace);
    }
    for (V1NetworkPolicy policy : manifests.networkPolicies(cluster.id(), namespace)) {
      V1NetworkPolicy have =
          fresh
              ? null
              : writer.read(
                  apis.networkPolicies(),
                  "NetworkPolicy",
                  namespace,
                  policy.getMetadata().getName());
      writer.ensure(apis.networkPolicies(), policy, have, Fence.drifted(policy, have));
    }
    // the LimitRange first: its defaults are what every container counts against the quota with
    // (a container without ephemeral-storage is admitted and counts zero), so a quota that starts
    // tracking a resource must find them in place
    var limits = manifests.limitRange(namespace);
    var haveLimits =
        fresh
            ? null
            : writer.read(
                apis.limitRanges(), "LimitRange", namespace, limits.getMetadata().getName());
    writer.ensure(apis.limitRanges(), limits, haveLimits, Fence.drifted(limits, haveLimits));
    var quota = manifests.resourceQuota(namespace);
    var haveQuota =
        fresh
            ? null
            : writer.read(
                apis.resourceQuotas(), "ResourceQuota", namespace, quota.getMetadata().getName());
    boolean quotaDrifted = Fence.drifted(quota, haveQuota);
    writer.ensure(apis.resourceQuotas(), quota, haveQuota, quotaDrifted);
    if (haveQuota != null && !quotaDrifted && holdsNoSecret(haveQuota)) {
      // counted after `now`: a Secret written since then is remembered later than this
      secrets.noneIn(cluster.id(), namespace, now);
    }
    checked.put(key, now);
  }

  /**
   * The quota's status counts no Secret in the namespace. The API server counts a create as it
   * admits it; a delete may stay counted until the quota controller's next sync, which errs on the
   * side of reading. No count yet (a quota the controller has not synced) is not zero.
   */
  private static boolean holdsNoSecret(V1ResourceQuota quota) {
    Quantity count =
        quota.getStatus() == null || quota.getStatus().getUsed() == null
            ? null
            : quota.getStatus().getUsed().get(Manifests.SECRET_COUNT);
    return count != null && count.getNumber().signum() == 0;
  }

  /** Something in the namespace was refused or went missing: check it on the next reconcile. */
  public void forget(String clusterId, String namespace) {
    checked.remove(clusterId + "/" + namespace);
  }

  /** The cluster was replaced or reconnected: check its namespaces again. */
  public void forget(String clusterId) {
    checked.keySet().removeIf(key -> key.startsWith(clusterId + "/"));
  }
}
