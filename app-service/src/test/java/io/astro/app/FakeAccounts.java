package io.astro.app;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stands in for user-service's internal list of disabled accounts ({@code GET
 * /internal/v1/users/disabled}, the real one lives in user-service, which app-service does not
 * depend on). One per test JVM, shared by every app-service a test starts; accounts disabled here
 * are refused by each within its poll period.
 */
public final class FakeAccounts {

  static final String PATH = "/internal/v1/users/disabled";
  private static FakeAccounts shared;

  private final Set<String> disabled = ConcurrentHashMap.newKeySet();
  private final HttpServer server;

  private FakeAccounts(Vertx vertx) {
    this.server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  if (!PATH.equals(req.path())) {
                    req.response().setStatusCode(404).end();
                    return;
                  }
                  req.response()
                      .putHeader("Content-Type", "application/json")
                      .end(
                          new JsonObject()
                              .put("code", 0)
                              .put("message", "ok")
                              .put(
                                  "data",
                                  new JsonObject()
                                      .put("uuids", new JsonArray(disabled.stream().toList())))
                              .encode());
                })
            .listen(0, "127.0.0.1")
            .await();
  }

  /** The JVM's one instance, started on first use; it runs until the JVM ends. */
  public static synchronized FakeAccounts shared() {
    if (shared == null) {
      shared = new FakeAccounts(Vertx.vertx());
    }
    return shared;
  }

  /** What {@code ASTRO_USER_SERVICE_URL} points at. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public void disable(String uuid) {
    disabled.add(uuid);
  }

  public void enable(String uuid) {
    disabled.remove(uuid);
  }
}
