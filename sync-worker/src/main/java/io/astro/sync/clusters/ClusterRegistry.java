package io.astro.sync.clusters;

import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clusters the worker reconciles, by id. Clusters can be added, replaced (new credentials) and
 * removed while it runs; a replaced or removed cluster's clients and informers are closed, and
 * {@link ClusterConnection.Events} hears of each change as of a reconnect or a loss. The number of
 * clusters is bounded: each holds informers and a connection pool.
 */
public final class ClusterRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterRegistry.class);

  private final ConnectedClusters connections;
  private final ClusterConnection.Events events;
  private final Duration requestTimeout;
  private final Duration resync;
  private final int maxClusters;

  /**
   * @param connections where the connected clusters are held for their readers
   * @param events hears of every cluster put, replaced, removed, and of what its informers see
   */
  public ClusterRegistry(
      ConnectedClusters connections,
      ClusterConnection.Events events,
      Duration requestTimeout,
      Duration resync,
      int maxClusters) {
    this.connections = connections;
    this.events = events;
    this.requestTimeout = requestTimeout;
    this.resync = resync;
    this.maxClusters = maxClusters;
  }

  /** Connects to {@code source} (replacing a cluster of the same id) and starts its informers. */
  public synchronized void put(ClusterSource source) {
    if (!connections.contains(source.id()) && connections.size() >= maxClusters) {
      throw new IllegalStateException(
          "cluster " + source.id() + " refused: at most " + maxClusters + " clusters");
    }
    ClusterConnection connection;
    try {
      ApiClient requests = source.client(requestTimeout);
      connection =
          new ClusterConnection(
              source.id(), requests, ClusterSource.watching(requests), resync, events);
    } catch (ClusterSource.LocalCredentialsRefused e) {
      throw new IllegalArgumentException("cluster " + source.id() + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      // the parser's message may quote the kubeconfig (a YAML error shows the line): only its kind
      // is told
      throw new IllegalArgumentException(
          "cluster "
              + source.id()
              + ": unusable kubeconfig ("
              + e.getClass().getSimpleName()
              + ")");
    }
    ClusterConnection previous = connections.put(source.id(), connection);
    if (previous != null) {
      previous.close();
    }
    connection.start();
    LOG.info("cluster {} {}", source.id(), previous == null ? "added" : "replaced");
    // a new connection: its namespaces are checked anew, its apps queued (also those that waited
    // for it)
    events.reconnected(source.id());
  }

  public synchronized void remove(String id) {
    ClusterConnection previous = connections.remove(id);
    if (previous != null) {
      previous.close();
      LOG.info("cluster {} removed", id);
      events.unreachable(id); // its apps report that their cluster is unknown
    }
  }

  public Optional<ClusterConnection> get(String id) {
    return connections.get(id);
  }

  public Collection<ClusterConnection> all() {
    return connections.all();
  }

  @Override
  public synchronized void close() {
    connections.clear().forEach(ClusterConnection::close);
  }
}
