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
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * plane would. Work is level-triggered: each Deployment event, and a resync every {@value
 * #RESYNC_MILLIS} ms, recomputes everything from stored state on the simulator's own thread.
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
  static final long RESYNC_MILLIS = 2000;
  private static final long CONFLICT_RETRY_MILLIS = 50;
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);

  private final Faults faults = new Faults();
  private final DeploymentController controller;
  private final ScheduledExecutorService worker;
  private final SharedInformerFactory informers;
  private final SharedIndexInformer<V1Deployment> deployments;

  /** Keys waiting in the worker's queue: an event for a queued key adds nothing. */
  private final Set<String> queued = ConcurrentHashMap.newKeySet();

  /**
   * Deployments reconciled and not yet seen gone: their leftovers are cleaned up even if the DELETE
   * event is missed.
   */
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  private volatile boolean closed;

  KubeletSimulator(ApiClient client, PodLogs logs, String clusterName) {
    CoreV1Api core = new CoreV1Api(client);
    this.controller =
        new DeploymentController(new AppsV1Api(client), core, new Kubelet(core, faults, logs));
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("kubelet-simulator-" + clusterName));
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
    // runs until close() shuts the executor down
    var unused =
        worker.scheduleWithFixedDelay(
            this::enqueueAll, RESYNC_MILLIS, RESYNC_MILLIS, TimeUnit.MILLISECONDS);
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
    enqueueAll();
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      worker.execute(() -> done.complete(null));
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(new IllegalStateException("kubelet simulator is closed"));
    }
    return done;
  }

  @Override
  public void close() {
    closed = true;
    informers.stopAllRegisteredInformers(true);
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void enqueueAll() {
    Set<String> keys = new HashSet<>(deployments.getIndexer().listKeys());
    keys.addAll(known);
    keys.forEach(this::enqueue);
  }

  private void enqueue(String key) {
    if (closed || !queued.add(key)) {
      return;
    }
    try {
      worker.execute(
          () -> {
            queued.remove(key);
            reconcile(key);
          });
    } catch (RejectedExecutionException e) {
      queued.remove(key);
    }
  }

  private void reconcile(String key) {
    if (closed) {
      return;
    }
    String namespace = key.substring(0, key.indexOf('/'));
    String name = key.substring(key.indexOf('/') + 1);
    try {
      if (controller.reconcile(namespace, name)) {
        known.add(key);
      } else {
        known.remove(key);
      }
    } catch (ApiException e) {
      if (e.getCode() == 409) {
        // Someone wrote in between (often the test itself): re-read and go again, soon.
        retryLater(key);
      } else if (!closed) {
        LOG.warn(
            "kubelet simulator: reconcile of {} failed ({} {}); retrying on the next resync",
            key,
            e.getCode(),
            e.getResponseBody());
      }
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.warn("kubelet simulator: reconcile of {} failed; retrying on the next resync", key, e);
      }
    }
  }

  private void retryLater(String key) {
    try {
      // a retry needs no handle: close() shuts the executor down
      var unused =
          worker.schedule(() -> enqueue(key), CONFLICT_RETRY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // closing: nothing left to converge
    }
  }

  private static String key(V1Deployment d) {
    return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
  }
}
