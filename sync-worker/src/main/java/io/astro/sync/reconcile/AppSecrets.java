package io.astro.sync.reconcile;

import io.astro.common.crypto.KeyRing;
import io.astro.common.events.app.AppCommand;
import io.astro.common.kube.KubeNames;
import io.astro.sync.clusters.ClusterConnection;
import io.kubernetes.client.openapi.models.V1Secret;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * An app's Secrets: {@code {k8sName}-env} with its secret variables and {@code {k8sName}-pull} with
 * its registry credential. The command carries both sealed for the app ({@link KeyRing}, owner =
 * app id); they are opened here, only to write the Secret, and never logged or reported.
 *
 * <p>Secrets are not watched (no list or watch right on them): what was written or read is
 * remembered by spec hash per cluster for at most {@code recheck}, then read again and compared,
 * values included — the informers' resync reconciles every app, so a Secret deleted or edited by
 * hand is repaired within a resync period or two, as the namespace's fence is. Values are opened
 * only to compare or write, in memory. An app of release 0 (from before releases) never had a
 * Secret, so nothing is read for it.
 *
 * <p>A Secret the app does not need and that is known to be absent stays known absent: only Astro
 * writes an app's Secrets, and only the instance that owns the app ({@link #forget(Collection)}
 * when it goes elsewhere), so without a write of its own it cannot be there. Reading it again every
 * {@code recheck} cost two GETs per app of every reconcile after it (a Secret of that name made by
 * hand is not Astro's to delete). A namespace this worker has just created holds no Secret at all
 * ({@link #namespaceCreated}), nor does one whose quota counts none ({@link #noneIn}), if no apps
 * came to this instance since ({@link #ownersChanged}): the Secrets there are not read to find them
 * absent — a fresh worker would otherwise read two per app whose release needs none.
 */
public final class AppSecrets {

  /** A sealed value of a command cannot be opened (wrong key, tampered, not for this app). */
  public static final class Unopenable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unopenable(String message) {
      super(message, null, false, false);
    }
  }

  /** What is known of a Secret: the spec hash it was written with, or absent. */
  private static final String ABSENT = "";

  /** A Secret's spec hash (or {@link #ABSENT}) as of {@code at}, and the app it is of. */
  private record Known(String hash, Instant at, String appId) {}

  private final KeyRing keys;
  private final Manifests manifests;
  private final ObjectWriter writer;
  private final Duration recheck;
  private final Clock clock;

  /** cluster/namespace/name → what was last written or read there. */
  private final Map<String, Known> known = new ConcurrentHashMap<>();

  /** cluster/namespace → when it last held no Secret: created here, or counted by its quota. */
  private final Map<String, Instant> emptyAsOf = new ConcurrentHashMap<>();

  /**
   * When apps last came to this instance (partitions assigned): from then on only it writes their
   * Secrets, so a namespace is known empty for them by a look taken since.
   */
  private volatile Instant ownersChangedAt = Instant.MIN;

  /** {@code keys} may be null (none configured): a command with sealed values is then refused. */
  public AppSecrets(KeyRing keys, Manifests manifests, ObjectWriter writer, Duration recheck) {
    this(keys, manifests, writer, recheck, Clock.systemUTC());
  }

  AppSecrets(
      KeyRing keys, Manifests manifests, ObjectWriter writer, Duration recheck, Clock clock) {
    this.keys = keys;
    this.manifests = manifests;
    this.writer = writer;
    this.recheck = recheck;
    this.clock = clock;
  }

  /**
   * Checks that every sealed value of the command opens for its app, so a command that could never
   * be applied is refused when it is read (the reason names the field, never a value).
   *
   * @throws Unopenable when one does not
   */
  public void check(AppCommand app) {
    AppCommand.Release release = app.desired().release();
    if (release.secrets() != null) {
      variables(app);
    }
    if (release.imagePullSecret() != null) {
      dockerConfig(app);
    }
  }

  /**
   * Writes the Secrets the app's release needs (before its Deployment, which refers to them).
   *
   * @throws Unopenable when a sealed value does not open
   */
  public void ensure(ClusterConnection cluster, AppCommand app) {
    if (app.desired().release().number() == 0) {
      return;
    }
    V1Secret env = manifests.envSecret(app, null);
    if (env != null) {
      ensure(cluster, app, env, () -> manifests.envSecret(app, variables(app)));
    }
    V1Secret pull = manifests.pullSecret(app, null);
    if (pull != null) {
      ensure(cluster, app, pull, () -> manifests.pullSecret(app, dockerConfig(app)));
    }
  }

  /**
   * Removes the Secrets the app's release no longer needs (after its Deployment stopped naming
   * them).
   */
  public void prune(ClusterConnection cluster, AppCommand app) {
    if (app.desired().release().number() == 0) {
      return;
    }
    AppCommand.Release release = app.desired().release();
    if (release.secrets() == null) {
      remove(cluster, app, KubeNames.envSecret(app.k8sName()));
    }
    if (release.imagePullSecret() == null) {
      remove(cluster, app, KubeNames.pullSecret(app.k8sName()));
    }
  }

  /** Removes both Secrets of a deleted app (a Secret has no finalizer: deleted is gone). */
  public void removeAll(ClusterConnection cluster, AppCommand app) {
    if (app.desired().release().number() == 0) {
      return;
    }
    remove(cluster, app, KubeNames.envSecret(app.k8sName()));
    remove(cluster, app, KubeNames.pullSecret(app.k8sName()));
  }

  /** Forgets what is known of a cluster's Secrets (it went away, or was replaced). */
  public void forget(String clusterId) {
    known.keySet().removeIf(key -> key.startsWith(clusterId + "/"));
    emptyAsOf.keySet().removeIf(key -> key.startsWith(clusterId + "/"));
  }

  /**
   * Apps came to this instance, which another may have applied until now: a namespace known empty
   * before this says nothing of their Secrets.
   */
  void ownersChanged() {
    ownersChangedAt = clock.instant();
  }

  /**
   * The apps went to another instance, which may write their Secrets from now on, or were deleted:
   * what is known of them is read again if they come back (they come back with partitions, {@link
   * #ownersChanged}).
   */
  public void forget(Collection<String> appIds) {
    Set<String> ids = Set.copyOf(appIds);
    known.values().removeIf(k -> ids.contains(k.appId()));
  }

  /**
   * This worker created the namespace just now: nothing is in it, so the Secrets of its apps are
   * absent until written (for {@code recheck}, as anything read is known for), and whatever was
   * known of an earlier namespace of that name is gone with it.
   */
  public void namespaceCreated(String clusterId, String namespace) {
    String prefix = clusterId + "/" + namespace + "/";
    known.keySet().removeIf(key -> key.startsWith(prefix));
    noneIn(clusterId, namespace, clock.instant());
  }

  /**
   * The namespace held no Secret at {@code asOf} (its quota counted none after that): for {@code
   * recheck} from then, a Secret of its apps not known otherwise is absent, unless apps came to
   * this instance since. What is known stays: a Secret written since {@code asOf} was remembered
   * later, so its hash outlasts this.
   */
  void noneIn(String clusterId, String namespace, Instant asOf) {
    emptyAsOf.merge(clusterId + "/" + namespace, asOf, (a, b) -> a.isAfter(b) ? a : b);
  }

  /**
   * Writes the Secret unless it is known to be as desired. {@code shape} is the desired Secret
   * without its values (its spec hash is over the sealed text); {@code whole} builds it with them,
   * opened only when the observed Secret must be compared or written.
   */
  private void ensure(
      ClusterConnection cluster, AppCommand app, V1Secret shape, Supplier<V1Secret> whole) {
    String namespace = shape.getMetadata().getNamespace();
    String name = shape.getMetadata().getName();
    String key = key(cluster, namespace, name);
    String hash = Manifests.specHash(shape);
    if (hash.equals(fresh(key))) {
      return;
    }
    V1Secret observed = writer.read(cluster.apis().secrets(), "Secret", namespace, name);
    V1Secret desired = whole.get();
    // the same hash but other data: edited by hand
    if (observed != null
        && hash.equals(Manifests.specHash(observed))
        && sameData(desired, observed)) {
      remember(key, hash, app);
      return;
    }
    known.remove(key);
    writer.ensure(cluster.apis().secrets(), desired, observed, true);
    remember(key, hash, app);
  }

  private static boolean sameData(V1Secret desired, V1Secret observed) {
    Map<String, byte[]> want = desired.getData() == null ? Map.of() : desired.getData();
    Map<String, byte[]> have = observed.getData() == null ? Map.of() : observed.getData();
    return want.keySet().equals(have.keySet())
        && want.entrySet().stream()
            .allMatch(e -> Arrays.equals(e.getValue(), have.get(e.getKey())));
  }

  /**
   * The hash known for {@code key} within {@code recheck}, or null: read it again. {@link #ABSENT}
   * stands until forgotten (see the class comment).
   */
  private String fresh(String key) {
    Known k = known.get(key);
    if (k == null) {
      return null;
    }
    return ABSENT.equals(k.hash()) || !k.at().plus(recheck).isBefore(clock.instant())
        ? k.hash()
        : null;
  }

  private void remember(String key, String hash, AppCommand app) {
    known.put(key, new Known(hash, clock.instant(), app.appId()));
  }

  /**
   * Whether the namespace held no Secret within {@code recheck}, at a time this instance already
   * owned its apps: a Secret written since was this instance's own, and is known. (One written by
   * an app's previous owner after that look, a rebalance's moment before the app came here, is not
   * counted in it.)
   */
  private boolean emptySinceOwned(ClusterConnection cluster, String namespace) {
    Instant empty = emptyAsOf.get(cluster.id() + "/" + namespace);
    return empty != null
        && !empty.isBefore(ownersChangedAt)
        && !empty.plus(recheck).isBefore(clock.instant());
  }

  private void remove(ClusterConnection cluster, AppCommand app, String name) {
    String namespace = app.namespace();
    String key = key(cluster, namespace, name);
    String have = fresh(key);
    if (ABSENT.equals(have)) {
      return;
    }
    if (have == null
        && (emptySinceOwned(cluster, namespace)
            || writer.read(cluster.apis().secrets(), "Secret", namespace, name) == null)) {
      remember(key, ABSENT, app);
      return;
    }
    known.remove(key);
    writer.delete(cluster.apis().secrets(), "Secret", namespace, name);
    remember(key, ABSENT, app);
  }

  private static String key(ClusterConnection cluster, String namespace, String name) {
    return cluster.id() + "/" + namespace + "/" + name;
  }

  /** The secret variables in clear, by name; exactly the names the command lists. */
  SortedMap<String, String> variables(AppCommand app) {
    AppCommand.Release release = app.desired().release();
    JsonObject values;
    try {
      values = new JsonObject(open(app, release.secrets(), "release.secrets"));
    } catch (DecodeException e) {
      throw new Unopenable("release.secrets of app " + app.appId() + " is not a JSON object");
    }
    SortedMap<String, String> out = new TreeMap<>();
    for (String name : values.fieldNames()) {
      if (!(values.getValue(name) instanceof String value)) {
        throw new Unopenable("release.secrets of app " + app.appId() + " holds a non-text value");
      }
      out.put(name, value);
    }
    if (!out.keySet().equals(new HashSet<>(release.secretNames()))
        || out.size() != release.secretNames().size()) {
      throw new Unopenable(
          "release.secrets of app " + app.appId() + " does not hold exactly release.secretNames");
    }
    return out;
  }

  /** The {@code .dockerconfigjson} in clear. */
  String dockerConfig(AppCommand app) {
    return open(
        app,
        app.desired().release().imagePullSecret().dockerConfig(),
        "imagePullSecret.dockerConfig");
  }

  private String open(AppCommand app, String sealed, String field) {
    if (keys == null) {
      throw new Unopenable(
          field + " of app " + app.appId() + " is sealed, and ASTRO_KUBECONFIG_KEYS is not set");
    }
    try {
      return keys.open(app.appId(), sealed);
    } catch (RuntimeException e) {
      // the key ring's message names the key id at most, never the value
      throw new Unopenable(
          field + " of app " + app.appId() + " cannot be opened: " + e.getMessage());
    }
  }
}
