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
import java.util.HashSet;
import java.util.Map;
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

  /** A Secret's spec hash (or {@link #ABSENT}) as of {@code at}. */
  private record Known(String hash, Instant at) {}

  private final KeyRing keys;
  private final Manifests manifests;
  private final ObjectWriter writer;
  private final Duration recheck;
  private final Clock clock;

  /** cluster/namespace/name → what was last written or read there. */
  private final Map<String, Known> known = new ConcurrentHashMap<>();

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
      ensure(cluster, env, () -> manifests.envSecret(app, variables(app)));
    }
    V1Secret pull = manifests.pullSecret(app, null);
    if (pull != null) {
      ensure(cluster, pull, () -> manifests.pullSecret(app, dockerConfig(app)));
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
      remove(cluster, app.namespace(), KubeNames.envSecret(app.k8sName()));
    }
    if (release.imagePullSecret() == null) {
      remove(cluster, app.namespace(), KubeNames.pullSecret(app.k8sName()));
    }
  }

  /** Removes both Secrets of a deleted app (a Secret has no finalizer: deleted is gone). */
  public void removeAll(ClusterConnection cluster, AppCommand app) {
    if (app.desired().release().number() == 0) {
      return;
    }
    remove(cluster, app.namespace(), KubeNames.envSecret(app.k8sName()));
    remove(cluster, app.namespace(), KubeNames.pullSecret(app.k8sName()));
  }

  /** Forgets what is known of a cluster's Secrets (it went away, or was replaced). */
  public void forget(String clusterId) {
    known.keySet().removeIf(key -> key.startsWith(clusterId + "/"));
  }

  /**
   * Writes the Secret unless it is known to be as desired. {@code shape} is the desired Secret
   * without its values (its spec hash is over the sealed text); {@code whole} builds it with them,
   * opened only when the observed Secret must be compared or written.
   */
  private void ensure(ClusterConnection cluster, V1Secret shape, Supplier<V1Secret> whole) {
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
      remember(key, hash);
      return;
    }
    known.remove(key);
    writer.ensure(cluster.apis().secrets(), desired, observed, true);
    remember(key, hash);
  }

  private static boolean sameData(V1Secret desired, V1Secret observed) {
    Map<String, byte[]> want = desired.getData() == null ? Map.of() : desired.getData();
    Map<String, byte[]> have = observed.getData() == null ? Map.of() : observed.getData();
    return want.keySet().equals(have.keySet())
        && want.entrySet().stream()
            .allMatch(e -> Arrays.equals(e.getValue(), have.get(e.getKey())));
  }

  /** The hash known for {@code key} within {@code recheck}, or null: read it again. */
  private String fresh(String key) {
    Known k = known.get(key);
    return k == null || k.at().plus(recheck).isBefore(clock.instant()) ? null : k.hash();
  }

  private void remember(String key, String hash) {
    known.put(key, new Known(hash, clock.instant()));
  }

  private void remove(ClusterConnection cluster, String namespace, String name) {
    String key = key(cluster, namespace, name);
    String have = fresh(key);
    if (ABSENT.equals(have)) {
      return;
    }
    if (have == null && writer.read(cluster.apis().secrets(), "Secret", namespace, name) == null) {
      remember(key, ABSENT);
      return;
    }
    known.remove(key);
    writer.delete(cluster.apis().secrets(), "Secret", namespace, name);
    remember(key, ABSENT);
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
