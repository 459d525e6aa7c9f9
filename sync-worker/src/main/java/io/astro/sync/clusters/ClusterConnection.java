package io.astro.sync.clusters;

import io.astro.common.kube.ClusterRights;
import io.astro.common.kube.KubeNames;
import io.astro.common.runtime.DaemonThreads;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.informer.cache.Lister;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressList;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster as the worker sees it: an API client for reads and writes, and informers for the
 * Deployments, ReplicaSets, Pods, Services and Ingresses Astro manages (label {@code
 * app.kubernetes.io/managed-by=astro}) and for Events in Astro's namespaces. Every informer event
 * names an app, which {@link Events} turns into work; reconcilers read state from the listers,
 * never by polling the cluster. An Event belongs to the app whose object it is about: the app label
 * of the involved Deployment, ReplicaSet or Pod as the informers hold it, never a name that merely
 * looks alike.
 *
 * <p>Where the cluster serves cert-manager's Certificates (discovery, looked at now and then), a
 * further informer holds those of user namespaces, for the certificate state of public apps. It is
 * optional: a cluster without cert-manager, or a worker without the right to read Certificates,
 * just has no certificate state ({@link #certificatesReadable}), and is not failing for it.
 */
public final class ClusterConnection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterConnection.class);
  private static final String BY_APP = "byApp";
  private static final Duration PROBE_EVERY = Duration.ofSeconds(2);
  private static final Duration EXPIRE_EVENTS_EVERY = Duration.ofMinutes(1);

  /** How often a cluster without (readable) Certificates is asked again whether it has them. */
  static final Duration CERTIFICATES_RECHECK = Duration.ofMinutes(1);

  /** How long a write of the worker's own stands in for an informer that did not deliver it. */
  static final Duration WRITE_THROUGH_TTL = Duration.ofSeconds(30);

  /** Warning Events kept per app for its status: the most recent ones. */
  public static final int EVENTS_PER_APP = 20;

  /** What informers report to the rest of the worker. */
  public interface Events {
    void appTouched(String cluster, String appId);

    /** The cluster stopped answering: its apps should say so. */
    void unreachable(String cluster);

    /** The cluster answered again after failing: everything on it should be looked at anew. */
    void reconnected(String cluster);
  }

  private final String id;
  private final ApiClient client;
  private final KubeApis apis;
  private final ApiClient watchClient;
  private final ExecutorService informerThreads;
  private final ScheduledExecutorService prober;
  private final SharedInformerFactory factory;
  private final SharedIndexInformer<V1Deployment> deployments;
  private final SharedIndexInformer<V1ReplicaSet> replicaSets;
  private final SharedIndexInformer<V1Pod> pods;
  private final SharedIndexInformer<V1Service> services;
  private final SharedIndexInformer<V1Ingress> ingresses;
  private final SharedIndexInformer<CoreV1Event> events;
  private final Events listener;

  /** {@link System#nanoTime()} when it was made, just before its informers start. */
  private final long madeAt = System.nanoTime();

  /** cert-manager's Certificates: null until discovery shows them (and again after a refusal). */
  private volatile SharedInformerFactory certificateFactory;

  private volatile SharedIndexInformer<Certificates.Certificate> certificates;

  /** Why the Certificates informer was refused (403, 404), for the prober to stop it. */
  private final AtomicReference<String> certificatesRefused = new AtomicReference<>();

  /** When discovery is asked next about Certificates (prober thread only). */
  private Instant nextCertificatesCheck = Instant.EPOCH;

  private final WrittenObjects<V1Deployment> writtenDeployments =
      new WrittenObjects<>(WRITE_THROUGH_TTL, Clock.systemUTC());
  private final WrittenObjects<V1Service> writtenServices =
      new WrittenObjects<>(WRITE_THROUGH_TTL, Clock.systemUTC());

  /** Why {@code /version} last failed, or null while the API server answers it. */
  private final AtomicReference<String> apiFailure = new AtomicReference<>();

  /**
   * Per informer (by resource): its last list/watch failure, until the informer delivers again or
   * the probe finds it may and can list again. {@code /version} answering does not clear these: an
   * informer refused by RBAC stays failed while the API server answers everything else.
   */
  private final Map<String, String> informerFailures = new ConcurrentHashMap<>();

  /** What the probe runs for a failing informer: can it list (one item) again? */
  private final Map<String, Callable<?>> listProbes = new ConcurrentHashMap<>();

  /**
   * Whether {@link Events#unreachable} was last reported (and not yet {@link Events#reconnected}).
   */
  private boolean failing;

  /**
   * Closed (replaced or removed): its informers' last breaths — watches cut by the close — are not
   * news.
   */
  private volatile boolean closed;

  /**
   * @param client for reads and writes, with timeouts; {@code watchClient} must have read timeout 0
   *     (informers hold their watches open)
   */
  public ClusterConnection(
      String id, ApiClient client, ApiClient watchClient, Duration resync, Events listener) {
    this.id = id;
    this.client = client;
    this.apis = KubeApis.on(client);
    this.watchClient = watchClient;
    this.listener = listener;
    this.informerThreads = Executors.newCachedThreadPool(DaemonThreads.named("informer-" + id));
    this.prober =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("cluster-probe-" + id));
    this.factory = new SharedInformerFactory(watchClient, informerThreads, false);
    AppsV1Api apps = new AppsV1Api(watchClient);
    CoreV1Api core = new CoreV1Api(watchClient);
    long resyncMillis = resync.toMillis();
    deployments =
        factory.sharedIndexInformerFor(
            SlimCache.of(
                watchClient,
                p ->
                    apps.listDeploymentForAllNamespaces()
                        .labelSelector(KubeNames.MANAGED_SELECTOR)
                        .resourceVersion(p.resourceVersion)
                        .watch(p.watch)
                        .timeoutSeconds(p.timeoutSeconds)
                        .buildCall(null),
                V1DeploymentList.class,
                V1DeploymentList::getItems,
                SlimCache.DEPLOYMENTS),
            V1Deployment.class,
            resyncMillis,
            this::watchFailed);
    // Events about a missing pod (e.g. quota) name the ReplicaSet that could not create it
    replicaSets =
        factory.sharedIndexInformerFor(
            SlimCache.of(
                watchClient,
                p ->
                    apps.listReplicaSetForAllNamespaces()
                        .labelSelector(KubeNames.MANAGED_SELECTOR)
                        .resourceVersion(p.resourceVersion)
                        .watch(p.watch)
                        .timeoutSeconds(p.timeoutSeconds)
                        .buildCall(null),
                V1ReplicaSetList.class,
                V1ReplicaSetList::getItems,
                SlimCache.REPLICA_SETS),
            V1ReplicaSet.class,
            resyncMillis,
            this::watchFailed);
    pods =
        factory.sharedIndexInformerFor(
            SlimCache.of(
                watchClient,
                p ->
                    core.listPodForAllNamespaces()
                        .labelSelector(KubeNames.MANAGED_SELECTOR)
                        .resourceVersion(p.resourceVersion)
                        .watch(p.watch)
                        .timeoutSeconds(p.timeoutSeconds)
                        .buildCall(null),
                V1PodList.class,
                V1PodList::getItems,
                SlimCache.PODS),
            V1Pod.class,
            resyncMillis,
            this::watchFailed);
    services =
        factory.sharedIndexInformerFor(
            SlimCache.of(
                watchClient,
                p ->
                    core.listServiceForAllNamespaces()
                        .labelSelector(KubeNames.MANAGED_SELECTOR)
                        .resourceVersion(p.resourceVersion)
                        .watch(p.watch)
                        .timeoutSeconds(p.timeoutSeconds)
                        .buildCall(null),
                V1ServiceList.class,
                V1ServiceList::getItems,
                SlimCache.SERVICES),
            V1Service.class,
            resyncMillis,
            this::watchFailed);
    NetworkingV1Api networking = new NetworkingV1Api(watchClient);
    ingresses =
        factory.sharedIndexInformerFor(
            p ->
                networking
                    .listIngressForAllNamespaces()
                    .labelSelector(KubeNames.MANAGED_SELECTOR)
                    .resourceVersion(p.resourceVersion)
                    .watch(p.watch)
                    .timeoutSeconds(p.timeoutSeconds)
                    .buildCall(null),
            V1Ingress.class,
            V1IngressList.class,
            resyncMillis,
            this::watchFailed);
    // Warning Events only (server-side field selector), of user namespaces' Pods, Deployments and
    // ReplicaSets (filtered as they arrive): the cache stays bounded whatever else the cluster says
    events =
        factory.sharedIndexInformerFor(
            new WarningEvents(watchClient), CoreV1Event.class, 0, this::watchFailed);
    AppsV1Api probeApps = new AppsV1Api(client);
    CoreV1Api probeCore = new CoreV1Api(client);
    listProbes.put(
        "deployments",
        () ->
            probeApps
                .listDeploymentForAllNamespaces()
                .labelSelector(KubeNames.MANAGED_SELECTOR)
                .limit(1)
                .execute());
    listProbes.put(
        "replicasets",
        () ->
            probeApps
                .listReplicaSetForAllNamespaces()
                .labelSelector(KubeNames.MANAGED_SELECTOR)
                .limit(1)
                .execute());
    listProbes.put(
        "pods",
        () ->
            probeCore
                .listPodForAllNamespaces()
                .labelSelector(KubeNames.MANAGED_SELECTOR)
                .limit(1)
                .execute());
    listProbes.put(
        "services",
        () ->
            probeCore
                .listServiceForAllNamespaces()
                .labelSelector(KubeNames.MANAGED_SELECTOR)
                .limit(1)
                .execute());
    NetworkingV1Api probeNetworking = new NetworkingV1Api(client);
    listProbes.put(
        "ingresses",
        () ->
            probeNetworking
                .listIngressForAllNamespaces()
                .labelSelector(KubeNames.MANAGED_SELECTOR)
                .limit(1)
                .execute());
    listProbes.put(
        "events",
        () ->
            probeCore
                .listEventForAllNamespaces()
                .fieldSelector(WarningEvents.FIELD_SELECTOR)
                .limit(1)
                .execute());
    pods.addIndexers(Map.of(BY_APP, pod -> List.of(appId(pod))));
    deployments.addEventHandler(byApp("deployments", writtenDeployments));
    replicaSets.addEventHandler(byApp("replicasets", null));
    pods.addEventHandler(byApp("pods", null));
    services.addEventHandler(byApp("services", writtenServices));
    ingresses.addEventHandler(byApp("ingresses", null));
    events.addEventHandler(new Handler<>("events", this::onEvent, this::onEvent));
  }

  public String id() {
    return id;
  }

  /** The client for reads and writes (bounded timeouts). */
  public ApiClient client() {
    return client;
  }

  /** Typed APIs over {@link #client()} for the objects Astro writes. */
  public KubeApis apis() {
    return apis;
  }

  public void start() {
    factory.startAllRegisteredInformers();
    // runs until close() shuts the executor down
    var unused =
        prober.scheduleWithFixedDelay(
            this::probe, PROBE_EVERY.toMillis(), PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    var unusedExpiry =
        prober.scheduleWithFixedDelay(
            () -> dropExpiredEvents(Instant.now()),
            EXPIRE_EVENTS_EVERY.toMillis(),
            EXPIRE_EVENTS_EVERY.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /**
   * Informers alone may not say that a quiet cluster went away (a watch just goes silent), so the
   * API server is asked for its version now and then: the cheapest call every server answers.
   */
  private void probe() {
    try {
      new VersionApi(client).getCode().execute();
      apiFailure.set(null);
    } catch (ApiException | RuntimeException e) {
      if (apiFailure.get() == null) {
        LOG.warn("cluster {}: /version failed: {}", id, KubeErrors.describe(e));
      }
      apiFailure.set("API server does not answer: " + KubeErrors.summary(e));
      report();
      return;
    }
    try {
      probeCertificates(Instant.now());
    } catch (RuntimeException e) {
      LOG.warn("cluster {}: looking for cert-manager's Certificates failed: {}", id, e.toString());
    }
    // a failing informer is cleared only when it may list and watch and a list answers: what it
    // will do on its next try
    for (String informer : List.copyOf(informerFailures.keySet())) {
      try {
        boolean allowed = true;
        for (ClusterRights.Right right : ClusterRights.required()) {
          if (right.resource().equals(informer)
              && right.scope() == ClusterRights.Scope.CLUSTER
              && (right.verb().equals("list") || right.verb().equals("watch"))
              && !AccessReview.allowed(client, right)) {
            allowed = false;
          }
        }
        if (allowed) {
          listProbes.get(informer).call();
          informerFailures.remove(informer);
        }
      } catch (Exception stillFailing) {
        // the informer's own failure stays the reason
      }
    }
    report();
  }

  /**
   * Starts the Certificates informer once discovery shows cert-manager's CRD, and stops it when it
   * is refused (no right, CRD removed), to ask again after {@link #CERTIFICATES_RECHECK}. Never
   * makes the cluster failing: certificate state is optional.
   */
  void probeCertificates(Instant now) {
    if (closed) {
      return;
    }
    if (certificates != null) {
      String refused = certificatesRefused.getAndSet(null);
      if (refused != null) {
        LOG.info(
            "cluster {}: no certificate state (Certificates informer refused: {}); asking again in"
                + " {}",
            id,
            refused,
            CERTIFICATES_RECHECK);
        stopCertificates();
        nextCertificatesCheck = now.plus(CERTIFICATES_RECHECK);
        touchPublicApps();
      }
      return;
    }
    if (now.isBefore(nextCertificatesCheck)) {
      return;
    }
    nextCertificatesCheck = now.plus(CERTIFICATES_RECHECK);
    if (!certificatesServed()) {
      return;
    }
    SharedInformerFactory factory = new SharedInformerFactory(watchClient, informerThreads, false);
    SharedIndexInformer<Certificates.Certificate> informer =
        factory.sharedIndexInformerFor(
            new Certificates(watchClient),
            Certificates.Certificate.class,
            0,
            (type, error) -> {
              if (error instanceof ApiException e && (e.getCode() == 403 || e.getCode() == 404)) {
                certificatesRefused.compareAndSet(null, KubeErrors.summary(error));
              }
            });
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Certificates.Certificate certificate) {
            touchOwner(certificate);
          }

          @Override
          public void onUpdate(Certificates.Certificate before, Certificates.Certificate after) {
            touchOwner(after);
          }

          @Override
          public void onDelete(Certificates.Certificate certificate, boolean finalStateUnknown) {
            touchOwner(certificate);
          }
        });
    certificateFactory = factory;
    certificates = informer;
    factory.startAllRegisteredInformers();
    LOG.info("cluster {}: cert-manager's Certificates are served; watching them", id);
  }

  /** Whether discovery lists {@code certificates} in {@code cert-manager.io/v1}. */
  private boolean certificatesServed() {
    try {
      return new CustomObjectsApi(client)
              .getAPIResources(Certificates.GROUP, Certificates.VERSION)
              .execute()
              .getResources()
              .stream()
              .anyMatch(r -> Certificates.PLURAL.equals(r.getName()));
    } catch (ApiException | RuntimeException e) {
      return false; // 404: no cert-manager; anything else: asked again later
    }
  }

  private void stopCertificates() {
    SharedInformerFactory factory = certificateFactory;
    certificates = null;
    certificateFactory = null;
    if (factory != null) {
      factory.stopAllRegisteredInformers(false);
    }
  }

  // their statuses lose (or gain) certificate state
  private void touchPublicApps() {
    ingresses.getIndexer().list().forEach(this::touch);
  }

  /** A Certificate touches the app of the Ingress that owns it (ingress-shim's owner reference). */
  private void touchOwner(Certificates.Certificate certificate) {
    V1ObjectMeta meta = certificate.getMetadata();
    if (meta == null || meta.getOwnerReferences() == null) {
      return;
    }
    for (V1OwnerReference owner : meta.getOwnerReferences()) {
      if ("Ingress".equals(owner.getKind())) {
        V1Ingress ingress = ingress(meta.getNamespace(), owner.getName());
        if (ingress != null
            && (owner.getUid() == null || owner.getUid().equals(ingress.getMetadata().getUid()))) {
          touch(ingress);
        }
      }
    }
  }

  /**
   * Whether the worker reads cert-manager's Certificates on this cluster (served, allowed, listed):
   * only then does a status carry certificate state.
   */
  public boolean certificatesReadable() {
    SharedIndexInformer<Certificates.Certificate> informer = certificates;
    return informer != null && informer.hasSynced() && certificatesRefused.get() == null;
  }

  /** The Certificate {@code name} in {@code namespace} as the informer holds it, or null. */
  public Certificates.Certificate certificate(String namespace, String name) {
    SharedIndexInformer<Certificates.Certificate> informer = certificates;
    return informer == null
        ? null
        : new Lister<>(informer.getIndexer()).namespace(namespace).get(name);
  }

  /**
   * True once every informer has listed the cluster; nothing is reconciled on this cluster before
   * that.
   */
  public boolean synced() {
    return deployments.hasSynced()
        && replicaSets.hasSynced()
        && pods.hasSynced()
        && services.hasSynced()
        && ingresses.hasSynced()
        && events.hasSynced();
  }

  /**
   * True while the informers' first lists are under way (none failing, not all listed), for at most
   * {@code atMost} after the connection was made.
   */
  public boolean firstListing(Duration atMost) {
    return !synced() && failure() == null && System.nanoTime() - madeAt < atMost.toNanos();
  }

  /**
   * Why the cluster is failing, or null while it works: the API server not answering, or each
   * failing informer by name with its last error ({@code informer pods: list/watch failed: 403
   * ...}).
   */
  public String failure() {
    String api = apiFailure.get();
    if (api != null) {
      return api;
    }
    if (informerFailures.isEmpty()) {
      return null;
    }
    return String.join("; ", new TreeMap<>(informerFailures).values());
  }

  /**
   * The informers failing now, by resource (deployments, replicasets, pods, services, ingresses,
   * events).
   */
  public Set<String> failingInformers() {
    return Set.copyOf(informerFailures.keySet());
  }

  /**
   * The Deployment as the worker should see it: the informer's, or the worker's own last write to
   * it until the informer has delivered that write ({@link WrittenObjects}).
   */
  public V1Deployment deployment(String namespace, String name) {
    return writtenDeployments.current(
        namespace, name, new Lister<>(deployments.getIndexer()).namespace(namespace).get(name));
  }

  /** Whether any Astro Deployment (any app) is left in {@code namespace}, as the informer sees. */
  public boolean hasDeployments(String namespace) {
    return !new Lister<>(deployments.getIndexer()).namespace(namespace).list().isEmpty();
  }

  /** The Service as the worker should see it (see {@link #deployment}). */
  public V1Service service(String namespace, String name) {
    return writtenServices.current(
        namespace, name, new Lister<>(services.getIndexer()).namespace(namespace).get(name));
  }

  /**
   * Runs a create or replace of a Deployment ({@code write} answers what the API server stored, or
   * null when nothing was written); the answer, slimmed as the informer's copy is, stands in for
   * that copy until delivered.
   */
  public V1Deployment writeDeployment(String namespace, String name, Supplier<V1Deployment> write) {
    return writtenDeployments.write(
        namespace,
        name,
        () -> {
          V1Deployment written = write.get();
          return written == null ? null : SlimCache.deployment(written);
        });
  }

  /** As {@link #writeDeployment}, for a Service. */
  public V1Service writeService(String namespace, String name, Supplier<V1Service> write) {
    return writtenServices.write(namespace, name, write);
  }

  /** Runs a delete of a Deployment; it is gone for the worker from then on. */
  public void deleteDeployment(String namespace, String name, Runnable delete) {
    writtenDeployments.delete(namespace, name, delete);
  }

  /** Runs a delete of a Service; it is gone for the worker from then on. */
  public void deleteService(String namespace, String name, Runnable delete) {
    writtenServices.delete(namespace, name, delete);
  }

  /** Writes of the worker's own the informers have not delivered yet. */
  public int pendingWrites() {
    return writtenDeployments.pending() + writtenServices.pending();
  }

  public V1Ingress ingress(String namespace, String name) {
    return new Lister<>(ingresses.getIndexer()).namespace(namespace).get(name);
  }

  public List<V1Pod> podsOf(String appId) {
    return pods.getIndexer().byIndex(BY_APP, appId);
  }

  /**
   * The most recent Warning Events (at most {@link #EVENTS_PER_APP}) in {@code namespace} about
   * objects of app {@code appId} (see {@link #appOf}), newest first.
   */
  public List<CoreV1Event> eventsOf(String namespace, String appId) {
    return new Lister<>(events.getIndexer())
        .namespace(namespace).list().stream()
            .filter(e -> appId.equals(appOf(e)))
            .sorted(Comparator.comparing(ClusterConnection::lastSeen).reversed())
            .limit(EVENTS_PER_APP)
            .toList();
  }

  /** How many Events the cache holds (all Warnings of user namespaces' apps). */
  public int cachedEvents() {
    return events.getIndexer().list().size();
  }

  /** The Events the cache holds. */
  public List<CoreV1Event> cachedEventList() {
    return events.getIndexer().list();
  }

  private static OffsetDateTime lastSeen(CoreV1Event e) {
    OffsetDateTime last = WarningEvents.lastSeen(e);
    return last == null ? OffsetDateTime.MIN : last;
  }

  /**
   * Drops cached Events last seen more than {@link WarningEvents#MAX_AGE} before {@code now}, as a
   * server expiring Events would (the sandbox and servers with a longer {@code --event-ttl} do
   * not); answers how many. An Event that happens again comes back with its next update.
   */
  int dropExpiredEvents(Instant now) {
    int dropped = 0;
    for (CoreV1Event event : events.getIndexer().list()) {
      if (WarningEvents.expired(event, now)) {
        events.getIndexer().delete(event);
        dropped++;
      }
    }
    return dropped;
  }

  /**
   * Touches the object's app; with {@code written}, first marks the worker's own write as seen, so
   * the reconcile this queues works from the informer's object.
   */
  private <T extends KubernetesObject> ResourceEventHandler<T> byApp(
      String informer, WrittenObjects<T> written) {
    return new Handler<>(
        informer,
        object -> {
          if (written != null) {
            written.seen(object);
          }
          touch(object);
        },
        object -> {
          if (written != null) {
            written.seenGone(object.getMetadata().getNamespace(), object.getMetadata().getName());
          }
          touch(object);
        });
  }

  private void touch(KubernetesObject object) {
    String appId = appId(object);
    if (!appId.isEmpty()) {
      listener.appTouched(id, appId);
    }
  }

  private void onEvent(CoreV1Event event) {
    String appId = appOf(event);
    if (!appId.isEmpty()) {
      listener.appTouched(id, appId);
    }
  }

  /**
   * The app an Event is about: the app label of its involved object as the informers hold it (the
   * same object: same uid when the Event names one), or "" when it is about nothing Astro manages.
   * An object that reaches its informer after its Event is no loss: its own arrival touches the
   * app.
   */
  String appOf(CoreV1Event event) {
    V1ObjectReference involved = event.getInvolvedObject();
    String namespace = event.getMetadata().getNamespace();
    if (involved == null
        || involved.getName() == null
        || !KubeNames.isUserNamespace(namespace)
        || involved.getKind() == null) {
      return "";
    }
    SharedIndexInformer<? extends KubernetesObject> informer =
        switch (involved.getKind()) {
          case "Deployment" -> deployments;
          case "ReplicaSet" -> replicaSets;
          case "Pod" -> pods;
          default -> null;
        };
    if (informer == null) {
      return "";
    }
    KubernetesObject object =
        new Lister<>(informer.getIndexer()).namespace(namespace).get(involved.getName());
    if (object == null
        || (involved.getUid() != null
            && !involved.getUid().equals(object.getMetadata().getUid()))) {
      return "";
    }
    return appId(object);
  }

  private static String appId(KubernetesObject object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    String appId = labels == null ? null : labels.get(KubeNames.APP_ID_LABEL);
    return appId == null ? "" : appId;
  }

  private void watchFailed(Class<?> type, Throwable error) {
    String informer = informerOf(type);
    String before =
        informerFailures.put(
            informer, "informer " + informer + ": list/watch failed: " + KubeErrors.summary(error));
    if (before == null) {
      LOG.warn(
          "cluster {}: informer {} list/watch failed: {}",
          id,
          informer,
          KubeErrors.describe(error));
    }
    report();
  }

  private static String informerOf(Class<?> type) {
    if (type == V1Deployment.class) {
      return "deployments";
    } else if (type == V1ReplicaSet.class) {
      return "replicasets";
    } else if (type == V1Pod.class) {
      return "pods";
    } else if (type == V1Service.class) {
      return "services";
    } else if (type == V1Ingress.class) {
      return "ingresses";
    }
    return "events";
  }

  /**
   * Tells the listener when the cluster starts or stops failing, once per change: a cluster whose
   * informer stays refused stays failed, however often {@code /version} answers.
   */
  private synchronized void report() {
    if (closed) {
      return;
    }
    String reason = failure();
    if (reason != null && !failing) {
      failing = true;
      LOG.warn("cluster {}: {}", id, reason);
      listener.unreachable(id);
    } else if (reason == null && failing) {
      failing = false;
      LOG.info("cluster {} answers again", id);
      listener.reconnected(id);
    }
  }

  // an event from an informer means it and the API server work again (a re-list replays every
  // object as an update)
  private void answered(String informer) {
    if (closed) {
      return;
    }
    boolean changed = apiFailure.getAndSet(null) != null;
    changed |= informerFailures.remove(informer) != null;
    if (changed) {
      report();
    }
  }

  @Override
  public void close() {
    closed = true;
    prober.shutdownNow();
    factory.stopAllRegisteredInformers(true);
    SharedInformerFactory certificateInformers = certificateFactory;
    if (certificateInformers != null) {
      certificateInformers.stopAllRegisteredInformers(true);
    }
    informerThreads.shutdownNow();
    for (ApiClient c : List.of(client, watchClient)) {
      c.getHttpClient().dispatcher().executorService().shutdown();
      c.getHttpClient().connectionPool().evictAll();
    }
  }

  /**
   * Routes add, update and delete alike: reconcile is level-triggered, the kind of change does not
   * matter.
   */
  private final class Handler<T extends KubernetesObject> implements ResourceEventHandler<T> {
    private final String informer;
    private final Consumer<T> touched;
    private final Consumer<T> gone;

    Handler(String informer, Consumer<T> touched, Consumer<T> gone) {
      this.informer = informer;
      this.touched = touched;
      this.gone = gone;
    }

    @Override
    public void onAdd(T object) {
      answered(informer);
      touched.accept(object);
    }

    @Override
    public void onUpdate(T before, T after) {
      answered(informer);
      touched.accept(after);
    }

    @Override
    public void onDelete(T object, boolean finalStateUnknown) {
      gone.accept(object);
    }
  }
}
