package io.astro.sync.reconcile;

import io.astro.common.crypto.KeyRing;
import io.astro.common.events.app.AppCommand;
import io.astro.common.kube.KubeNames;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.KubeApis;
import io.kubernetes.client.openapi.models.V1Secret;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An app's Secrets: {@code {k8sName}-env} with its secret variables and {@code {k8sName}-pull} with
 * its registry credential. The command carries both sealed for the app ({@link KeyRing}, owner =
 * app id); they are opened here, only to write the Secret, and never logged or reported.
 *
 * <p>Secrets are not watched (no list or watch right on them): what was written is remembered by
 * spec hash per cluster, and an object not remembered (after a start) is read once. A value is
 * opened only when its Secret has to be written. An app of release 0 (from before releases) never
 * had a Secret, so nothing is read for it.
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

  private final KeyRing keys;
  private final Manifests manifests;
  private final ObjectWriter writer;

  /** cluster/namespace/name → spec hash of the Secret there, or {@link #ABSENT}. */
  private final Map<String, String> known = new ConcurrentHashMap<>();

  /** {@code keys} may be null (none configured): a command with sealed values is then refused. */
  public AppSecrets(KeyRing keys, Manifests manifests, ObjectWriter writer) {
    this.keys = keys;
    this.manifests = manifests;
    this.writer = writer;
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
    if (env != null && !current(cluster, env)) {
      write(cluster, manifests.envSecret(app, variables(app)));
    }
    V1Secret pull = manifests.pullSecret(app, null);
    if (pull != null && !current(cluster, pull)) {
      write(cluster, manifests.pullSecret(app, dockerConfig(app)));
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

  private boolean current(ClusterConnection cluster, V1Secret desired) {
    String key =
        key(cluster, desired.getMetadata().getNamespace(), desired.getMetadata().getName());
    String hash = Manifests.specHash(desired);
    String have = known.get(key);
    if (have == null) {
      V1Secret observed =
          writer.read(
              cluster.apis().secrets(),
              "Secret",
              desired.getMetadata().getNamespace(),
              desired.getMetadata().getName());
      have = observed == null ? ABSENT : String.valueOf(Manifests.specHash(observed));
      known.put(key, have);
    }
    return hash.equals(have);
  }

  private void write(ClusterConnection cluster, V1Secret desired) {
    KubeApis apis = cluster.apis();
    String namespace = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    String key = key(cluster, namespace, name);
    // create when known absent; otherwise replace the observed one (its resourceVersion is read)
    V1Secret observed =
        ABSENT.equals(known.get(key))
            ? null
            : writer.read(apis.secrets(), "Secret", namespace, name);
    known.remove(key);
    writer.ensure(apis.secrets(), desired, observed, true);
    known.put(key, Manifests.specHash(desired));
  }

  private void remove(ClusterConnection cluster, String namespace, String name) {
    String key = key(cluster, namespace, name);
    String have = known.get(key);
    if (ABSENT.equals(have)) {
      return;
    }
    if (have == null && writer.read(cluster.apis().secrets(), "Secret", namespace, name) == null) {
      known.put(key, ABSENT);
      return;
    }
    known.remove(key);
    writer.delete(cluster.apis().secrets(), "Secret", namespace, name);
    known.put(key, ABSENT);
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
