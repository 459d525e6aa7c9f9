package io.astro.sync.reconcile;

import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.KubeApis;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A user's namespace and what fences it in: Pod Security labels, NetworkPolicies (deny all, allow
 * the namespace and DNS), a ResourceQuota and a LimitRange. These objects are not watched; each
 * namespace is checked (read, then written only where it differs) once per worker run and cluster
 * connection, then trusted.
 */
public final class NamespaceSetup {

  private final Manifests manifests;
  private final ObjectWriter writer;
  private final Set<String> ready = ConcurrentHashMap.newKeySet();

  public NamespaceSetup(Manifests manifests, ObjectWriter writer) {
    this.manifests = manifests;
    this.writer = writer;
  }

  public void ensure(ClusterConnection cluster, String namespace, long userId) {
    String key = cluster.id() + "/" + namespace;
    if (ready.contains(key)) {
      return;
    }
    KubeApis apis = cluster.apis();
    writer.ensure(
        apis.namespaces(),
        manifests.namespace(namespace, userId),
        writer.read(apis.namespaces(), "Namespace", null, namespace),
        false);
    for (V1NetworkPolicy policy : manifests.networkPolicies(namespace)) {
      writer.ensure(
          apis.networkPolicies(),
          policy,
          writer.read(
              apis.networkPolicies(), "NetworkPolicy", namespace, policy.getMetadata().getName()),
          false);
    }
    writer.ensure(
        apis.resourceQuotas(),
        manifests.resourceQuota(namespace),
        writer.read(apis.resourceQuotas(), "ResourceQuota", namespace, "astro-quota"),
        false);
    writer.ensure(
        apis.limitRanges(),
        manifests.limitRange(namespace),
        writer.read(apis.limitRanges(), "LimitRange", namespace, "astro-limits"),
        false);
    ready.add(key);
  }

  /** The cluster was replaced or reconnected: check its namespaces again. */
  public void forget(String clusterId) {
    ready.removeIf(key -> key.startsWith(clusterId + "/"));
  }
}
