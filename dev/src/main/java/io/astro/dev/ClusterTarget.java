package io.astro.dev;

import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The cluster apps run on: the in-process sandbox (the test kit's API stand-in and kubelet
 * simulator), or a real cluster from a kubeconfig, checked before anything starts so a broken one
 * is one clear line, not a sync-worker that never gets ready.
 *
 * @param id what {@code ASTRO_CLUSTERS} and {@code ASTRO_DEFAULT_CLUSTER} call it
 * @param kubeconfig the file the sync-worker reads
 * @param sandbox the sandbox, or null for a real cluster
 */
public record ClusterTarget(String id, String description, Path kubeconfig, FakeCluster sandbox) {

  public static final String SANDBOX_ID = "sandbox";

  /** Starts the sandbox and writes its kubeconfig where kubectl can use it. */
  public static ClusterTarget sandbox(Path kubeconfigFile) {
    FakeCluster cluster = FakeCluster.start(SANDBOX_ID);
    try {
      Workspace.writeSecret(kubeconfigFile, cluster.kubeconfig());
    } catch (IOException e) {
      cluster.close();
      throw new DevFailure("cannot write " + kubeconfigFile + ": " + e.getMessage());
    }
    return new ClusterTarget(
        SANDBOX_ID,
        "in-process Kubernetes API stand-in with a kubelet simulator",
        kubeconfigFile,
        cluster);
  }

  /**
   * A real cluster: the kubeconfig is read the way the sync-worker reads it (its text, current
   * context) and {@code /version} must answer.
   */
  public static ClusterTarget external(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new DevFailure(
          "kubeconfig " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    KubeConfig config;
    ApiClient client;
    try {
      config = KubeConfig.loadKubeConfig(new StringReader(text));
      if (config.getCurrentContext() == null || config.getServer() == null) {
        throw new DevFailure(
            "kubeconfig " + file + " has no current-context with a cluster server");
      }
      client = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(new StringReader(text))).build();
    } catch (DevFailure e) {
      throw e;
    } catch (Exception | LinkageError e) {
      throw new DevFailure("kubeconfig " + file + " is not usable: " + Failures.rootMessage(e));
    }
    client.setConnectTimeout(5_000);
    client.setReadTimeout(5_000);
    String where = config.getServer() + " (context " + config.getCurrentContext() + ")";
    String version;
    try {
      version = new VersionApi(client).getCode().execute().getGitVersion();
    } catch (ApiException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw new DevFailure(
            "cluster "
                + where
                + " refused the credentials of "
                + file
                + " (HTTP "
                + e.getCode()
                + ")");
      }
      throw new DevFailure(
          "cluster "
              + where
              + " from "
              + file
              + " does not answer: "
              + (e.getCode() == 0 ? Failures.rootMessage(e) : "HTTP " + e.getCode()));
    } finally {
      client.getHttpClient().dispatcher().executorService().shutdown();
      client.getHttpClient().connectionPool().evictAll();
    }
    return new ClusterTarget(
        idOf(config.getCurrentContext()),
        config.getCurrentContext()
            + " at "
            + config.getServer()
            + ", Kubernetes "
            + version
            + " (from "
            + file
            + ")",
        file,
        null);
  }

  /**
   * A DNS-label id from the context name, e.g. {@code kind-astro}; apps keep the id of the cluster
   * they were put on.
   */
  static String idOf(String context) {
    String id =
        context.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (id.length() > 40) {
      id = id.substring(0, 40).replaceAll("-+$", "");
    }
    return id.isEmpty() || id.equals(SANDBOX_ID) ? "external" : id;
  }

  public boolean isSandbox() {
    return sandbox != null;
  }

  public void close() {
    if (sandbox != null) {
      sandbox.close();
    }
  }
}
