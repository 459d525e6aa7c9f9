package io.astro.testkit.kube;

import io.astro.common.kubernetes.KubeJson;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1NodeSystemInfo;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-process Kubernetes API server for tests and dev mode: the fabric8 CRUD mock (storage,
 * resource versions, watch events) behind a {@link KubeApiProxy} that makes it speak like a real
 * API server to the official client and kubectl, with a {@link KubeletSimulator} running
 * Deployments and two Ready nodes.
 *
 * <p>HTTPS with a fixed self-signed CA ({@link ApiServerCertificate}) and a bearer token per
 * cluster, both in {@link #kubeconfig()}; use {@link #apiClient()} or a client built from the
 * kubeconfig. Not supported, as by the mock: strategic merge patch, server-side apply, {@code
 * /scale}.
 *
 * <p>{@link #faults()} makes the API itself fail (error answers, unreachable) for every client but
 * the cluster's own.
 */
public final class FakeCluster implements KubeCluster {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /**
   * The mock logs every request at INFO through java.util.logging, straight to stderr. Held here
   * because JUL keeps loggers only weakly: a level set on an unreferenced logger is lost at the
   * next GC. (Never read: holding it is the point.)
   */
  @SuppressWarnings("UnusedVariable")
  private static final Logger MOCK_REQUEST_LOG = quiet(MockWebServer.class.getName());

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The mock keeps every request it served in an unbounded queue; emptied this often so dev mode
   * does not grow.
   */
  private static final long REQUEST_LOG_PURGE_MILLIS = 60_000;

  private final String name;
  private final String token = UUID.randomUUID().toString();

  /**
   * Authenticates the cluster's own client (simulator, {@link #addNode}); exempt from {@link
   * #faults()}.
   */
  private final String internalToken = UUID.randomUUID().toString();

  private final ApiTraffic traffic = new ApiTraffic();
  private final ApiFaults faults = new ApiFaults();
  private final RestrictedCredential credential = new RestrictedCredential();
  private final PodLogs logs = new PodLogs();
  private final MockWebServer mockWeb = new MockWebServer();
  private final KubernetesMockServer mock;
  private final Vertx vertx;
  private KubeApiProxy proxy;
  private String url;
  private ApiClient apiClient;

  /**
   * The cluster's own client ({@link #addNode}, the simulator), on the proxy's plain control-plane
   * port.
   */
  private ApiClient internalClient;

  private KubeletSimulator simulator;

  // fabric8 8 deprecates Serialization.jsonMapper() without a public replacement for the mock
  // server's Context (KubernetesSerialization's mapper is package-private); KubernetesMockServer's
  // own constructors pass exactly this mapper
  @SuppressWarnings("deprecation")
  private FakeCluster(String name) {
    // the control plane's clients read and write in one pass, as Astro's own do
    KubeJson.install();
    this.name = name;
    this.mock =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            mockWeb,
            new HashMap<>(),
            new IndexedCrudDispatcher(),
            false);
    this.vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
  }

  /** Starts a cluster named {@code fake-<n>}. */
  public static FakeCluster start() {
    return start("fake-" + SEQUENCE.incrementAndGet());
  }

  /**
   * Starts a cluster with this name (a DNS-label-like word: it names the kubeconfig's cluster, user
   * and context).
   */
  public static FakeCluster start(String name) {
    FakeCluster cluster = new FakeCluster(name);
    try {
      cluster.boot();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void boot() {
    mock.init(InetAddress.getLoopbackAddress(), 0);
    proxy =
        new KubeApiProxy(
            vertx, mock.getPort(), token, internalToken, logs, traffic, faults, credential);
    KubeApiProxy.Ports ports;
    try {
      ports =
          proxy
              .listen()
              .toCompletionStage()
              .toCompletableFuture()
              .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("fake cluster " + name + ": interrupted while starting", e);
    } catch (Exception e) {
      throw new IllegalStateException("fake cluster " + name + ": proxy did not start", e);
    }
    url = "https://127.0.0.1:" + ports.secure();
    apiClient = newClient();
    internalClient =
        new ClientBuilder()
            .setBasePath("http://127.0.0.1:" + ports.controlPlane())
            .setAuthentication(new AccessTokenAuthentication(internalToken))
            .setReadTimeout(Duration.ZERO)
            .build();
    vertx.setPeriodic(REQUEST_LOG_PURGE_MILLIS, id -> mockWeb.reset());
    for (String ns : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      addNamespace(ns);
    }
    addNode("node-1");
    addNode("node-2");
    simulator = new KubeletSimulator(internalClient, logs, name);
    simulator.start();
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public ApiClient apiClient() {
    return apiClient;
  }

  /**
   * A fresh client of its own (own connection pool), e.g. for a component under test that must not
   * share one.
   */
  public ApiClient newClient() {
    return new ClientBuilder()
        .setBasePath(url)
        .setCertificateAuthority(ApiServerCertificate.get().certBytes())
        .setVerifyingSsl(true)
        .setAuthentication(new AccessTokenAuthentication(token))
        .setReadTimeout(Duration.ZERO)
        .build();
  }

  /** The cluster's own client, exempt from {@link #faults()}; for the test kit's tests only. */
  ApiClient internalClient() {
    return internalClient;
  }

  @Override
  public String kubeconfig() {
    return Kubeconfigs.withToken(name, url, ApiServerCertificate.get().certBase64(), token);
  }

  public String name() {
    return name;
  }

  public KubeletSimulator simulator() {
    return simulator;
  }

  /**
   * Faults of the API itself: error answers ({@link ApiFaults#respond}) and an unreachable server
   * ({@link ApiFaults#unreachable}) for every client of this cluster except its own (simulator,
   * {@link #addNode}). {@link FakeClusterExtension} clears them after each test.
   */
  public ApiFaults faults() {
    return faults;
  }

  /**
   * The rights of every client of this cluster except its own: all allowed until a test denies
   * some. {@link FakeClusterExtension} allows everything again after each test.
   */
  public RestrictedCredential credential() {
    return credential;
  }

  /**
   * cert-manager in this cluster: not installed until a test or dev mode asks ({@link
   * CertManager#install}, {@link CertManager#ingressShim}).
   */
  public CertManager certManager() {
    return proxy.certManager();
  }

  /** Requests this cluster has served, e.g. to prove a watch streams instead of re-listing. */
  public ApiTraffic traffic() {
    return traffic;
  }

  /**
   * How long a deleted namespace shows {@code Terminating} before its objects and it are removed
   * (default 300 ms; a real cluster takes seconds).
   */
  public FakeCluster namespaceDeletionDelay(Duration delay) {
    proxy.namespaceDeletionDelay(delay);
    return this;
  }

  /** The namespaces every cluster starts with, created as the API server creates them. */
  private void addNamespace(String ns) {
    try {
      new CoreV1Api(internalClient)
          .createNamespace(
              new V1Namespace()
                  .apiVersion("v1")
                  .kind("Namespace")
                  .metadata(new V1ObjectMeta().name(ns)))
          .execute();
    } catch (ApiException e) {
      throw new IllegalStateException(
          "fake cluster "
              + name
              + ": could not create namespace "
              + ns
              + ": "
              + e.getResponseBody(),
          e);
    }
  }

  /** Adds a Ready node with 4 CPUs, 16 GiB and room for 110 pods. */
  public void addNode(String nodeName) {
    addNode(nodeName, true);
  }

  /**
   * Adds a node; a NotReady one gets no new pods and counts as unhealthy. Created, then its status
   * set as a kubelet would, through the cluster's own client (so {@link #faults()} do not hit it).
   */
  public void addNode(String nodeName, boolean ready) {
    Map<String, Quantity> capacity =
        Map.of(
            "cpu", Quantity.fromString("4"),
            "memory", Quantity.fromString("16Gi"),
            "pods", Quantity.fromString("110"),
            "ephemeral-storage", Quantity.fromString("100Gi"));
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    V1NodeStatus status =
        new V1NodeStatus()
            .capacity(capacity)
            .allocatable(capacity)
            .addresses(
                List.of(
                    new V1NodeAddress().type("InternalIP").address(Kubelet.nodeIp(nodeName)),
                    new V1NodeAddress().type("Hostname").address(nodeName)))
            .conditions(
                List.of(
                    nodeCondition("MemoryPressure", "False", "KubeletHasSufficientMemory", now),
                    nodeCondition("DiskPressure", "False", "KubeletHasNoDiskPressure", now),
                    nodeCondition("PIDPressure", "False", "KubeletHasSufficientPID", now),
                    ready
                        ? nodeCondition("Ready", "True", "KubeletReady", now)
                        : nodeCondition("Ready", "Unknown", "NodeStatusUnknown", now)))
            .nodeInfo(
                new V1NodeSystemInfo()
                    .kubeletVersion(DiscoveryDocuments.GIT_VERSION)
                    .kubeProxyVersion(DiscoveryDocuments.GIT_VERSION)
                    .containerRuntimeVersion("containerd://1.7.20")
                    .operatingSystem("linux")
                    .architecture("amd64")
                    .osImage("Astro fake node")
                    .kernelVersion("6.1.0")
                    .machineID(nodeName)
                    .systemUUID(nodeName)
                    .bootID(nodeName));
    V1Node node =
        new V1Node()
            .apiVersion("v1")
            .kind("Node")
            .metadata(
                new V1ObjectMeta()
                    .name(nodeName)
                    .labels(
                        Map.of(
                            "kubernetes.io/hostname", nodeName,
                            "kubernetes.io/os", "linux",
                            "kubernetes.io/arch", "amd64")));
    CoreV1Api core = new CoreV1Api(internalClient);
    try {
      V1Node created = core.createNode(node).execute();
      created.setStatus(status);
      core.replaceNodeStatus(nodeName, created).execute();
    } catch (ApiException e) {
      throw new IllegalStateException(
          "fake cluster "
              + name
              + ": could not add node "
              + nodeName
              + ": "
              + e.getCode()
              + " "
              + e.getResponseBody(),
          e);
    }
  }

  private static V1NodeCondition nodeCondition(
      String type, String status, String reason, OffsetDateTime at) {
    return new V1NodeCondition()
        .type(type)
        .status(status)
        .reason(reason)
        .lastHeartbeatTime(at)
        .lastTransitionTime(at);
  }

  @Override
  public void close() {
    if (simulator != null) {
      simulator.close();
    }
    shutdown(apiClient);
    shutdown(internalClient);
    try {
      if (proxy != null) {
        proxy.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // best effort: the ports are freed with the process at the latest
    }
    try {
      mock.destroy();
    } catch (IllegalStateException e) {
      // fabric8's mock gives up when its server or Vert.x take longer than its bound (10 s) to
      // close, e.g. on a loaded machine: best effort as above
    }
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.WARNING);
    return logger;
  }

  /**
   * OkHttp keeps pooled connections and dispatcher threads alive; release them with the cluster.
   */
  private static void shutdown(ApiClient client) {
    if (client != null) {
      client.getHttpClient().dispatcher().executorService().shutdown();
      client.getHttpClient().connectionPool().evictAll();
    }
  }
}
