package io.astro.app.quota;

import io.astro.common.config.Env;

/**
 * The ResourceQuota the sync-worker writes into each user namespace ({@code
 * ASTRO_NAMESPACE_QUOTA_CPU} / {@code _MEMORY} / {@code _PODS} / {@code _EPHEMERAL_STORAGE}, same
 * names and defaults), and the ephemeral storage its LimitRange gives every container ({@code
 * ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE}): what app-service refuses changes against before they
 * reach the cluster.
 */
public record NamespaceQuota(
    long cpuMillicores,
    long memoryBytes,
    int pods,
    long ephemeralStorageBytes,
    long containerEphemeralStorageBytes) {

  public static NamespaceQuota from(Env env) {
    return new NamespaceQuota(
        Quantities.millicores(
            "ASTRO_NAMESPACE_QUOTA_CPU", env.string("ASTRO_NAMESPACE_QUOTA_CPU", "4")),
        Quantities.bytes(
            "ASTRO_NAMESPACE_QUOTA_MEMORY", env.string("ASTRO_NAMESPACE_QUOTA_MEMORY", "8Gi")),
        env.integer("ASTRO_NAMESPACE_QUOTA_PODS", 20, 1, 10_000),
        Quantities.bytes(
            "ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE",
            env.string("ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE", "20Gi")),
        Quantities.bytes(
            "ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE",
            env.string("ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE", "1Gi")));
  }
}
