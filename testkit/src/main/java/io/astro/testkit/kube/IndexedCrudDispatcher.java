package io.astro.testkit.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * fabric8's CRUD dispatcher on an {@link IndexedStore}: the same answers, watch events and
 * resourceVersions, but a read, a delete or the lookup before a write walks the objects of its
 * resource, namespace and name instead of every object in the cluster. With thousands of stored
 * objects the mock's walk over all of them for every request was the largest part of the sandbox's
 * CPU (27 % of a reconcile-at-scale profile).
 *
 * <p>Its watches also end off the mock's event loop (see {@link EndingWatch}).
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

  private final IndexedStore store = new IndexedStore();

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

  @Override
  public MockResponse handleWatch(String path) {
    MockResponse response = super.handleWatch(path);
    return response.withWebSocketUpgrade(new EndingWatch(response.getWebSocketListener()));
  }

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    synchronized (sending) {
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
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
