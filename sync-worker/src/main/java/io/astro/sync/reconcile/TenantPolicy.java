package io.astro.sync.reconcile;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.kubernetes.client.custom.Quantity;
import java.util.Map;

/**
 * What each user namespace is allowed, from operator configuration: a ResourceQuota for the
 * namespace and the default requests and limits of a container.
 *
 * <ul>
 *   <li>{@code ASTRO_NAMESPACE_QUOTA_CPU} / {@code _MEMORY} / {@code _PODS} — default 4 / 8Gi / 20
 *   <li>{@code ASTRO_CONTAINER_REQUEST_CPU} / {@code _MEMORY} — default 100m / 128Mi
 *   <li>{@code ASTRO_CONTAINER_LIMIT_CPU} / {@code _MEMORY} — default 500m / 512Mi
 * </ul>
 */
public record TenantPolicy(
    Quantity quotaCpu,
    Quantity quotaMemory,
    int quotaPods,
    Quantity requestCpu,
    Quantity requestMemory,
    Quantity limitCpu,
    Quantity limitMemory) {

  public static TenantPolicy defaults() {
    return from(Env.of(Map.of()));
  }

  public static TenantPolicy from(Env env) {
    return new TenantPolicy(
        quantity(env, "ASTRO_NAMESPACE_QUOTA_CPU", "4"),
        quantity(env, "ASTRO_NAMESPACE_QUOTA_MEMORY", "8Gi"),
        env.integer("ASTRO_NAMESPACE_QUOTA_PODS", 20, 1, 10_000),
        quantity(env, "ASTRO_CONTAINER_REQUEST_CPU", "100m"),
        quantity(env, "ASTRO_CONTAINER_REQUEST_MEMORY", "128Mi"),
        quantity(env, "ASTRO_CONTAINER_LIMIT_CPU", "500m"),
        quantity(env, "ASTRO_CONTAINER_LIMIT_MEMORY", "512Mi"));
  }

  private static Quantity quantity(Env env, String name, String defaultValue) {
    String text = env.string(name, defaultValue);
    try {
      return Quantity.fromString(text);
    } catch (RuntimeException e) {
      throw new ConfigException(name + ": not a Kubernetes quantity: " + text);
    }
  }
}
