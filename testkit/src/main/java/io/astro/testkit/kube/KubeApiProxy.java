package io.astro.testkit.kube;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP front of a {@link FakeCluster}: makes the fabric8 CRUD mock behind it look like a real
 * API server to the official client and kubectl.
 *
 * <ul>
 *   <li>Watches: the mock streams watch events only over WebSocket, while the official client (and
 *       kubectl) watch with a plain streaming GET. For {@code ?watch=true|1} the proxy opens the
 *       WebSocket to the mock and writes each text message as one line of a chunked 200 response —
 *       exactly the real wire format — minus the mock's replay of objects older than the requested
 *       resourceVersion.
 *   <li>Discovery, {@code /version} and the OpenAPI documents ({@code /openapi/v3}, {@code
 *       /openapi/v2} as JSON): served from {@link DiscoveryDocuments}.
 *   <li>{@code pods/{name}/log}: served from the simulator's {@link PodLogs} (the mock would return
 *       the pod).
 *   <li>PUT of an object keeps its stored status, as status is a subresource on a real server.
 *   <li>DELETE: the mock answers with the deleted object; a real server answers with a {@code
 *       Status} for every kind except Pod and Service, which is what the official client parses it
 *       as (an object becomes an empty {@code V1Status}), so it is rewritten.
 *   <li>HTTPS ({@link ApiServerCertificate}) with bearer-token authentication, so code that forgets
 *       its CA or its credentials fails here as it would in production. The cluster's own control
 *       plane (the simulator, {@code addNode}) talks plain HTTP to a second loopback port that
 *       takes its token alone, as control-plane components once used the API server's insecure
 *       localhost port: the same handling, without a TLS session per request on either side.
 *   <li>{@link ApiFaults}: injected error answers and an unreachable server, for every client
 *       except the cluster's own (the simulator's), which authenticates with a second, exempt
 *       token.
 * </ul>
 */
final class KubeApiProxy {

  private static final String HOST = "127.0.0.1";
  private static final Pattern POD_LOG =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/log$");
  private static final Pattern POD_EVICTION =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction$");
  private static final Pattern WATCH_ONE = Pattern.compile("(^|&)watch=1(&|$)");

  /** How the mock words a create of an existing object: {@code Kind 'name' already exists}. */
  private static final Pattern MOCK_EXISTS = Pattern.compile("'([^']*)' already exists");

  /**
   * Why a write at a stale resourceVersion is refused, in the mock's words and a real server's
   * (apiserver/pkg/registry/generic/registry/store.go {@code OptimisticLockErrorMsg}).
   */
  private static final String OPTIMISTIC_LOCK =
      "the object has been modified; please apply your changes to the latest version and try again";

  private static final Set<String> HEALTH_PATHS = Set.of("/healthz", "/livez", "/readyz");

  /**
   * Kinds whose DELETE returns the object on a real server: their registry sets {@code
   * ReturnDeletedObject} (pkg/registry/core/{pod,service,resourcequota,serviceaccount}/storage),
   * and the official client's delete methods for them return the object.
   */
  private static final Set<String> DELETE_RETURNS_OBJECT =
      Set.of("Pod", "Service", "ResourceQuota", "ServiceAccount");

  /** Hop-by-hop and framing headers: never forwarded, each side sets its own. */
  private static final Set<String> NOT_FORWARDED =
      Set.of(
          "connection",
          "keep-alive",
          "transfer-encoding",
          "upgrade",
          "proxy-connection",
          "te",
          "trailer",
          "content-length",
          "host");

  private final Vertx vertx;
  private final int mockPort;
  private final String token;

  /**
   * The cluster's own token (simulator, addNode): accepted like {@link #token}, never hit by {@link
   * ApiFaults}.
   */
  private final String internalToken;

  private final PodLogs logs;
  private final ApiTraffic traffic;
  private final ApiFaults faults;
  private final RestrictedCredential credential;

  /**
   * Open connections of clients other than the cluster's own: closed when the cluster becomes
   * unreachable.
   */
  private final Set<HttpConnection> clientConnections = ConcurrentHashMap.newKeySet();

  private final HttpClientAgent http;
  private final MockStore store;
  private final Evictions evictions;
  private final NamespaceLifecycle namespaces;

  /** Per namespace: the tail of its serialized pod admissions and quota status writes. */
  private final Map<String, Future<Void>> quotaQueues = new ConcurrentHashMap<>();

  /** The next Service cluster IP to hand out, as the API server's allocator would. */
  private final AtomicInteger nextClusterIp = new AtomicInteger(10);

  private final WebSocketClient webSockets;
  private final CertManager certManager;
  private volatile HttpServer server;
  private volatile HttpServer controlPlaneServer;
  private volatile DiscoveryDocuments discovery;

