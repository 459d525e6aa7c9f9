package io.astro.app.logs;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for the sync-worker's internal logs endpoint (the real one lives in sync-worker, which
 * app-service does not depend on): checks the token, answers two lines per Deployment, 404
 * "deployment missing" for names starting with {@code missing-}, and for {@code follow=true} one
 * line then silence until the caller hangs up.
 */
public final class FakeSyncWorker implements AutoCloseable {

  static final Pattern PATH =
      Pattern.compile("/internal/v1/clusters/([^/]+)/namespaces/([^/]+)/deployments/([^/]+)/logs");

  /** A request as it arrived. */
  record Seen(String path, String query, String authorization, String accept, String requestId) {}

  private final Vertx vertx = Vertx.vertx();
  private final String token;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger hungUp = new AtomicInteger();
  private HttpServer server;

  private FakeSyncWorker(String token) {
    this.token = token;
  }

  /** Listens on {@code port} (0: any free one). */
  public static FakeSyncWorker start(String token, int port) {
    FakeSyncWorker worker = new FakeSyncWorker(token);
    worker.server =
        worker
            .vertx
            .createHttpServer()
            .requestHandler(worker::handle)
            .listen(port, "127.0.0.1")
            .await();
    return worker;
  }

  public int port() {
    return server.actualPort();
  }

  List<Seen> seen() {
    return seen;
  }

  /** Follow streams whose caller went away (the connection closed before the stream ended). */
  public int hungUp() {
    return hungUp.get();
  }

  static String body(String deployment) {
    return "[" + deployment + "-abc12-x1] line one\n[" + deployment + "-abc12-x2] line two\n";
  }

  private void handle(HttpServerRequest req) {
    seen.add(
        new Seen(
            req.path(),
            req.query(),
            req.getHeader("Authorization"),
            req.getHeader("Accept"),
            req.getHeader("X-Request-Id")));
    Matcher path = PATH.matcher(req.path());
    if (!("Bearer " + token).equals(req.getHeader("Authorization"))) {
      envelope(req, 401, 10002, "missing or wrong internal token", null);
    } else if (!path.matches()) {
      envelope(req, 404, 10004, "not found", null);
    } else if (path.group(3).startsWith("missing-")) {
      envelope(
          req, 404, 10004, "deployment not found", new JsonObject().put("missing", "deployment"));
    } else if ("true".equals(req.getParam("follow"))) {
      boolean sse =
          req.getHeader("Accept") != null && req.getHeader("Accept").contains("text/event-stream");
      req.response()
          .setChunked(true)
          .putHeader(
              "Content-Type",
              sse ? "text/event-stream; charset=utf-8" : "text/plain; charset=utf-8")
          .closeHandler(v -> hungUp.incrementAndGet());
      req.response()
          .write(
              sse
                  ? "data: [" + path.group(3) + "-abc12-x1] live\n\n"
                  : "[" + path.group(3) + "-abc12-x1] live\n");
    } else {
      req.response()
          .putHeader("Content-Type", "text/plain; charset=utf-8")
          .end(body(path.group(3)));
    }
  }

  private static void envelope(
      HttpServerRequest req, int status, int code, String message, JsonObject data) {
    req.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("code", code).put("message", message).put("data", data).encode());
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
