package io.astro.sync.clusters;

import io.astro.common.runtime.DaemonThreads;
import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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

  /**
   * Starts making the request clients of {@code sources} on a thread of their own, as {@link
   * #put(ClusterSource)} would: a start reads the operator's kubeconfigs and sets up their TLS
   * while Vert.x and the rest of the worker are built, instead of after them. Completes with each
   * client by cluster id, or with the first cluster's {@link IllegalArgumentException}.
   */
  public static CompletableFuture<Map<String, ApiClient>> openEarly(
      Collection<ClusterSource> sources, Duration requestTimeout) {
    return CompletableFuture.supplyAsync(
        () -> {
          Map<String, ApiClient> clients = new LinkedHashMap<>();
          for (ClusterSource source : sources) {
            clients.put(source.id(), open(source, requestTimeout));
          }
          return clients;
        },
        body -> DaemonThreads.thread("clusters-open", body).start());
  }

  /**
   * Connects to {@code source} (replacing a cluster of the same id) and starts its informers. A
   * cluster over the bound is refused before its client is made.
   */
  public void put(ClusterSource source) {
    refuseOverBound(source.id());
    put(source, open(source, requestTimeout));
  }

  /**
   * Connects to {@code source} through {@code requests}, the client {@link #openEarly} made for it,
   * replacing a cluster of the same id, and starts its informers.
   */
  public synchronized void put(ClusterSource source, ApiClient requests) {
    refuseOverBound(source.id()); // again: another cluster may have been put while it was made
    ClusterConnection connection =
        new ClusterConnection(
            source.id(), requests, ClusterSource.watching(requests), resync, events);
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

  private void refuseOverBound(String id) {
    if (!connections.contains(id) && connections.size() >= maxClusters) {
      throw new IllegalStateException(
          "cluster " + id + " refused: at most " + maxClusters + " clusters");
    }
  }

  /** {@code source}'s request client; a kubeconfig it cannot use is refused by cluster id. */
  private static ApiClient open(ClusterSource source, Duration requestTimeout) {
    try {
      return source.client(requestTimeout);
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