  KubeApiProxy(
      Vertx vertx,
      int mockPort,
      String token,
      String internalToken,
      PodLogs logs,
      ApiTraffic traffic,
      ApiFaults faults,
      RestrictedCredential credential) {
    this.vertx = vertx;
    this.credential = credential;
    this.mockPort = mockPort;
    this.token = token;
    this.internalToken = internalToken;
    this.logs = logs;
    this.traffic = traffic;
    this.faults = faults;
    faults.onUnreachable(this::cutClientConnections);
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions().setDefaultHost(HOST).setDefaultPort(mockPort),
            new PoolOptions().setHttp1MaxSize(32));
    this.store = new MockStore(http, HOST, mockPort);
    this.namespaces = new NamespaceLifecycle(vertx, store);
    this.evictions = new Evictions(store);
    this.certManager =
        new CertManager(
            vertx,
            store,
            installed ->
                discovery = new DiscoveryDocuments(HOST + ":" + server.actualPort(), installed));
    // One WebSocket per open watch; informers of several test services can hold many at once.
    this.webSockets =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(1000)
                .setMaxFrameSize(16 * 1024 * 1024)
                .setMaxMessageSize(64 * 1024 * 1024));
  }

  /** cert-manager in this cluster: absent until installed. */
  CertManager certManager() {
    return certManager;
  }

  /** How long a deleted namespace stays Terminating before its content and it are removed. */
  void namespaceDeletionDelay(Duration delay) {
    namespaces.delay(delay);
  }

  /** The loopback ports the proxy listens on. */
  record Ports(int secure, int controlPlane) {}

  /** Starts listening on two free loopback ports and completes with them. */
  Future<Ports> listen() {
    HttpServerOptions tls =
        new HttpServerOptions()
            .setSsl(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(ApiServerCertificate.get().certPem))
                    .setKeyValue(Buffer.buffer(ApiServerCertificate.get().keyPem)));
    Future<HttpServer> secure =
        vertx.createHttpServer(tls).requestHandler(req -> handle(req, false)).listen(0, HOST);
    Future<HttpServer> plain =
        vertx.createHttpServer().requestHandler(req -> handle(req, true)).listen(0, HOST);
    return Future.all(secure, plain)
        .map(
            started -> {
              server = secure.result();
              controlPlaneServer = plain.result();
              discovery =
                  new DiscoveryDocuments(HOST + ":" + server.actualPort(), certManager.installed());
              return new Ports(server.actualPort(), controlPlaneServer.actualPort());
            });
  }

  Future<Void> close() {
    return Future.join(close(server), close(controlPlaneServer), http.close(), webSockets.close())
        .mapEmpty();
  }

  private static Future<Void> close(HttpServer s) {
    return s == null ? Future.succeededFuture() : s.close();
  }

  /**
   * One request, from either port: the control-plane port serves the cluster's own token alone, so
   * a client that has only the cluster's kubeconfig cannot bypass TLS there.
   */
  private void handle(HttpServerRequest req, boolean controlPlanePort) {
    String authorization = req.getHeader(HttpHeaders.AUTHORIZATION);
    boolean internal = ("Bearer " + internalToken).equals(authorization);
    if (controlPlanePort && !internal) {
      sendStatus(req.response(), 401, "Unauthorized", "Unauthorized");
      return;
    }
    if (!internal) {
      if (faults.isUnreachable()) {
        // Unreachable: nothing is answered, nothing counted as served.
        faults.countDropped();
        req.connection().close();
        return;
      }
      track(req.connection());
    }
    String path = req.path();
    boolean watch = isWatch(req);
    if (!watch) {
      String method = req.method().name();
      traffic.request(method, path);
      HttpServerResponse response = req.response();
      response.headersEndHandler(v -> traffic.answered(method, path, response.getStatusCode()));
    }
    if (!internal && !("Bearer " + token).equals(authorization)) {
      sendStatus(req.response(), 401, "Unauthorized", "Unauthorized");
      return;
    }
    if (!internal && !watch) {
      OptionalInt injected = faults.answer(req.method().name(), path);
      if (injected.isPresent()) {
        if (injected.getAsInt() != ApiFaults.NO_ANSWER) {
          answerInjected(req, injected.getAsInt());
        }
        // a hung request is never answered: the connection stays open until the client hangs up
        return;
      }
    }
    if (!internal && AccessReviews.handles(req)) {
      AccessReviews.answer(req, credential);
      return;
    }
    if (!internal) {
      Optional<JsonObject> forbidden =
          RequestAttributes.of(req.method().name(), path, watch).flatMap(credential::forbidden);
      if (forbidden.isPresent()) {
        req.response()
            .setStatusCode(403)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(forbidden.get().encode());
        return;
      }
    }
    if (path.startsWith("/apis/" + DiscoveryDocuments.CERT_MANAGER_GROUP + "/")
        || path.equals("/apis/" + DiscoveryDocuments.CERT_MANAGER_GROUP)) {
      if (!certManager.installed()) {
        // no CRD, no such API: what any server answers for a group it does not serve
        sendStatus(
            req.response(), 404, "NotFound", "the server could not find the requested resource");
        return;
      }
      Optional<ApiPath> api = ApiPath.parse(path);
      if (HttpMethod.POST.equals(req.method())
          && api.isPresent()
          && api.get().namespace() == null
          && api.get().name() == null) {
        // Certificates are namespaced: the API server registers no create across namespaces
        sendStatus(
            req.response(),
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource");
        return;
      }
    }
    EventFieldSelector selector = null;
    if (HttpMethod.GET.equals(req.method())
        && EventFieldSelector.applies(path, req.getParam("fieldSelector"))) {
      try {
        selector = EventFieldSelector.parse(path, req.getParam("fieldSelector"));
      } catch (IllegalArgumentException e) {
        sendStatus(req.response(), 400, "BadRequest", e.getMessage());
        return;
      }
    }
    if (HttpMethod.GET.equals(req.method())) {
      Optional<String> document = discovery.at(path);
      if (document.isPresent()
          && path.equals(DiscoveryDocuments.OPENAPI_V2)
          && !acceptsJson(req.getHeader(HttpHeaders.ACCEPT))) {
        sendStatus(
            req.response(),
            406,
            "NotAcceptable",
            "only the following media types are accepted: application/json");
        return;
      }
      if (document.isPresent()) {
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(document.get());
        return;
      }
      if (HEALTH_PATHS.contains(path)) {
        req.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("ok");
        return;
      }
      Matcher log = POD_LOG.matcher(path);
      if (log.matches()) {
        podLog(req, log.group(1), log.group(2));
        return;
      }
      if (watch) {
        bridgeWatch(req, internal, selector);
        return;
      }
    }
    if (HttpMethod.POST.equals(req.method())) {
      Matcher eviction = POD_EVICTION.matcher(path);
      if (eviction.matches()) {
        evict(req, eviction.group(1), eviction.group(2));
        return;
      }
    }
    if (HttpMethod.DELETE.equals(req.method())) {
      Optional<ApiPath> api = ApiPath.parse(path);
      if (api.isPresent()
          && api.get().resource().equals("namespaces")
          && api.get().namespace() == null
          && api.get().name() != null
          && api.get().subresource() == null) {
        deleteNamespace(req, api.get().name());
        return;
      }
    }
    forward(req, selector);
  }

  private void evict(HttpServerRequest req, String namespace, String pod) {
    req.body()
        .compose(
            body -> {
              JsonObject eviction;
              try {
                eviction = body.length() == 0 ? new JsonObject() : body.toJsonObject();
              } catch (DecodeException | ClassCastException e) {
                return Future.succeededFuture(
                    StatusBodies.badRequest("the body is not an Eviction: " + e.getMessage()));
              }
              return evictions.evict(namespace, pod, eviction);
            })
        .onComplete(
            done -> {
              if (done.succeeded()) {
                sendJson(req.response(), done.result());
              } else {
                sendStatus(req.response(), 500, "InternalError", done.cause().getMessage());
              }
            });
  }

  private void deleteNamespace(HttpServerRequest req, String name) {
    req.body()
        .compose(ignored -> namespaces.delete(name))
        .onComplete(
            ar -> {
              HttpServerResponse resp = req.response();
              if (ar.failed()) {
                sendStatus(resp, 503, "ServiceUnavailable", "fake API server: " + ar.cause());
              } else if ("Status".equals(ar.result().getString("kind"))) {
                sendJson(resp, ar.result());
              } else {
                // a namespace DELETE answers the Namespace, now Terminating (as kubectl shows it)
                resp.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(ar.result().toBuffer());
              }
            });
  }

  private void track(HttpConnection connection) {
    if (clientConnections.add(connection)) {
      connection.closeHandler(v -> clientConnections.remove(connection));
    }
  }

  /**
   * Closes every open client connection (not the cluster's own), open watches and in-flight
   * requests included.
   */
  private Future<Void> cutClientConnections() {
    List<Future<Void>> closing = clientConnections.stream().map(HttpConnection::close).toList();
    return Future.join(closing).transform(ar -> Future.succeededFuture());
  }

  /**
   * An {@link ApiFaults#respond} answer, after reading the request body as a server would before
   * answering.
   */
  private static void answerInjected(HttpServerRequest req, int status) {
    String reason = ApiFaults.reason(status);
    String message =
        "injected by the fake cluster: "
            + status
            + (reason.isEmpty() ? "" : " " + reason)
            + " for "
            + req.method().name()
            + " "
            + req.path();
    req.body()
        .onComplete(
            ar -> {
              HttpServerResponse resp = req.response();
              if (resp.closed() || resp.ended()) {
                return;
              }
              JsonObject body =
                  new JsonObject()
                      .put("kind", "Status")
                      .put("apiVersion", "v1")
                      .put("metadata", new JsonObject())
                      .put("status", "Failure")
                      .put("message", message);
              if (!reason.isEmpty()) {
                body.put("reason", reason);
              }
              if (status == 429) {
                resp.putHeader("Retry-After", "1");
                body.put("details", new JsonObject().put("retryAfterSeconds", 1));
              }
              body.put("code", status);
              resp.setStatusCode(status)
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                  .end(body.encode());
            });
  }

  private static boolean acceptsJson(String accept) {
    return accept == null
        || accept.isEmpty()
        || accept.contains("application/json")
        || accept.contains("*/*");
  }

  private static boolean isWatch(HttpServerRequest req) {
    String w = req.getParam("watch");
    return "true".equals(w) || "1".equals(w);
  }

  private void forward(HttpServerRequest req, EventFieldSelector selector) {
    HttpServerResponse resp = req.response();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    req.headers()
        .forEach(
            h -> {
              if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                headers.add(h.getKey(), h.getValue());
              }
            });
    Optional<ApiPath> api = ApiPath.parse(req.path());
    // reads change no quota: they neither wait in the queue nor refresh quota status
    boolean write = !HttpMethod.GET.equals(req.method()) && !HttpMethod.HEAD.equals(req.method());
    String quotaNamespace = write ? api.flatMap(this::quotaNamespace).orElse(null) : null;
    // read the body now: a request queued behind another would otherwise lose it
    Future<Buffer> requestBody = req.body();
    java.util.function.Supplier<Future<Void>> work =
        () ->
            requestBody
                // the mutating-webhook fault acts before validation, as webhooks do
                .map(body -> faults.admit(req.method().name(), req.path(), body))
                .compose(body -> admit(req, api, body))
                .compose(
                    admitted -> {
                      if (admitted.refusal() != null) {
                        return Future.succeededFuture(
                            new Answer(false, () -> sendJson(resp, admitted.refusal())));
                      }
                      // the mock keeps a merge patch's nulls as values; RFC 7386 removes those
                      // keys: the merged object is stored whole instead
                      boolean replace = admitted.patched() != null && removesKeys(admitted.body());
                      if (replace) {
                        headers.set(HttpHeaders.CONTENT_TYPE, "application/json");
                      }
                      return http.request(
                              new RequestOptions()
                                  .setMethod(replace ? HttpMethod.PUT : req.method())
                                  .setHost(HOST)
                                  .setPort(mockPort)
                                  .setURI(
                                      selector == null
                                          ? req.uri()
                                          : req.path()
                                              + "?"
                                              + EventFieldSelector.withoutSelector(req.query()))
                                  .setHeaders(headers))
                          .compose(
                              up ->
                                  replace
                                      ? up.send(admitted.patched().toBuffer())
                                      : admitted.body().length() == 0
                                          ? up.send()
                                          : up.send(admitted.body()))
                          .compose(
                              up ->
                                  up.body()
                                      .map(
                                          body -> {
                                            boolean removed =
                                                body.length() == 0
                                                    && (up.statusCode() == 200
                                                        || up.statusCode() == 202)
                                                    && (HttpMethod.PUT.equals(req.method())
                                                        || HttpMethod.PATCH.equals(req.method()));
                                            Buffer written =
                                                removed ? admitted.written(req.method()) : body;
                                            if (removed && written.length() > 0) {
                                              return new Answer(
                                                  true,
                                                  () ->
                                                      resp.setStatusCode(200)
                                                          .putHeader(
                                                              HttpHeaders.CONTENT_TYPE,
                                                              "application/json")
                                                          .end(written));
                                            }
                                            return new Answer(
                                                up.statusCode() < 300,
                                                () ->
                                                    relay(
                                                        req,
                                                        up,
                                                        selector == null || up.statusCode() != 200
                                                            ? body
                                                            : selector.filterList(body)));
                                          }));
                    })
                .compose(
                    answer ->
                        // the ResourceQuota admission counts a create in the quota's status before
                        // the object is stored: a client that reads the quota after the answer
                        // finds the create counted
                        (answer.changed() && quotaNamespace != null
                                ? refreshQuotas(
                                    quotaNamespace, !api.get().resource().equals("pods"))
                                : Future.<Void>succeededFuture())
                            .map(answer))
                .onSuccess(
                    answer -> {
                      answer.send().run();
                      if (answer.changed()
                          && write
                          && api.isPresent()
                          && api.get().resource().equals("ingresses")
                          && api.get().namespace() != null) {
                        certManager.ingressChanged(api.get().namespace());
                      }
                    })
                .<Void>mapEmpty()
                .onFailure(
                    err -> {
                      if (!resp.ended()) {
                        sendStatus(
                            resp,
                            503,
                            "ServiceUnavailable",
                            "fake API server: " + err.getMessage());
                      }
                    });
    if (quotaNamespace == null) {
      var unused = work.get(); // failures answered above
    } else {
      // pod admissions and quota writes of one namespace run one at a time, so two creates
      // cannot both fit under a quota that has room for one (the real server uses the quota's
      // resourceVersion for the same)
      quotaQueues.compute(
          quotaNamespace,
          (ns, tail) ->
              (tail == null ? Future.<Void>succeededFuture() : tail)
                  .eventually(() -> work.get().otherwiseEmpty()));
    }
  }

  /**
   * The namespace whose quota status this write can change (pods created, deleted or their phase
   * written; Secrets created or deleted; quotas created or replaced), if any.
   */
  private Optional<String> quotaNamespace(ApiPath api) {
    if (api.namespace() == null) {
      return Optional.empty();
    }
    boolean pods = api.resource().equals("pods");
    boolean counted =
        (api.resource().equals("resourcequotas") || api.resource().equals("secrets"))
            && api.subresource() == null;
    return pods || counted ? Optional.of(api.namespace()) : Optional.empty();
  }

  private Future<Void> refreshQuotas(String ns, boolean recountSecrets) {
    String base = "/api/v1/namespaces/" + ns;
    return store
        .list(base + "/resourcequotas")
        .compose(
            quotas ->
                quotas.isEmpty()
                    ? Future.succeededFuture()
                    : Future.all(
                            store.list(base + "/pods"), secretCount(base, quotas, recountSecrets))
                        .compose(
                            both -> {
                              List<JsonObject> pods = both.resultAt(0);
                              int secrets = both.resultAt(1);
                              List<Future<?>> writes = new java.util.ArrayList<>();
                              for (JsonObject quota : quotas) {
                                JsonObject status = QuotaAdmission.status(quota, pods, secrets);
                                if (!status.equals(quota.getJsonObject("status"))) {
                                  quota.put("status", status);
                                  writes.add(
                                      store.send(
                                          HttpMethod.PUT,
                                          base
                                              + "/resourcequotas/"
                                              + quota.getJsonObject("metadata").getString("name")
                                              + "/status",
                                          quota));
                                }
                              }
                              return Future.join(writes);
                            }))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /**
   * The namespace's Secrets when one of its quotas counts them (else 0): listed for a Secret or
   * quota write, else as that quota's status last counted them (pod writes leave the count as it
   * is, and a list for each would be most of what they cost the sandbox).
   */
  private Future<Integer> secretCount(String base, List<JsonObject> quotas, boolean recount) {
    Optional<JsonObject> counting = quotas.stream().filter(QuotaAdmission::countsSecrets).findAny();
    if (counting.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Optional<Integer> counted =
        recount ? Optional.empty() : QuotaAdmission.secretsCounted(counting.get());
    return counted.isPresent()
        ? Future.succeededFuture(counted.get())
        : store.list(base + "/secrets").map(List::size);
  }

  /** What the mock made of a request (whether it changed anything), and how to answer it. */
  private record Answer(boolean changed, Runnable send) {}

  /**
   * A write as admitted: the body to store, or the refusal to answer with; for a merge patch also
   * the object it makes (a PUT's body is that object).
   */
  private record Admitted(Buffer body, JsonObject refusal, JsonObject patched) {
    static Admitted pass(Buffer body) {
      return new Admitted(body, null, null);
    }

    static Admitted patch(Buffer body, JsonObject patched) {
      return new Admitted(body, null, patched);
    }

    static Admitted refuse(JsonObject status) {
      return new Admitted(null, status, null);
    }

    /**
     * What a real server answers for a write the mock acknowledged with no body: it removes an
     * object marked for deletion whose last finalizer the write took away, where a real server
     * answers the object as written (and then deletes it).
     */
    Buffer written(HttpMethod method) {
      if (patched != null) {
        return patched.toBuffer();
      }
      return HttpMethod.PUT.equals(method) ? body : Buffer.buffer();
    }
  }

  /**
   * The API server's steps between decoding a write and storing it: defaulting, admission
   * (NamespaceLifecycle, LimitRanger, ResourceQuota) and validation, each answering with the Status
   * a real server sends.
   */
  private Future<Admitted> admit(HttpServerRequest req, Optional<ApiPath> api, Buffer body) {
    if (api.isEmpty() || body.length() == 0) {
      return Future.succeededFuture(Admitted.pass(body));
    }
    ApiPath path = api.get();
    JsonObject object;
    try {
      object = body.toJsonObject();
    } catch (DecodeException | ClassCastException notAnObject) {
      return Future.succeededFuture(Admitted.pass(body));
    }
    HttpMethod method = req.method();
    if (HttpMethod.POST.equals(method) && path.name() == null) {
      return admitCreate(path, object);
    }
    if (path.name() == null) {
      return Future.succeededFuture(Admitted.pass(body));
    }
    if (HttpMethod.PUT.equals(method)) {
      return path.subresource() == null
          ? admitReplace(path, object)
          : Future.succeededFuture(Admitted.pass(body));
    }
    if (HttpMethod.PATCH.equals(method)
        && path.subresource() == null
        && String.valueOf(req.getHeader(HttpHeaders.CONTENT_TYPE))
            .startsWith("application/merge-patch+json")) {
      return store
          .get(req.path())
          .map(
              stored -> {
                if (stored == null || path.kind() == null) {
                  return Admitted.pass(body);
                }
                JsonObject merged = mergePatch(stored.copy(), object);
                JsonObject refusal = refusal(path, merged, stored);
                return refusal == null ? Admitted.patch(body, merged) : Admitted.refuse(refusal);
              });
    }
    return Future.succeededFuture(Admitted.pass(body));
  }

  private Future<Admitted> admitCreate(ApiPath path, JsonObject object) {
    JsonObject meta = object.getJsonObject("metadata", new JsonObject());
    String name = meta.getString("name", meta.getString("generateName", ""));
    if (path.namespace() != null
        && meta.getString("namespace") != null
        && !path.namespace().equals(meta.getString("namespace"))) {
      return Future.succeededFuture(
          Admitted.refuse(
              StatusBodies.badRequest(
                  "the namespace of the provided object does not match the namespace sent on the"
                      + " request")));
    }
    Future<Optional<JsonObject>> lifecycle =
        path.namespace() == null
            ? Future.succeededFuture(Optional.empty())
            : namespaces.admitCreate(path, name);
    return lifecycle.compose(
        refused -> {
          if (refused.isPresent()) {
            return Future.succeededFuture(Admitted.refuse(refused.get()));
          }
          String kind = path.kind();
          if (kind == null) {
            return Future.succeededFuture(Admitted.pass(object.toBuffer()));
          }
          if (!object.containsKey("kind")) {
            object.put("kind", kind);
          }
          defaultOnCreate(kind, object);
          JsonObject refusal = refusal(path, object, null);
          if (refusal != null) {
            return Future.succeededFuture(Admitted.refuse(refusal));
          }
          return switch (kind) {
            case "Pod" -> admitPod(path, name, object);
            case "Secret" -> admitSecret(path, name, object);
            default -> Future.succeededFuture(Admitted.pass(object.toBuffer()));
          };
        });
  }

  /** Where the sandbox's Ingresses say they are served ({@code status.loadBalancer.ingress}). */
  public static final String INGRESS_ADDRESS = "127.0.0.1";

  /** Defaults a real server fills in on create. */
  private void defaultOnCreate(String kind, JsonObject object) {
    if ("Namespace".equals(kind)) {
      object.put("status", new JsonObject().put("phase", "Active"));
      // pkg/registry/core/namespace/strategy.go PrepareForCreate
      object.put(
          "spec",
          new JsonObject().put("finalizers", new io.vertx.core.json.JsonArray().add("kubernetes")));
    }
    if ("Ingress".equals(kind)) {
      // the sandbox's ingress controller: it answers on this machine, and says so in the status
      // a real controller writes once it serves the Ingress (kept by every later PUT)
      object.put(
          "status",
          new JsonObject()
              .put(
                  "loadBalancer",
                  new JsonObject()
                      .put(
                          "ingress",
                          new io.vertx.core.json.JsonArray()
                              .add(new JsonObject().put("ip", INGRESS_ADDRESS)))));
    }
    if ("Service".equals(kind)) {
      JsonObject spec = object.getJsonObject("spec", new JsonObject());
      String ip = spec.getString("clusterIP");
      if (!"ExternalName".equals(spec.getString("type")) && (ip == null || ip.isEmpty())) {
        int n = nextClusterIp.getAndIncrement();
        String allocated = "10.96." + (n / 250) + "." + (n % 250 + 1);
        spec.put("clusterIP", allocated)
            .put("clusterIPs", new io.vertx.core.json.JsonArray().add(allocated));
        object.put("spec", spec);
      }
    }
  }

  private Future<Admitted> admitPod(ApiPath path, String name, JsonObject pod) {
    String base = "/api/v1/namespaces/" + path.namespace();
    return store
        .list(base + "/limitranges")
        .compose(
            limitRanges -> {
              JsonObject defaulted = QuotaAdmission.withDefaults(pod, limitRanges);
              Optional<String> limited = QuotaAdmission.limitRangeViolation(defaulted, limitRanges);
              if (limited.isPresent()) {
                return Future.succeededFuture(
                    Admitted.refuse(StatusBodies.forbidden("", "pods", name, limited.get(), null)));
              }
              // the validating plugins in the API server's order: LimitRanger, PodSecurity,
              // ResourceQuota
              return store
                  .get(base)
                  .compose(namespace -> admitPodSecurity(base, name, defaulted, namespace));
            });
  }

  private Future<Admitted> admitPodSecurity(
      String base, String name, JsonObject defaulted, JsonObject namespace) {
    Map<String, Object> labels =
        namespace == null
            ? Map.of()
            : ObjectValidation.map(namespace.getJsonObject("metadata", new JsonObject()), "labels");
    Optional<String> insecure = PodSecurityAdmission.admit(defaulted, labels);
    if (insecure.isPresent()) {
      return Future.succeededFuture(
          Admitted.refuse(StatusBodies.forbidden("", "pods", name, insecure.get(), null)));
    }
    return store
        .list(base + "/resourcequotas")
        .compose(
            quotas ->
                (quotas.isEmpty()
                        ? Future.succeededFuture(List.<JsonObject>of())
                        : store.list(base + "/pods"))
                    .map(
                        pods ->
                            QuotaAdmission.admit(defaulted, quotas, pods)
                                .map(
                                    why ->
                                        Admitted.refuse(
                                            StatusBodies.forbidden("", "pods", name, why, null)))
                                .orElse(Admitted.pass(defaulted.toBuffer()))));
  }

  /** The ResourceQuota plugin on a Secret create: one more against each quota counting them. */
  private Future<Admitted> admitSecret(ApiPath path, String name, JsonObject secret) {
    String base = "/api/v1/namespaces/" + path.namespace();
    return store
        .list(base + "/resourcequotas")
        .compose(
            quotas ->
                secretCount(base, quotas, true)
                    .map(
                        secrets ->
                            QuotaAdmission.admitSecret(quotas, secrets)
                                .map(
                                    why ->
                                        Admitted.refuse(
                                            StatusBodies.forbidden("", "secrets", name, why, null)))
                                .orElse(Admitted.pass(secret.toBuffer()))));
  }

  private Future<Admitted> admitReplace(ApiPath path, JsonObject object) {
    String urlName = path.name();
    String bodyName = object.getJsonObject("metadata", new JsonObject()).getString("name");
    if (bodyName != null && !bodyName.equals(urlName)) {
      return Future.succeededFuture(
          Admitted.refuse(
              StatusBodies.badRequest(
                  "the name of the object ("
                      + bodyName
                      + ") does not match the name on the URL ("
                      + urlName
                      + ")")));
    }
    return store
        .get(path.objectPath(urlName))
        .map(
            stored -> {
              if (stored == null) {
                return Admitted.pass(object.toBuffer());
              }
              // status is a subresource, deletionTimestamp the server's own: a PUT keeps both
              if (stored.containsKey("status")) {
                object.put("status", stored.getValue("status"));
              }
              String deletion =
                  stored.getJsonObject("metadata", new JsonObject()).getString("deletionTimestamp");
              if (deletion != null && object.getJsonObject("metadata") != null) {
                object.getJsonObject("metadata").put("deletionTimestamp", deletion);
              }
              String kind = path.kind();
              if (kind == null) {
                return Admitted.pass(object.toBuffer());
              }
              if (!object.containsKey("kind")) {
                object.put("kind", kind);
              }
              if ("Service".equals(kind)) {
                keepClusterIp(object, stored);
              }
              if ("Namespace".equals(kind) && deletion != null) {
                NamespaceLifecycle.keepHold(object, stored);
              }
              JsonObject refusal = refusal(path, object, stored);
              return refusal == null ? Admitted.pass(object.toBuffer()) : Admitted.refuse(refusal);
            });
  }

  /**
   * An update that omits the allocated cluster IP keeps it (the Service REST's
   * patchAllocatedValues).
   */
  private static void keepClusterIp(JsonObject object, JsonObject stored) {
    JsonObject oldSpec = stored.getJsonObject("spec", new JsonObject());
    JsonObject spec = object.getJsonObject("spec");
    if (spec == null || oldSpec.getString("clusterIP") == null) {
      return;
    }
    String ip = spec.getString("clusterIP");
    if (ip == null || ip.isEmpty()) {
      spec.put("clusterIP", oldSpec.getString("clusterIP"));
      if (oldSpec.getValue("clusterIPs") != null) {
        spec.put("clusterIPs", oldSpec.getValue("clusterIPs"));
      }
    }
  }

  /** The 400 or 422 a real server answers for this object, or null when it is valid. */
  private static JsonObject refusal(ApiPath path, JsonObject object, JsonObject old) {
    if (!object.containsKey("kind") && path.kind() != null) {
      object.put("kind", path.kind());
    }
    Optional<String> decode = ObjectValidation.decodeError(object);
    if (decode.isPresent()) {
      return StatusBodies.badRequest(decode.get());
    }
    List<FieldError> errors = ObjectValidation.validate(object, old);
    if (errors.isEmpty()) {
      return null;
    }
    JsonObject meta = object.getJsonObject("metadata", new JsonObject());
    String name = meta.getString("name", meta.getString("generateName", ""));
    return StatusBodies.invalid(path.group(), object.getString("kind"), name, errors);
  }

  /** Whether a merge patch removes a key (a null value anywhere in it). */
  private static boolean removesKeys(Buffer patch) {
    try {
      return hasNull(patch.toJsonObject());
    } catch (DecodeException | ClassCastException e) {
      return false;
    }
  }

  private static boolean hasNull(JsonObject object) {
    for (String key : object.fieldNames()) {
      Object value = object.getValue(key);
      if (value == null || (value instanceof JsonObject child && hasNull(child))) {
        return true;
      }
    }
    return false;
  }

  /** RFC 7386 JSON merge patch. */
  private static JsonObject mergePatch(JsonObject target, JsonObject patch) {
    for (String key : patch.fieldNames()) {
      Object value = patch.getValue(key);
      if (value == null) {
        target.remove(key);
      } else if (value instanceof JsonObject p && target.getValue(key) instanceof JsonObject t) {
        mergePatch(t, p);
      } else {
        target.put(key, value instanceof JsonObject p ? mergePatch(new JsonObject(), p) : value);
      }
    }
    return target;
  }

  private static void sendJson(HttpServerResponse resp, JsonObject status) {
    if (resp.ended() || resp.closed()) {
      return;
    }
    resp.setStatusCode(status.getInteger("code"))
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(status.encode());
  }

  private void relay(HttpServerRequest req, HttpClientResponse up, Buffer body) {
    HttpServerResponse resp = req.response();
    resp.setStatusCode(up.statusCode());
    up.headers()
        .forEach(
            h -> {
              if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                resp.headers().add(h.getKey(), h.getValue());
              }
            });
    Optional<ApiPath> api = ApiPath.parse(req.path());
    if (up.statusCode() == 404
        && body.length() == 0
        && api.isPresent()
        && api.get().name() != null
        && api.get().subresource() == null) {
      // the mock answers a missing object with an empty 404; a real server names it
      JsonObject status =
          StatusBodies.notFound(api.get().group(), api.get().resource(), api.get().name());
      resp.headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
      resp.end(status.toBuffer());
    } else if (HttpMethod.POST.equals(req.method())
        && up.statusCode() == 409
        && api.isPresent()
        && api.get().name() == null) {
      // the mock's own 409 body; a real server answers AlreadyExists naming the object
      Matcher exists = MOCK_EXISTS.matcher(body.toString());
      String name = exists.find() ? exists.group(1) : "";
      resp.headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
      resp.end(
          StatusBodies.alreadyExists(api.get().group(), api.get().resource(), name).toBuffer());
    } else if (up.statusCode() == 409
        && api.isPresent()
        && api.get().name() != null
        && body.toString().contains(OPTIMISTIC_LOCK)) {
      // the mock refuses a write at a stale resourceVersion with reason Invalid; a real server
      // answers Conflict naming the object
      resp.headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
      resp.end(
          StatusBodies.conflict(
                  api.get().group(), api.get().resource(), api.get().name(), OPTIMISTIC_LOCK)
              .toBuffer());
    } else if (HttpMethod.DELETE.equals(req.method()) && up.statusCode() == 200) {
      resp.end(deleteAnswer(req.path(), body));
    } else {
      resp.end(body);
    }
  }

  /** What a real server answers for a successful DELETE of this object. */
  private static Buffer deleteAnswer(String path, Buffer body) {
    JsonObject object;
    try {
      object = body.toJsonObject();
    } catch (DecodeException notJson) {
      return body;
    }
    JsonObject meta = object.getJsonObject("metadata");
    String kind = object.getString("kind");
    if (meta == null
        || meta.getString("name") == null
        || kind == null
        || kind.equals("Status")
        || DELETE_RETURNS_OBJECT.contains(kind)) {
      return body;
    }
    String apiVersion = object.getString("apiVersion", "v1");
    String[] segments = path.split("/");
    JsonObject details =
        new JsonObject()
            .put("name", meta.getString("name"))
            .put(
                "group",
                apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "")
            .put("kind", segments[segments.length - 2])
            .put("uid", meta.getString("uid"));
    return new JsonObject()
        .put("kind", "Status")
        .put("apiVersion", "v1")
        .put("metadata", new JsonObject())
        .put("status", "Success")
        .put("details", details)
        .toBuffer();
  }

  private void bridgeWatch(HttpServerRequest req, boolean internal, EventFieldSelector selector) {
    HttpServerResponse resp = req.response();
    Context context = vertx.getOrCreateContext();
    String query =
        WATCH_ONE
            .matcher(
                selector == null ? req.query() : EventFieldSelector.withoutSelector(req.query()))
            .replaceAll("$1watch=true$2");
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(HOST)
            .setPort(mockPort)
            .setURI(req.path() + "?" + query);
    webSockets
        .connect(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                sendStatus(
                    resp,
                    503,
                    "ServiceUnavailable",
                    "fake API server: watch failed: " + ar.cause().getMessage());
                return;
              }
              WebSocket socket = ar.result();
              if (resp.closed()) {
                socket.close();
                return;
              }
              traffic.watchOpened(req.path());
              resp.setStatusCode(200)
                  .setChunked(true)
                  .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
              // Headers go out now: the client's watch call returns once it sees them, before any
              // event.
              resp.writeHead();
              long since = resourceVersion(req.getParam("resourceVersion"));
              // ApiFaults#expireWatches: an ERROR event, then the end, as a real server sends them
              Runnable unregister =
                  internal
                      ? () -> {}
                      : faults.watching(
                          req.path(),
                          since,
                          error ->
                              context.runOnContext(
                                  v -> {
                                    if (!resp.ended() && !resp.closed()) {
                                      resp.end(error + "\n");
                                    }
                                    socket.close();
                                  }));
              // when the last event held back goes out (nanoTime); the handler runs on one thread
              long[] heldUntil = {0};
              socket.textMessageHandler(
                  event -> {
                    if (alreadySeen(event, since)
                        || (selector != null && !selector.passes(event))) {
                      return;
                    }
                    // ApiFaults#delayWatches: the same events, later, and never overtaking one
                    // still held back (a delay lifted meanwhile must not reorder the stream)
                    long now = System.nanoTime();
                    long delay = internal ? 0 : faults.watchDelay().toNanos();
                    long due = Math.max(now + delay, heldUntil[0]);
                    if (due <= now) {
                      writeEvent(resp, socket, event);
                      return;
                    }
                    long millis = (due - now + 999_999) / 1_000_000;
                    heldUntil[0] = now + millis * 1_000_000;
                    vertx.setTimer(millis, id -> writeEvent(resp, socket, event));
                  });
              long timer = watchTimeout(req, socket);
              socket.closeHandler(
                  v -> {
                    unregister.run();
                    traffic.watchClosed();
                    vertx.cancelTimer(timer);
                    if (!resp.ended() && !resp.closed()) {
                      resp.end();
                    }
                  });
              socket.exceptionHandler(err -> socket.close());
              resp.closeHandler(v -> socket.close());
            });
  }

  private static void writeEvent(HttpServerResponse resp, WebSocket socket, String event) {
    if (resp.ended() || resp.closed()) {
      return;
    }
    resp.write(event + "\n");
    if (resp.writeQueueFull()) {
      socket.pause();
      resp.drainHandler(v -> socket.resume());
    }
  }

  /**
   * The numeric resourceVersion a watch starts from; 0 when absent or "0" (= start with the current
   * state).
   */
  private static long resourceVersion(String param) {
    try {
      return param == null || param.isEmpty() ? 0 : Long.parseLong(param);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * On every watch the mock first replays all matching objects as ADDED, whatever resourceVersion
   * was asked for. A real server sends only what happened after that version, so replayed objects
   * the client already has (version at or below it) are dropped — otherwise every re-watch would
   * hand informers a burst of no-op updates. Only an event with {@code "ADDED"} anywhere in its
   * text is parsed: every change after the replay is sent to every watch of its kind, and parsing
   * each whole only to find it MODIFIED was over half of the proxy's time on watch events.
   */
  private static boolean alreadySeen(String event, long since) {
    if (since == 0 || !event.contains("\"ADDED\"")) {
      return false;
    }
    try {
      JsonObject json = new JsonObject(event);
      JsonObject meta =
          json.getJsonObject("object", new JsonObject())
              .getJsonObject("metadata", new JsonObject());
      return "ADDED".equals(json.getString("type"))
          && Long.parseLong(meta.getString("resourceVersion", "0")) <= since;
    } catch (RuntimeException notAnObjectEvent) {
      return false;
    }
  }

  /**
   * A real server ends a watch after {@code timeoutSeconds}; clients then re-watch. Returns the
   * timer id or -1.
   */
  private long watchTimeout(HttpServerRequest req, WebSocket socket) {
    String seconds = req.getParam("timeoutSeconds");
    if (seconds == null) {
      return -1;
    }
    try {
      long s = Long.parseLong(seconds);
      return s > 0 ? vertx.setTimer(s * 1000, id -> socket.close()) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void podLog(HttpServerRequest req, String namespace, String pod) {
    HttpServerResponse resp = req.response();
    String container = req.getParam("container");
    boolean previous = "true".equals(req.getParam("previous"));
    boolean follow = "true".equals(req.getParam("follow"));
    boolean timestamps = "true".equals(req.getParam("timestamps"));
    Integer tailLines;
    try {
      tailLines =
          req.getParam("tailLines") == null ? null : Integer.valueOf(req.getParam("tailLines"));
    } catch (NumberFormatException e) {
      sendStatus(resp, 400, "BadRequest", "invalid tailLines: " + req.getParam("tailLines"));
      return;
    }
    PodLogs.Answer answer = logs.read(namespace, pod, container, previous, Instant.now());
    if (answer.status() != 200) {
      sendStatus(resp, answer.status(), answer.reason(), answer.message());
      return;
    }
    List<PodLogs.Line> lines = answer.lines();
    int from = tailLines == null ? 0 : Math.max(0, lines.size() - tailLines);
    resp.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain");
    if (!follow) {
      resp.end(format(lines.subList(from, lines.size()), timestamps));
      return;
    }
    resp.setChunked(true).write(format(lines.subList(from, lines.size()), timestamps));
    AtomicInteger sent = new AtomicInteger(lines.size());
    long timer =
        vertx.setPeriodic(
            1000,
            id -> {
              PodLogs.Answer next = logs.read(namespace, pod, container, previous, Instant.now());
              if (next.status() != 200) {
                vertx.cancelTimer(id);
                resp.end();
                return;
              }
              List<PodLogs.Line> now = next.lines();
              if (now.size() > sent.get()) {
                resp.write(format(now.subList(sent.get(), now.size()), timestamps));
                sent.set(now.size());
              }
            });
    resp.closeHandler(v -> vertx.cancelTimer(timer));
  }

  private static String format(List<PodLogs.Line> lines, boolean timestamps) {
    StringBuilder out = new StringBuilder();
    for (PodLogs.Line line : lines) {
      if (timestamps) {
        out.append(DateTimeFormatter.ISO_INSTANT.format(line.at())).append(' ');
      }
      out.append(line.text()).append('\n');
    }
    return out.toString();
  }

  private static void sendStatus(HttpServerResponse resp, int code, String reason, String message) {
    resp.setStatusCode(code)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(
            new JsonObject()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("metadata", new JsonObject())
                .put("status", "Failure")
                .put("message", message)
                .put("reason", reason)
                .put("code", code)
                .encode());
  }
}
