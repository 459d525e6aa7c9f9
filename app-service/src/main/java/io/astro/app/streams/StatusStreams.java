package io.astro.app.streams;

import io.astro.app.apps.App;
import io.astro.app.apps.AppStore;
import io.astro.app.apps.Observation;
import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.Caller;
import io.astro.common.http.StreamSlots;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/apps/stream}: the caller's own apps as server-sent events. First {@code event:
 * snapshot} with {@code {"items": [app, ...]}} (the live apps, newest first), then {@code event:
 * app} with the whole app (the JSON of the apps list) each time a status event about one of them
 * was applied, {@code deleted} included; a {@code : keep-alive} comment every keep-alive period.
 * The stream ends after its lifetime, when the client is too slow to take what it is sent, and when
 * the service shuts down: the client reconnects and starts again from a snapshot.
 *
 * <p>Every instance sees every status event ({@link StatusFeed}: all partitions, no consumer
 * group), whichever instance's group member applies it to the database. An event for a user with a
 * stream here is applied here too before the app is read — applying is idempotent (newer wins,
 * under the row lock), so the app sent is the database's state after the event, never one from
 * before it, and nothing is applied twice. A client may read the app (and its history) as soon as a
 * frame arrives, as the console does: the database holds the event by then. An event the row
 * already holds is not applied again: the row read to find its owner is sent.
 */
public final class StatusStreams {

  public static final String PATH = "/api/v1/apps/stream";

  private static final Logger LOG = LoggerFactory.getLogger(StatusStreams.class);
  private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";
  private static final String KEEP_ALIVE = ": keep-alive\n\n";

  /** How long an SSE client waits before reconnecting (the {@code retry} field). */
  private static final long RECONNECT_MILLIS = 3_000;

  private final AppStore store;
  private final StreamSlots slots;
  private final long lifetimeMillis;
  private final long keepAliveMillis;
  private final Map<Long, Set<Listener>> listeners = new ConcurrentHashMap<>();

  public StatusStreams(AppStore store, StreamSlots slots, Duration lifetime, Duration keepAlive) {
    this.store = store;
    this.slots = slots;
    this.lifetimeMillis = lifetime.toMillis();
    this.keepAliveMillis = keepAlive.toMillis();
  }

  /** Mounted before the apps' routes, whose {@code /:id} would otherwise take {@code stream}. */
  public void mount(Router router, Handler<RoutingContext> auth) {
    router.get(PATH).handler(auth).handler(this::open);
  }

  /** Whether no stream is open on this instance: status events need no work then. */
  public boolean idle() {
    return listeners.isEmpty();
  }

  /**
   * Tells the owner's streams on this instance about the app after {@code observation}; completes
   * once done (a database failure is logged, the event skipped: the streams go on).
   */
  public Future<Void> observed(Observation observation) {
    if (idle()) {
      return Future.succeededFuture();
    }
    String id = observation.appId();
    return store
        .anyById(id)
        .compose(
            found -> {
              if (found.isEmpty() || !listeners.containsKey(found.get().userId())) {
                return Future.<Void>succeededFuture();
              }
              if (!observation.isNewerThan(found.get().observed())) {
                // the row holds it already (the status group was first): sent as it is
                publish(found.get());
                return Future.<Void>succeededFuture();
              }
              // applied whatever the outcome (newer, stale, refused): the app is read as it is now
              return store
                  .apply(observation)
                  .transform(applied -> store.anyById(id))
                  .onSuccess(app -> app.ifPresent(this::publish))
                  .<Void>mapEmpty();
            })
        .recover(
            failure -> {
              LOG.warn("status of app {} not streamed: {}", id, failure.getMessage());
              return Future.succeededFuture();
            });
  }

  private void publish(App app) {
    Set<Listener> own = listeners.get(app.userId());
    if (own == null) {
      return;
    }
    String frame = frame("app", app.toJson());
    own.forEach(listener -> listener.deliver(frame));
  }

  private void open(RoutingContext ctx) {
    Caller caller = AuthHandler.caller(ctx);
    if (!slots.take(ctx, caller.uuid())) {
      return;
    }
    Listener listener = new Listener(ctx, caller.userId());
    listeners.computeIfAbsent(caller.userId(), k -> ConcurrentHashMap.newKeySet()).add(listener);
    ctx.addEndHandler(done -> listener.close());
    // registered before the snapshot is read: a change in between is sent after it, not lost
    store
        .live(caller.userId())
        .onComplete(snapshot -> listener.context.runOnContext(v -> listener.start(snapshot)));
  }

  private void remove(Listener listener) {
    listeners.computeIfPresent(
        listener.userId,
        (k, set) -> {
          set.remove(listener);
          return set.isEmpty() ? null : set;
        });
  }

  private static String frame(String event, JsonObject data) {
    return "event: " + event + "\ndata: " + data.encode() + "\n\n";
  }

  /** One open stream; everything it does runs on its request's context. */
  private final class Listener {
    private final RoutingContext ctx;
    private final long userId;
    private final Context context;
    private List<String> waiting = new ArrayList<>();
    private boolean closed;
    private long keepAlive = -1;
    private long lifetime = -1;

    Listener(RoutingContext ctx, long userId) {
      this.ctx = ctx;
      this.userId = userId;
      this.context = ctx.vertx().getOrCreateContext();
    }

    void deliver(String frame) {
      context.runOnContext(
          v -> {
            if (closed) {
              return;
            }
            if (waiting != null) {
              waiting.add(frame);
            } else {
              write(frame);
            }
          });
    }

    void start(AsyncResult<List<App>> snapshot) {
      if (closed) {
        return;
      }
      if (snapshot.failed()) {
        // nothing was written yet: the ordinary error answer (503 when the database is away)
        ctx.fail(snapshot.cause());
        return;
      }
      HttpServerResponse res = ctx.response();
      res.setStatusCode(200)
          .setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM)
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
          // compressing would hold events back; proxies (nginx) must not buffer them either
          .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
          .putHeader("X-Accel-Buffering", "no");
      JsonArray items = new JsonArray();
      snapshot.result().stream()
          .sorted(Comparator.comparing(App::createdAt).reversed())
          .forEach(app -> items.add(app.toJson()));
      write(
          "retry: "
              + RECONNECT_MILLIS
              + "\n\n"
              + frame("snapshot", new JsonObject().put("items", items)));
      List<String> held = waiting;
      waiting = null;
      held.forEach(this::write);
      keepAlive = ctx.vertx().setPeriodic(keepAliveMillis, id -> write(KEEP_ALIVE));
      lifetime = ctx.vertx().setTimer(lifetimeMillis, id -> end());
      // a graceful shutdown waits for open requests, and a stream never ends by itself: end it
      ctx.request().connection().shutdownHandler(v -> end());
    }

    private void write(String text) {
      HttpServerResponse res = ctx.response();
      if (closed || res.ended() || res.closed()) {
        return;
      }
      res.write(text);
      if (res.writeQueueFull()) {
        // a client that does not read: end rather than hold its events; it reconnects to a
        // snapshot
        end();
      }
    }

    private void end() {
      HttpServerResponse res = ctx.response();
      if (!res.ended() && !res.closed()) {
        res.end();
      }
      close();
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (keepAlive >= 0) {
        ctx.vertx().cancelTimer(keepAlive);
      }
      if (lifetime >= 0) {
        ctx.vertx().cancelTimer(lifetime);
      }
      remove(this);
    }
  }
}
