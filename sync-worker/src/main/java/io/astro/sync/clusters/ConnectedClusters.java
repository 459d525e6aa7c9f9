package io.astro.sync.clusters;

import io.kubernetes.client.openapi.ApiClient;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clusters connected now, by id: what reconcilers, health checks and log requests read. Only
 * the {@link ClusterRegistry} connects and removes them; keeping the reading side apart lets its
 * readers be built before the registry, whose events they feed.
 */
public final class ConnectedClusters implements ClusterClients {

  private final Map<String, ClusterConnection> connections = new ConcurrentHashMap<>();

  public Optional<ClusterConnection> get(String id) {
    return Optional.ofNullable(connections.get(id));
  }

  @Override
  public Optional<ApiClient> client(String clusterId) {
    return get(clusterId).map(ClusterConnection::client);
  }

  public Collection<ClusterConnection> all() {
    return List.copyOf(connections.values());
  }

  int size() {
    return connections.size();
  }

  boolean contains(String id) {
    return connections.containsKey(id);
  }

  /** Holds {@code connection} under its id; answers the one it replaces, or null. */
  ClusterConnection put(String id, ClusterConnection connection) {
    return connections.put(id, connection);
  }

  ClusterConnection remove(String id) {
    return connections.remove(id);
  }

  /** Forgets every cluster; answers those that were held. */
  List<ClusterConnection> clear() {
    List<ClusterConnection> held = List.copyOf(connections.values());
    connections.clear();
    return held;
  }
}
