package io.astro.testkit.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * fabric8's CRUD dispatcher on an {@link IndexedStore}: the same answers, watch events and
 * resourceVersions, but a read, a delete or the lookup before a write walks the objects of its
 * resource, namespace and name instead of every object in the cluster. With thousands of stored
 * objects the mock's walk over all of them for every request was the largest part of the sandbox's
 * CPU (27 % of a reconcile-at-scale profile).
 *
 * <p>Its watches also end off the mock's event loop (see {@link EndingWatch}), and a watch from a
 * resourceVersion is first sent the deletions after that version, as a real server's watch cache
 * does (see {@link #handleWatch}).
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {

  /**
   * Runs the ends of watches, for every mock in the JVM; a thread per end under way (an end waits
   * at most for the send it interrupts), none when idle.
   */
  private static final ExecutorService WATCH_ENDS =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "fake-kube-watch-end");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * How many deletions a cluster keeps for watches from an older resourceVersion: a few thousand,
   * as a real server's watch cache keeps the recent events of a resource.
   */
  static final int DELETIONS_KEPT = 4096;

  private final IndexedStore store = new IndexedStore();

  /** A deletion as its DELETED event carried it: the object at its deletion's resourceVersion. */
  private record Deletion(long resourceVersion, AttributeSet attributes, String object) {}

  /** The latest deletions, oldest first; guarded by itself. */
  private final Deque<Deletion> deletions = new ArrayDeque<>();

  /** fabric8's open watches, to which every stored change is sent. */
  private final Set<?> watches;

  /** Held while a change is sent to the open watches. */
  private final Object sending = new Object();

  IndexedCrudDispatcher() {
    // the store is CrudDispatcher's final map field, which no constructor takes: replaced once,
    // before any request; the open watches are KubernetesCrudDispatcher's private set. A fabric8
    // upgrade that renames either fails every fake cluster's start
    try {
      Field map = CrudDispatcher.class.getDeclaredField("map");
      map.setAccessible(true);
      map.set(this, store);
      Field listeners = KubernetesCrudDispatcher.class.getDeclaredField("watchEventListeners");
      listeners.setAccessible(true);
      watches = (Set<?>) listeners.get(this);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "fabric8's CrudDispatcher has no replaceable map field or KubernetesCrudDispatcher no"
              + " watch set: the fake cluster's index needs updating for this fabric8 version",
          e);
    }
  }

  @Override
  public MockResponse handleGet(String path) {
    return store.narrowed(getKey(path), () -> super.handleGet(path));
  }

  @Override
  public MockResponse handleDelete(String path) {
    return store.narrowed(getKey(path), () -> super.handleDelete(path));
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    return store.narrowed(attributes, () -> super.findResource(attributes));
  }

  /**
   * The mock's watch, ending off its event loop. From a resourceVersion, it is first sent the
   * deletions it matches that came after that version: the mock replays only the objects that still
   * exist (as ADDED, the proxy dropping those the client has), so an object deleted between two
   * watches of an informer stayed in its cache for good, where a real server sends the deletion
   * from its watch cache. The deletions go out before that replay, so an object deleted and created
   * again ends as created. Runs under the mock's read lock: no change is stored meanwhile, so every
   * later deletion is sent by {@link #processEvent} and none twice.
   */
  @Override
  public MockResponse handleWatch(String path) {
    MockResponse response = super.handleWatch(path);
    WebSocketListener watch = response.getWebSocketListener();
    long since =
        queryParameter(path, "resourceVersion").map(IndexedCrudDispatcher::version).orElse(0L);
    if (since > 0) {
      AttributeSet scope = watchScope(path);
      List<String> missed = new ArrayList<>();
      synchronized (deletions) {
        for (Deletion d : deletions) {
          if (d.resourceVersion() > since && d.attributes().matches(scope)) {
            missed.add(d.object());
          }
        }
      }
      if (!missed.isEmpty()) {
        sendFirst(watch, missed);
      }
    }
    return response.withWebSocketUpgrade(new EndingWatch(watch));
  }

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    synchronized (sending) {
      if (newState == null && oldAttributes != null && store.containsKey(oldAttributes)) {
        // a deletion: the mock sends the object as last stored; a real server gives the deletion
        // a resourceVersion of its own, which the DELETED event's object carries (so a watch from a
        // version between the last write and the deletion is sent it)
        long version = requestResourceVersion();
        JsonObject deleted = new JsonObject(store.get(oldAttributes));
        JsonObject metadata = deleted.getJsonObject("metadata");
        if (metadata != null) {
          metadata.put("resourceVersion", String.valueOf(version));
          String object = deleted.encode();
          store.put(oldAttributes, object);
          synchronized (deletions) {
            deletions.addLast(new Deletion(version, oldAttributes, object));
            if (deletions.size() > DELETIONS_KEPT) {
              deletions.removeFirst();
            }
          }
        }
      }
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    }
  }

  /**
   * What a watch of {@code path} matches, as the mock reckons it: the path's resource, namespace
   * and label selector, and the name of a {@code metadata.name} field selector.
   */
  private AttributeSet watchScope(String path) {
    AttributeSet scope = getKey(path);
    String fields = queryParameter(path, "fieldSelector").orElse("");
    for (String term : fields.split(",")) {
      if (term.startsWith("metadata.name=")) {
        String name = term.substring("metadata.name=".length());
        scope = scope.add(new Attribute(KubernetesAttributesExtractor.NAME, name));
      }
    }
    return scope;
  }

  private static Optional<String> queryParameter(String path, String name) {
    int q = path.indexOf('?');
    if (q < 0) {
      return Optional.empty();
    }
    for (String pair : path.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  private static long version(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Has fabric8's watch ({@code WatchEventsListener}, package-private) send {@code objects} as
   * DELETED events when it opens, before its replay of the stored objects: its open action is
   * wrapped (a final field, set once before the watch is handed to the mock's server).
   */
  private static void sendFirst(WebSocketListener watch, List<String> objects) {
    try {
      Method send =
          watch
              .getClass()
              .getDeclaredMethod("sendWebSocketResponse", String.class, Watcher.Action.class);
      send.setAccessible(true);
      Field action = watch.getClass().getDeclaredField("onOpenAction");
      action.setAccessible(true);
      @SuppressWarnings("unchecked")
      Consumer<Object> replay = (Consumer<Object>) action.get(watch);
      Consumer<Object> deletionsFirst =
          listener -> {
            for (String object : objects) {
              try {
                send.invoke(listener, object, Watcher.Action.DELETED);
              } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
              }
            }
            replay.accept(listener);
          };
      action.set(watch, deletionsFirst);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "fabric8's WatchEventsListener has no sendWebSocketResponse or onOpenAction: the fake"
              + " cluster's watch history needs updating for this fabric8 version",
          e);
    }
  }

  /**
   * fabric8's watch ({@code WatchEventsListener}), ending off the mock's event loop. Its sends run
   * on its own thread, each waiting (up to 30 s, {@code VertxMockWebSocket#awaitWrite}) for the
   * event loop to write it; its end, which the event loop calls when the client closes the watch,
   * waits for its thread to finish those sends ({@code onClosed}: {@code awaitTermination}). On the
   * event loop, a watch ending in the middle of a send held the loop — every request to the cluster
   * — for those 30 s. Here the end runs on a thread of its own, after the watch is taken out of the
   * open watches (so no change is sent to it once its thread stops taking sends).
   */
  private final class EndingWatch extends WebSocketListener {

    private final WebSocketListener watch;

    EndingWatch(WebSocketListener watch) {
      this.watch = watch;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      watch.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      watch.onOpen(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      watch.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      watch.onMessage(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      watch.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      end(() -> watch.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable error, Response response) {
      end(() -> watch.onFailure(webSocket, error, response));
    }

    private void end(Runnable end) {
      WATCH_ENDS.execute(
          () -> {
            // a change being sent holds the lock: after this, none reaches the watch
            synchronized (sending) {
              watches.remove(watch);
            }
            end.run();
          });
    }
  }
}
