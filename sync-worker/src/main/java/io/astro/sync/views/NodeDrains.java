package io.astro.sync.views;

import io.astro.sync.clusters.KubeErrors;
import io.astro.sync.logs.BlockingPool;
import io.astro.sync.logs.Deadline;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Pod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node drains, as {@code kubectl drain --ignore-daemonsets} makes them: the node is cordoned, then
 * every pod on it but DaemonSet and mirror pods is evicted through the Eviction API, so
 * PodDisruptionBudgets are honoured; an eviction a budget refuses (429) is asked again every {@link
 * #RETRY} until the drain's time is up. The drain is done when no such pod is left on the node.
 *
 * <p>Each drain runs on a thread of its own pool ({@link #MAX_DRAINS} at once); its progress is
 * kept in memory per cluster and node (the last drain of each node) for the node's detail view. An
 * uncordon stops a running drain. Progress is this worker's: a restart forgets it, and the node
 * stays cordoned.
 */
final class NodeDrains {

  static final int MAX_DRAINS = 4;
  static final Duration RETRY = Duration.ofSeconds(2);
  static final Duration CALL_BUDGET = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(NodeDrains.class);

  /** Where a drain is. */
  enum State {
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELLED("cancelled");

    final String json;

    State(String json) {
      this.json = json;
    }
  }

  private final BlockingPool pool = new BlockingPool("node-drain", MAX_DRAINS, 0);
  private final Map<String, Drain> drains = new ConcurrentHashMap<>();
  private final Clock clock;

  NodeDrains(Clock clock) {
    this.clock = clock;
  }

  /** The node's last drain, if this worker ran one. */
  Optional<JsonObject> progress(String cluster, String node) {
    Drain drain = drains.get(key(cluster, node));
    return drain == null ? Optional.empty() : Optional.of(drain.toJson());
  }

  /**
   * Starts draining {@code node} unless a drain of it is running (then that one's progress is
   * answered); empty when every drain thread is busy.
   */
  Optional<JsonObject> start(String cluster, ApiClient client, String node, Duration timeout) {
    String key = key(cluster, node);
    Drain fresh = new Drain(node, timeout, clock.instant());
    Drain current =
        drains.compute(key, (k, old) -> old != null && old.state() == State.RUNNING ? old : fresh);
    if (current != fresh) {
      return Optional.of(current.toJson());
    }
    if (!pool.run(() -> fresh.run(client))) {
      drains.remove(key, fresh);
      return Optional.empty();
    }
    return Optional.of(fresh.toJson());
  }

  /** Stops the node's running drain, if any (an uncordon). */
  void cancel(String cluster, String node) {
    Drain drain = drains.get(key(cluster, node));
    if (drain != null) {
      drain.cancel();
    }
  }

  private static String key(String cluster, String node) {
    return cluster + "/" + node;
  }

  /** One drain; its fields are guarded by {@link #lock}. */
  private final class Drain {
    private final String node;
    private final Duration timeout;
    private final Instant startedAt;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private State state = State.RUNNING;
    private Instant finishedAt;
    private int evicted;
    private String message;
    private JsonArray remaining = new JsonArray();
    private JsonArray blocked = new JsonArray();
    private boolean cancelled;

    Drain(String node, Duration timeout, Instant startedAt) {
      this.node = node;
      this.timeout = timeout;
      this.startedAt = startedAt;
    }

    State state() {
      lock.lock();
      try {
        return state;
      } finally {
        lock.unlock();
      }
    }

    void cancel() {
      lock.lock();
      try {
        cancelled = true;
        woken.signalAll();
      } finally {
        lock.unlock();
      }
    }

    JsonObject toJson() {
      lock.lock();
      try {
        return new JsonObject()
            .put("state", state.json)
            .put("started_at", startedAt.toString())
            .put("finished_at", finishedAt == null ? null : finishedAt.toString())
            .put("timeout_seconds", timeout.toSeconds())
            .put("evicted", evicted)
            .put("remaining", remaining.copy())
            .put("blocked", blocked.copy())
            .put("message", message);
      } finally {
        lock.unlock();
      }
    }

    void run(ApiClient client) {
      long end = System.nanoTime() + timeout.toNanos();
      try {
        NodeCalls.unschedulable(client, node, true, Deadline.in(CALL_BUDGET));
        while (true) {
          if (isCancelled()) {
            finish(State.CANCELLED, "stopped by an uncordon", null, null);
            return;
          }
          List<V1Pod> left =
              NodeCalls.pods(client, node, Deadline.in(CALL_BUDGET)).stream()
                  .filter(p -> !NodeViews.daemonSet(p) && !NodeViews.mirror(p))
                  .toList();
          JsonArray names = new JsonArray();
          left.forEach(
              p ->
                  names.add(
                      new JsonObject()
                          .put("namespace", p.getMetadata().getNamespace())
                          .put("name", p.getMetadata().getName())));
          if (left.isEmpty()) {
            finish(State.SUCCEEDED, "no pods left to evict", names, new JsonArray());
            return;
          }
          JsonArray refused = new JsonArray();
          for (V1Pod pod : left) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
              continue;
            }
            NodeCalls.Evicted answer = NodeCalls.evict(client, pod, Deadline.in(CALL_BUDGET));
            if (answer.status() / 100 == 2) {
              count();
            } else if (answer.status() != 404) {
              refused.add(
                  new JsonObject()
                      .put("namespace", pod.getMetadata().getNamespace())
                      .put("name", pod.getMetadata().getName())
                      .put("status", answer.status())
                      .put(
                          "reason",
                          answer.reason() == null
                              ? "the eviction was refused (HTTP " + answer.status() + ")"
                              : answer.reason()));
            }
          }
          update(names, refused);
          if (System.nanoTime() - end >= 0) {
            finish(
                State.FAILED,
                "timed out after "
                    + timeout.toSeconds()
                    + " s with "
                    + names.size()
                    + " pods left; the node stays cordoned",
                names,
                refused);
            return;
          }
          if (sleepOrCancelled()) {
            finish(State.CANCELLED, "stopped by an uncordon", names, refused);
            return;
          }
        }
      } catch (ApiException e) {
        LOG.warn("drain of node {} failed: {}", node, KubeErrors.describe(e));
        finish(
            State.FAILED,
            e.getCode() == 404
                ? "the node is gone"
                : "the cluster API failed: " + KubeErrors.summary(e),
            null,
            null);
      } catch (RuntimeException e) {
        LOG.error("drain of node {} failed", node, e);
        finish(State.FAILED, "the drain failed unexpectedly", null, null);
      }
    }

    private boolean isCancelled() {
      lock.lock();
      try {
        return cancelled;
      } finally {
        lock.unlock();
      }
    }

    private void count() {
      lock.lock();
      try {
        evicted++;
      } finally {
        lock.unlock();
      }
    }

    private void update(JsonArray left, JsonArray refused) {
      lock.lock();
      try {
        remaining = left;
        blocked = refused;
      } finally {
        lock.unlock();
      }
    }

    /** Waits {@link #RETRY}; true when an uncordon stopped the drain meanwhile. */
    private boolean sleepOrCancelled() {
      lock.lock();
      try {
        long left = RETRY.toNanos();
        while (!cancelled && left > 0) {
          left = woken.awaitNanos(left);
        }
        return cancelled;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      } finally {
        lock.unlock();
      }
    }

    private void finish(State end, String why, JsonArray left, JsonArray refused) {
      lock.lock();
      try {
        state = end;
        message = why;
        finishedAt = clock.instant();
        if (left != null) {
          remaining = left;
        }
        if (refused != null) {
          blocked = refused;
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
