package io.astro.testkit.kube;

import io.astro.testkit.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Starts clusters for a test or dev-mode run: {@link FakeCluster}s by default, {@link K3sCluster}s
 * (Docker) when {@link Backends#containers()} says so ({@code -Dastro.containers=true}).
 */
public final class KubeClusters {

  private KubeClusters() {}

  /** One cluster of the configured kind. */
  public static KubeCluster start() {
    return Backends.containers() ? K3sCluster.start() : FakeCluster.start();
  }

  /**
   * {@code n} independent clusters of the configured kind; on failure the ones already started are
   * closed.
   */
  public static List<KubeCluster> start(int n) {
    return startAll(n, KubeClusters::start);
  }

  /**
   * {@code n} independent fake clusters, each with its own simulator (tests that steer failures
   * need these).
   */
  public static List<FakeCluster> startFakes(int n) {
    return startAll(n, FakeCluster::start);
  }

  private static <C extends KubeCluster> List<C> startAll(int n, Supplier<C> starter) {
    List<C> clusters = new ArrayList<>(n);
    try {
      for (int i = 0; i < n; i++) {
        clusters.add(starter.get());
      }
      return clusters;
    } catch (RuntimeException | Error e) {
      clusters.forEach(KubeCluster::close);
      throw e;
    }
  }
}
