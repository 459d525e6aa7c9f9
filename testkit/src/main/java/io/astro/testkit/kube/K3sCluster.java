package io.astro.testkit.kube;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.Config;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real single-node Kubernetes (K3s) in Docker, behind the same {@link KubeCluster} face as {@link
 * FakeCluster}. It has a real scheduler and kubelet, so there is no simulator: failures come from
 * real images. Chosen by {@link KubeClusters} when {@code -Dastro.containers=true}.
 */
public final class K3sCluster implements KubeCluster {

  /** The same minor version the fake cluster reports. */
  static final DockerImageName IMAGE = DockerImageName.parse("rancher/k3s:v1.31.1-k3s1");

  private final K3sContainer container;
  private final String kubeconfig;
  private final ApiClient apiClient;

  private K3sCluster(K3sContainer container) {
    this.container = container;
    this.kubeconfig = container.getKubeConfigYaml();
    try {
      this.apiClient = Config.fromConfig(new StringReader(kubeconfig)).setReadTimeout(0);
    } catch (IOException e) {
      throw new UncheckedIOException("K3s kubeconfig unreadable", e);
    }
  }

  public static K3sCluster start() {
    K3sContainer container = new K3sContainer(IMAGE);
    container.start();
    try {
      return new K3sCluster(container);
    } catch (RuntimeException e) {
      container.stop();
      throw e;
    }
  }

  @Override
  public String url() {
    return apiClient.getBasePath();
  }

  @Override
  public ApiClient apiClient() {
    return apiClient;
  }

  @Override
  public String kubeconfig() {
    return kubeconfig;
  }

  @Override
  public void close() {
    container.stop();
  }
}
