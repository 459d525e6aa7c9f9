package io.astro.sync.reconcile;

import io.astro.common.events.cluster.ClusterPublicUrls;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public-URL settings of each cluster: the worker's own ({@link PublicUrls}, from its
 * environment) with, field by field, what the cluster's record on {@code astro.clusters} overrides.
 * Written by the cluster topic's consumer, read by the reconcilers' threads.
 */
public final class ClusterUrls {

  private final PublicUrls defaults;
  private final Map<String, PublicUrls> clusters = new ConcurrentHashMap<>();

  public ClusterUrls(PublicUrls defaults) {
    this.defaults = defaults;
  }

  /** The settings for the apps of {@code cluster}: the worker's unless the cluster has its own. */
  public PublicUrls of(String cluster) {
    return cluster == null ? defaults : clusters.getOrDefault(cluster, defaults);
  }

  /**
   * Takes the settings of {@code cluster}'s latest record; answers whether its apps' settings
   * changed (their Ingresses and namespaces' NetworkPolicies are then written again).
   */
  public boolean put(String cluster, ClusterPublicUrls own) {
    PublicUrls before = of(cluster);
    PublicUrls after = defaults.overriddenBy(own);
    if (own.isEmpty()) {
      clusters.remove(cluster);
    } else {
      clusters.put(cluster, after);
    }
    return !before.equals(after);
  }

  /** The cluster is gone: a cluster of the same name later starts from the worker's settings. */
  public void remove(String cluster) {
    clusters.remove(cluster);
  }
}
