package io.astro.sync.clusters;

import com.google.gson.reflect.TypeToken;
import io.astro.common.kube.KubeNames;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.CoreV1EventList;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The Events the worker caches, bounded with what a real API server supports: the server sends only
 * {@code type=Warning} (a field selector every server has for Events); of those, only Events in
 * user namespaces about a Pod, Deployment or ReplicaSet reach the informer's cache — the rest is
 * dropped as it arrives, in lists and watches alike. Normal Events (scheduling, pulls, scaling) say
 * nothing status needs.
 */
final class WarningEvents implements ListerWatcher<CoreV1Event, CoreV1EventList> {

  static final String FIELD_SELECTOR = "type=Warning";
  private static final Set<String> KINDS = Set.of("Pod", "Deployment", "ReplicaSet");

  private final ApiClient client;
  private final CoreV1Api core;

  WarningEvents(ApiClient watchClient) {
    this.client = watchClient;
    this.core = new CoreV1Api(watchClient);
  }

  /** Whether the cache keeps this Event. */
  static boolean kept(CoreV1Event event) {
    V1ObjectReference involved = event.getInvolvedObject();
    return event.getMetadata() != null
        && KubeNames.isUserNamespace(event.getMetadata().getNamespace())
        && involved != null
        && KINDS.contains(involved.getKind());
  }

  @Override
  public CoreV1EventList list(CallGeneratorParams p) throws ApiException {
    CoreV1EventList list =
        core.listEventForAllNamespaces()
            .fieldSelector(FIELD_SELECTOR)
            .resourceVersion(p.resourceVersion)
            .timeoutSeconds(p.timeoutSeconds)
            .execute();
    return list.items(list.getItems().stream().filter(WarningEvents::kept).toList());
  }

  @Override
  public Watchable<CoreV1Event> watch(CallGeneratorParams p) throws ApiException {
    Watch<CoreV1Event> watch =
        Watch.createWatch(
            client,
            core.listEventForAllNamespaces()
                .fieldSelector(FIELD_SELECTOR)
                .resourceVersion(p.resourceVersion)
                .watch(true)
                .timeoutSeconds(p.timeoutSeconds)
                .buildCall(null),
            new TypeToken<Watch.Response<CoreV1Event>>() {}.getType());
    return new Filtered(watch);
  }

  /** A watch passing on only what {@link #kept} keeps (errors and bookmarks always). */
  private static final class Filtered implements Watchable<CoreV1Event> {
    private final Watch<CoreV1Event> watch;
    private Watch.Response<CoreV1Event> next;

    Filtered(Watch<CoreV1Event> watch) {
      this.watch = watch;
    }

    @Override
    public boolean hasNext() {
      while (next == null && watch.hasNext()) {
        Watch.Response<CoreV1Event> r = watch.next();
        if (r.object == null
            || "ERROR".equals(r.type)
            || "BOOKMARK".equals(r.type)
            || kept(r.object)) {
          next = r;
        }
      }
      return next != null;
    }

    @Override
    public Watch.Response<CoreV1Event> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Watch.Response<CoreV1Event> r = next;
      next = null;
      return r;
    }

    @Override
    public Iterator<Watch.Response<CoreV1Event>> iterator() {
      return this;
    }

    @Override
    public void close() throws IOException {
      watch.close();
    }
  }
}
