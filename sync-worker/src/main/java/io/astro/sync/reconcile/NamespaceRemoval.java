package io.astro.sync.reconcile;

import io.astro.common.events.app.NamespaceCommand;
import io.astro.common.events.app.NamespaceStatusEvent;
import io.astro.common.runtime.DaemonThreads;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.ConnectedClusters;
import io.kubernetes.client.openapi.models.V1Namespace;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a deleted account's namespace from every cluster ({@link NamespaceCommand}), on a thread
 * of its own (Kubernetes calls block). A cluster's namespace is deleted only once no app of the
 * user is left in it — no Astro Deployment in the namespace, as the cluster's informers see it — so
 * the apps' own deletes (commanded before) finish and report first; until then, and while a cluster
 * is unreachable or its informers have not synced, it tries again every {@code retry}. Deleting
 * leaves the namespace {@code Terminating} while Kubernetes removes what is left in it (a repeated
 * delete then answers 409, which is fine); once it is gone from every cluster the removal is {@link
 * Reporter#removed reported}. Repeats of a command (a replayed partition) find nothing to do and
 * report again: harmless.
 */
public final class NamespaceRemoval implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceRemoval.class);

  /** Where a completed removal goes (the status topic). */
  public interface Reporter {
    void removed(NamespaceStatusEvent event);
  }

  private final ConnectedClusters clusters;
  private final ObjectWriter writer;
  private final Reporter reporter;
  private final Duration retry;
  private final Clock clock;
  private final Map<String, NamespaceCommand> pending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("sync-worker-namespaces"));

  public NamespaceRemoval(
      ConnectedClusters clusters, ObjectWriter writer, Reporter reporter, Duration retry) {
    this(clusters, writer, reporter, retry, Clock.systemUTC());
  }

  NamespaceRemoval(
      ConnectedClusters clusters,
      ObjectWriter writer,
      Reporter reporter,
      Duration retry,
      Clock clock) {
    this.clusters = clusters;
    this.writer = writer;
    this.reporter = reporter;
    this.retry = retry;
    this.clock = clock;
  }

  /** Takes on a removal; safe from any thread. */
  public void request(NamespaceCommand command) {
    pending.put(command.namespace(), command);
    thread.execute(() -> attempt(command.namespace()));
  }

  /** Namespaces still waiting to be gone everywhere. */
  public Collection<String> pending() {
    return List.copyOf(pending.keySet());
  }

  // the scheduled retry's future is not needed: attempt() reports its own failures in the log
  @SuppressWarnings("FutureReturnValueIgnored")
  private void attempt(String namespace) {
    NamespaceCommand command = pending.get(namespace);
    if (command == null) {
      return;
    }
    boolean gone = true;
    List<String> checked = new ArrayList<>();
    for (ClusterConnection cluster : clusters.all()) {
      try {
        gone &= removedFrom(cluster, namespace);
      } catch (RuntimeException e) {
        LOG.info("namespace {} on {} not removed yet: {}", namespace, cluster.id(), e.getMessage());
        gone = false;
      }
      checked.add(cluster.id());
    }
    if (gone) {
      try {
        reporter.removed(NamespaceStatusEvent.deleted(command, checked, clock.instant()));
        pending.remove(namespace, command);
        LOG.info("namespace {} removed from {}", namespace, checked);
        return;
      } catch (RuntimeException e) {
        LOG.warn("namespace {} removed, report failed: {}", namespace, e.getMessage());
      }
    }
    thread.schedule(() -> attempt(namespace), retry.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the namespace is gone from {@code cluster}; asks for its deletion when it is time. */
  private boolean removedFrom(ClusterConnection cluster, String namespace) {
    if (!cluster.synced()) {
      throw new ClusterApiException(0, "informers not synced");
    }
    if (cluster.hasDeployments(namespace)) {
      return false;
    }
    V1Namespace observed = writer.read(cluster.apis().namespaces(), "Namespace", null, namespace);
    if (observed == null) {
      return true;
    }
    if (!Fence.terminating(observed)) {
      writer.deleteNamespace(cluster.apis().namespaces(), namespace);
    }
    return false;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
