package io.astro.testkit.kube;

import io.astro.common.runtime.DaemonThreads;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the Deployment controller, ReplicaSet controller, scheduler, kubelet and garbage collector
 * of a {@link FakeCluster}, through the same API (official client, streaming watches via the proxy)
 * that Astro uses.
 *
 * <p>For every Deployment it keeps a ReplicaSet {@code {deployment}-{pod-template-hash}} and its
 * pods, follows scale changes, template changes (a rolling update — e.g. a {@code restartedAt}
 * annotation) and deletion, and writes pod, ReplicaSet and Deployment status as a real control
 * plane would. Work is level-triggered and event-driven: each Deployment event recomputes that
 * Deployment from stored state, and a pod deleted from outside (an eviction) its namespace's. A
 * Deployment that is not settled (pods creating, crash-looping, probes not yet due, a rollout or a
 * refusal under way — see {@link DeploymentController.Outcome}) comes back after {@value
 * #RESYNC_MILLIS} ms, since time alone moves it; a settled one costs nothing until it changes, so a
 * cluster with thousands of running Deployments stays quiet. The echo of a settled pass's own
 * status write (an event for the very resourceVersion the pass left) runs no pass.
 *
 * <p>Every simulator in the JVM shares one small pool of {@value #SHARDS} workers. A Deployment's
 * namespace picks its worker, so the Deployments of one namespace (which share pods, quota and
 * limits) are worked one at a time, in order, while other namespaces and clusters go in parallel.
 *
 * <p>Failures to show: {@link #failImage}, {@link #crashImage}; {@link #clearFailures} heals. They
 * apply to every pod the simulator syncs from then on, including running ones. Without any fault a
 * node still fails what a real one would: a new container is {@code ContainerCreating} first; an
 * image on a registry that cannot exist or be reached (a host under {@code .invalid}, {@code .test}
 * or {@code .example}, a private, loopback or link-local address — see {@link
 * ImageReference#unreachable}) goes {@code ErrImagePull} then {@code ImagePullBackOff}; an official
 * image that needs a capability its security context dropped (nginx, httpd, postgres, mysql, redis
 * — see {@link ImageCatalogue}) crash-loops with the error the image prints.
 */
public final class KubeletSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubeletSimulator.class);

  /** How soon a Deployment that is not settled is looked at again. */
  static final long RESYNC_MILLIS = 2000;

  private static final long CONFLICT_RETRY_MILLIS = 50;
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Workers shared by every simulator in the JVM. Most of a pass is waiting on the API server in
   * the same process, so a few more than the cores keep them busy without a thread per cluster.
   */
  static final int SHARDS = 4;

  private static final List<ExecutorService> WORKERS = new ArrayList<>();
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("kubelet-simulator-timer"));

  static {
    for (int i = 0; i < SHARDS; i++) {
      WORKERS.add(Executors.newSingleThreadExecutor(DaemonThreads.named("kubelet-simulator-" + i)));
    }
  }

  private final Faults faults = new Faults();
  private final DeploymentController controller;
  private final String clusterName;
  private final SharedInformerFactory informers;
  private final SharedIndexInformer<V1Deployment> deployments;

  /**
   * Keys waiting in a worker's queue, and whether their pass must run even if the Deployment is
   * unchanged since it was settled (a fault set, a pod gone, {@link #resync}): an event for a
   * queued key adds nothing.
   */
  private final Map<String, Boolean> queued = new ConcurrentHashMap<>();

  /**
   * The resourceVersion each settled Deployment had after the pass that found it settled (its own
   * status write included). An event for that very version — the echo of the pass's own write, or a
   * timer set by an earlier pass — would recompute the same thing and write nothing, so its pass is
   * skipped: a new Deployment costs two passes, not four.
   */
  private final Map<String, String> settled = new ConcurrentHashMap<>();

  /**
   * Deployments reconciled and not yet seen gone: their leftovers are cleaned up even if the DELETE
   * event is missed.
   */
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  /** Passes of this simulator running now; close() waits for them to end. */
  private final AtomicInteger running = new AtomicInteger();

  private volatile boolean closed;

  KubeletSimulator(ApiClient client, PodLogs logs, String clusterName) {
    CoreV1Api core = new CoreV1Api(client);
    this.clusterName = clusterName;
    this.controller =
        new DeploymentController(new AppsV1Api(client), core, new Kubelet(core, faults, logs));
    ExecutorService informerThreads =
        Executors.newCachedThreadPool(
            DaemonThreads.named("kubelet-simulator-informer-" + clusterName));
    this.informers = new SharedInformerFactory(client, informerThreads, false);
    this.deployments =
        informers.sharedIndexInformerFor(
            new GenericKubernetesApi<>(
                V1Deployment.class, V1DeploymentList.class, "apps", "v1", "deployments", client),
            V1Deployment.class,
            0);
    deployments.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(V1Deployment d) {
            enqueue(key(d));
          }

          @Override
          public void onUpdate(V1Deployment before, V1Deployment after) {
            enqueue(key(after));
          }

          @Override
          public void onDelete(V1Deployment d, boolean finalStateUnknown) {
            enqueue(key(d));
          }
        });
    // a pod removed from outside (an eviction, a delete) leaves its Deployment short of replicas:
    // the ReplicaSet controller watches pods for this; here the namespace's Deployments go again
    informers
        .sharedIndexInformerFor(
            new GenericKubernetesApi<>(V1Pod.class, V1PodList.class, "", "v1", "pods", client),
            V1Pod.class,
            0)
        .addEventHandler(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(V1Pod pod) {}

              @Override
              public void onUpdate(V1Pod before, V1Pod after) {}

              @Override
              public void onDelete(V1Pod pod, boolean finalStateUnknown) {
                String namespace = pod.getMetadata().getNamespace();
                deployments.getIndexer().listKeys().stream()
                    .filter(key -> key.startsWith(namespace + "/"))
                    .forEach(key -> enqueue(key, true));
              }
            });
  }

  /** Starts watching and waits (bounded) until the Deployment informer has listed once. */
  void start() {
    informers.startAllRegisteredInformers();
    long deadline = System.nanoTime() + SYNC_TIMEOUT.toNanos();
    while (!deployments.hasSynced()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "kubelet simulator: Deployment informer did not sync in " + SYNC_TIMEOUT);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the kubelet simulator", e);
      }
    }
  }

  /**
   * Pods of Deployments using exactly this image fail to pull it (the registry answers not found):
   * Pending, waiting reason ErrImagePull, then ImagePullBackOff.
   */
  public void failImage(String image) {
    faults.failImage(image);
    enqueueAll();
  }

  /**
   * Containers running exactly this image crash: waiting reason CrashLoopBackOff, restartCount
   * climbing.
   */
  public void crashImage(String image) {
    faults.crashImage(image);
    enqueueAll();
  }

  /**
   * Containers running exactly this image never pass their startup or readiness probe: running, not
   * started, not ready (pod condition Ready False, ContainersNotReady). Containers without probes
   * are ready as before.
   */
  public void failProbes(String image) {
    faults.failProbes(image);
    enqueueAll();
  }

  /** Heals every failure set above; pods recover on the next sync (which this triggers). */
  public void clearFailures() {
    faults.clear();
    enqueueAll();
  }

  /**
   * Progress deadline for Deployments without {@code spec.progressDeadlineSeconds} (Kubernetes
   * defaults that field to 600 s; set this shorter to see ProgressDeadlineExceeded in a test).
   */
  public void defaultProgressDeadline(Duration deadline) {
    controller.defaultProgressDeadline(deadline);
    enqueueAll();
  }

  /**
   * Queues every known Deployment for reconciliation; the future completes once the simulator has
   * worked through them (a retry after a write conflict may still follow).
   */
  public CompletableFuture<Void> resync() {
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("kubelet simulator is closed"));
    }
    Set<Integer> shards = new LinkedHashSet<>();
    for (String key : enqueueAll()) {
      shards.add(shardOf(key));
    }
    // each worker is first in, first out: a marker queued after the keys runs after them
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int shard : shards) {
      done.add(CompletableFuture.runAsync(() -> {}, WORKERS.get(shard)));
    }
    return CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]));
  }

  /** Stops watching and waits (bounded) for this simulator's passes under way to end. */
  @Override
  public void close() {
    closed = true;
    informers.stopAllRegisteredInformers(true);
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    synchronized (running) {
      while (running.get() > 0 && System.nanoTime() < deadline) {
        try {
          running.wait(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private Set<String> enqueueAll() {
    Set<String> keys = new HashSet<>(deployments.getIndexer().listKeys());
    keys.addAll(known);
    keys.forEach(key -> enqueue(key, true));
    return keys;
  }

  private void enqueue(String key) {
    enqueue(key, false);
  }

  private void enqueue(String key, boolean force) {
    if (closed) {
      return;
    }
    boolean[] added = {false};
    queued.compute(
        key,
        (k, was) -> {
          added[0] = was == null;
          return was == null ? force : was || force;
        });
    if (added[0]) {
      WORKERS
          .get(shardOf(key))
          .execute(
              () -> {
                boolean forced = Boolean.TRUE.equals(queued.remove(key));
                reconcile(key, forced);
              });
    }
  }

  /** One worker per namespace of a cluster: its Deployments share pods, quota and limits. */
  private int shardOf(String key) {
    String namespace = key.substring(0, key.indexOf('/'));
    return Math.floorMod((clusterName + "/" + namespace).hashCode(), SHARDS);
  }

  private void reconcile(String key, boolean forced) {
    if (closed) {
      return;
    }
    running.incrementAndGet();
    try {
      if (forced || !unchangedSinceSettled(key)) {
        reconcileNow(key, forced);
      }
    } finally {
      if (running.decrementAndGet() == 0) {
        synchronized (running) {
          running.notifyAll();
        }
      }
    }
  }

  /**
   * Whether the Deployment as the informer holds it is the very version a pass found settled, so a
   * pass now would recompute the same and write nothing.
   */
  private boolean unchangedSinceSettled(String key) {
    String version = settled.get(key);
    V1Deployment cached = deployments.getIndexer().getByKey(key);
    return version != null
        && cached != null
        && version.equals(cached.getMetadata().getResourceVersion());
  }

  /**
   * One pass. A pass an event or its own timer brought works from the Deployment as the informer
   * holds it (at least the version of that event), as the real controller works from its lister: no
   * read of it per pass. A forced one ({@link #resync}, a fault, a pod gone, a retry after a
   * conflict) reads it from the API server, so it sees a write its caller has just made even before
   * the watch delivers it.
   */
  private void reconcileNow(String key, boolean forced) {
    String namespace = key.substring(0, key.indexOf('/'));
    String name = key.substring(key.indexOf('/') + 1);
    settled.remove(key);
    try {
      DeploymentController.Pass pass =
          forced
              ? controller.reconcile(namespace, name)
              : controller.reconcile(
                  namespace, name, Optional.ofNullable(deployments.getIndexer().getByKey(key)));
      switch (pass.outcome()) {
        case GONE -> known.remove(key);
        case SETTLED -> {
          known.add(key);
          if (pass.resourceVersion() != null) {
            settled.put(key, pass.resourceVersion());
          }
        }
        case PROGRESSING -> {
          known.add(key);
          enqueueLater(key, RESYNC_MILLIS);
        }
      }
    } catch (ApiException e) {
      if (e.getCode() == 409) {
        // Someone wrote in between (often the test itself), or the informer had not yet seen a
        // write: read it from the API server and go again, soon.
        enqueueLater(key, CONFLICT_RETRY_MILLIS, true);
      } else if (!closed) {
        LOG.warn(
            "kubelet simulator: reconcile of {} failed ({} {}); retrying in {} ms",
            key,
            e.getCode(),
            e.getResponseBody(),
            RESYNC_MILLIS);
        enqueueLater(key, RESYNC_MILLIS);
      }
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.warn(
            "kubelet simulator: reconcile of {} failed; retrying in {} ms", key, RESYNC_MILLIS, e);
        enqueueLater(key, RESYNC_MILLIS);
      }
    }
  }

  private void enqueueLater(String key, long millis) {
    enqueueLater(key, millis, false);
  }

  private void enqueueLater(String key, long millis, boolean force) {
    if (closed) {
      return;
    }
    // a delayed pass needs no handle: once closed, enqueue() drops it
    var unused = TIMER.schedule(() -> enqueue(key, force), millis, TimeUnit.MILLISECONDS);
  }

  private static String key(V1Deployment d) {
    return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
  }
}
