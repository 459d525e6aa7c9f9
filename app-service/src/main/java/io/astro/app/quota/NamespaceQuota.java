package io.astro.app.quota;

import io.astro.common.config.Env;

/**
 * The ResourceQuota the sync-worker writes into each user namespace ({@code
 * ASTRO_NAMESPACE_QUOTA_CPU} / {@code _MEMORY} / {@code _PODS}, same names and defaults): what
 * app-service refuses changes against before they reach the cluster.
 */
public record NamespaceQuota(long cpuMillicores, long memoryBytes, int pods) {

  public static NamespaceQuota from(Env env) {
    return new NamespaceQuota(
        Quantities.millicores(
            "ASTRO_NAMESPACE_QUOTA_CPU", env.string("ASTRO_NAMESPACE_QUOTA_CPU", "4")),
        Quantities.bytes(
            "ASTRO_NAMESPACE_QUOTA_MEMORY", env.string("ASTRO_NAMESPACE_QUOTA_MEMORY", "8Gi")),
        env.integer("ASTRO_NAMESPACE_QUOTA_PODS", 20, 1, 10_000));
  }
}
