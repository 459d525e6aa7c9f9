package io.astro.gateway;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A stand-in for user-service or app-service on a real port: serves the JWKS and the disabled-users
 * list, echoes API requests (what arrived: method, URI, headers, body size), can fail on demand,
 * stream a log response chunk by chunk, hold a status stream open until the gateway hangs up, and
 * count an upload as it arrives. Counts hits per path; can be stopped and started again on the same
 * port.
 */
final class FakeUpstream {

  static final String LOGS = "/api/v1/apps/a1/logs";
  static final String UPLOAD = "/api/v1/apps/upload";
  static final String STREAM = "/api/v1/apps/stream";

  /** Announces 100 bytes, sends 10 and closes the connection. */
  static final String CUT = "/api/v1/apps/cut";

  /** Takes the request and never answers. */
  static final String SILENT = "/api/v1/apps/silent";

  private final Vertx vertx;
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
  final AtomicReference<JsonObject> jwks = new AtomicReference<>();
  // the JWKS is answered once this completes
  volatile Future<?> jwksHeldUntil = Future.succeededFuture();
  final Set<String> disabled = ConcurrentHashMap.newKeySet();
  // user uuid to token version, as user-service serves them after password changes
  final Map<String, Long> tokenVersions = new ConcurrentHashMap<>();
  // ids of revoked personal tokens, as user-service lists them
  final Set<String> revokedTokens = ConcurrentHashMap.newKeySet();
  // personal token secret to the access token an exchange answers (each call asks again)
  final Map<String, Supplier<String>> personalTokens = new ConcurrentHashMap<>();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile int failWith;
  final AtomicLong uploaded = new AtomicLong();
  final AtomicInteger streamsHungUp = new AtomicInteger();
  volatile Promise<Void> releaseLogs = Promise.promise();
  private volatile HttpServer server;
  private int port;

  private record Waiter(String path, int count, Promise<Void> reached) {}

  FakeUpstream(Vertx vertx) {
    this.vertx = vertx;
  }

  FakeUpstream start() {
    server =
        GatewayFixture.await(
            vertx
                .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                .requestHandler(this::handle)
                .listen());
    port = server.actualPort();
    return this;
  }

  void stop() {
    GatewayFixture.await(server.close());
  }

  int port() {
    return port;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The next {@code count} API requests are answered with {@code status}. */
  void failNext(int count, int status) {
    failWith = status;
    failures.set(count);
  }

  void heal() {
    failures.set(0);
  }

  int hits(String path) {
    AtomicInteger count = hits.get(path);
    return count == null ? 0 : count.get();
  }

  /** Completes once {@code path} has been hit {@code count} times in all. */
  Future<Void> hitsReached(String path, int count) {
    Waiter waiter = new Waiter(path, count, Promise.promise());
    waiters.add(waiter);
    check(path);
    return waiter.reached.future();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    check(path);
    switch (path) {
      case "/health" ->
          request.response().end("{\"code\":0,\"message\":\"ok\",\"data\":{\"status\":\"UP\"}}");
      case "/.well-known/jwks.json" ->
          jwksHeldUntil.onComplete(
              held -> {
                JsonObject document = jwks.get();
                request
                    .response()
                    .setStatusCode(document == null ? 404 : 200)
                    .end(document == null ? "" : document.encode());
              });
      case "/internal/v1/users/disabled" ->
          request
              .response()
              .end(
                  new JsonObject()
                      .put("code", 0)
                      .put("message", "ok")
                      .put(
                          "data",
                          new JsonObject()
                              .put("uuids", new JsonArray(List.copyOf(disabled)))
                              .put(
                                  "token_versions",
                                  new JsonObject(new HashMap<String, Object>(tokenVersions)))
                              .put("revoked_tokens", new JsonArray(List.copyOf(revokedTokens))))
                      .encode());
      case "/internal/v1/tokens/exchange" -> exchange(request);
      default -> api(request);
    }
  }

  private void exchange(HttpServerRequest request) {
    request
        .body()
        .onSuccess(
            body -> {
              Supplier<String> access =
                  personalTokens.get(body.toJsonObject().getString("token", ""));
              if (access == null) {
                request
                    .response()
                    .setStatusCode(401)
                    .end("{\"code\":10002,\"message\":\"missing or invalid token\",\"data\":null}");
                return;
              }
              request
                  .response()
                  .end(
                      new JsonObject()
                          .put("code", 0)
                          .put("message", "ok")
                          .put("data", new JsonObject().put("token", access.get()))
                          .encode());
            });
  }

  private void api(HttpServerRequest request) {
    if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      request
          .response()
          .setStatusCode(failWith)
          .end("{\"code\":30002,\"message\":\"upstream says no\",\"data\":null}");
      return;
    }
    if (request.path().equals(STREAM)) {
      // one event, then silence until the gateway hangs up
      request
          .response()
          .setChunked(true)
          .putHeader("Content-Type", "text/event-stream; charset=utf-8")
          .closeHandler(v -> streamsHungUp.incrementAndGet())
          .write("event: snapshot\ndata: {\"items\":[]}\n\n");
      return;
    }
    if (request.path().equals(SILENT)) {
      return;
    }
    if (request.path().equals(CUT)) {
      request
          .response()
          .putHeader("Content-Length", "100")
          .write("0123456789")
          .onComplete(written -> request.connection().close());
      return;
    }
    if (request.path().equals(LOGS)) {
      request.response().setChunked(true).putHeader("Content-Type", "text/plain");
      request.response().write("line 1\n");
      releaseLogs.future().onComplete(done -> request.response().end("line 2\n"));
      return;
    }
    AtomicLong size = new AtomicLong();
    request.handler(
        chunk -> {
          size.addAndGet(chunk.length());
          if (request.path().equals(UPLOAD)) {
            uploaded.addAndGet(chunk.length());
          }
        });
    request.endHandler(
        end -> {
          JsonObject headers = new JsonObject();
          MultiMap all = request.headers();
          for (String name : all.names()) {
            headers.put(name.toLowerCase(Locale.ROOT), String.join(",", all.getAll(name)));
          }
          request
              .response()
              .putHeader("Content-Type", "application/json")
              .putHeader("Connection", "keep-alive, X-Upstream-Private")
              .putHeader("X-Upstream-Private", "must not leave the gateway")
              .putHeader("Keep-Alive", "timeout=5")
              .putHeader("X-Upstream", "echo")
              .end(
                  new JsonObject()
                      .put("method", request.method().name())
                      .put("uri", request.uri())
                      .put("headers", headers)
                      .put("bodyBytes", size.get())
                      .encode());
        });
  }

  // waiters is a CopyOnWriteArrayList: the loop walks a snapshot, so removing from it is safe
  @SuppressWarnings("ModifyCollectionInEnhancedForLoop")
  private void check(String path) {
    for (Waiter waiter : waiters) {
      if (waiter.path.equals(path) && hits(path) >= waiter.count && waiter.reached.tryComplete()) {
        waiters.remove(waiter);
      }
    }
  }
}
