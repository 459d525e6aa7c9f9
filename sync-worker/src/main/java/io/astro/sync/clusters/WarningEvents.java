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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Set;

/**
 * The Events the worker caches, bounded with what a real API server supports: the server sends only
 * {@code type=Warning} (a field selector every server has for Events); of those, only Events in
 * user namespaces about a Pod, Deployment or ReplicaSet, last seen within {@link #MAX_AGE}, reach
 * the informer's cache — the rest is dropped as it arrives, in lists and watches alike. Normal
 * Events (scheduling, pulls, scaling) say nothing status needs, nor does a warning from long ago.
 * {@link ClusterConnection} drops cached Events that age past {@link #MAX_AGE} as a server that
 * expires them would.
 */
final class WarningEvents implements ListerWatcher<CoreV1Event, CoreV1EventList> {

  static final String FIELD_SELECTOR = "type=Warning";

  /**
   * The API server's default Event lifetime ({@code kube-apiserver --event-ttl}, 1 h): an older
   * Event says nothing about an app now, and a server keeping Events longer must not grow the
   * cache.
   */
  static final Duration MAX_AGE = Duration.ofHours(1);

  private static final Set<String> KINDS = Set.of("Pod", "Deployment", "ReplicaSet");

  private final ApiClient client;
  private final CoreV1Api core;

  WarningEvents(ApiClient watchClient) {
    this.client = watchClient;
    this.core = new CoreV1Api(watchClient);
  }

  /** Whether the cache keeps this Event now. */
  static boolean kept(CoreV1Event event) {
    return kept(event, Instant.now());
  }

  /** Whether the cache keeps this Event at {@code now}. */
  static boolean kept(CoreV1Event event, Instant now) {
    V1ObjectReference involved = event.getInvolvedObject();
    return event.getMetadata() != null
        && KubeNames.isUserNamespace(event.getMetadata().getNamespace())
        && involved != null
        && KINDS.contains(involved.getKind())
        && !expired(event, now);
  }

  /** Last seen more than {@link #MAX_AGE} before {@code now}; one without any time is not. */
  static boolean expired(CoreV1Event event, Instant now) {
    OffsetDateTime last = lastSeen(event);
    return last != null && last.toInstant().isBefore(now.minus(MAX_AGE));
  }

  /** When the Event last happened: lastTimestamp, eventTime or its creation; null if none. */
  static OffsetDateTime lastSeen(CoreV1Event e) {
    if (e.getLastTimestamp() != null) {
      return e.getLastTimestamp();
    }
    if (e.getEventTime() != null) {
      return e.getEventTime();
    }
    return e.getMetadata() == null ? null : e.getMetadata().getCreationTimestamp();
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
    return new FilteredWatch<>(watch, WarningEvents::kept);
  }
}
