package io.astro.testkit.kube;

import io.kubernetes.client.openapi.ApiClient;

/**
 * A Kubernetes API that tests and dev mode can point Astro at: either a {@link FakeCluster}
 * (in-process) or a {@link K3sCluster} (a real one in Docker).
 */
public interface KubeCluster extends AutoCloseable {

  /** Base URL of the API server, e.g. {@code http://127.0.0.1:41234}. */
  String url();

  /**
   * An official-client {@link ApiClient} for this cluster, authenticated, with read timeout 0 so
   * that watches and {@code SharedInformerFactory} (which rejects any other read timeout) work with
   * it.
   */
  ApiClient apiClient();

  /**
   * A kubeconfig YAML document with one cluster, user and context, as Astro stores it for a
   * registered cluster.
   */
  String kubeconfig();

  @Override
  void close();
}
