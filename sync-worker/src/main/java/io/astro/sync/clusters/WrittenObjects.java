package io.astro.sync.clusters;

import io.kubernetes.client.common.KubernetesObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Write-through for an informer's cache: what the worker itself last wrote (the object the API
 * server answered, or nothing after a delete) stands in for the cached object until the informer
 * has caught up with that write. Without it, a reconcile that follows a write within the watch's
 * lag (the next command of a burst, or an event of another informer about the same app) would see
 * the object as it was before: create it again (409 AlreadyExists), replace it with a stale
 * resourceVersion (409 Conflict), or repeat a write already done.
 *
 * <p>The informer has caught up when it delivers the written resourceVersion (or, after a delete,
 * the object's deletion), or when its cache is found holding that version (or no object). A watch
 * delivers every version in order, so a write of someone else's after ours (a controller's status
 * update) is seen after ours and then stands. A re-list may skip versions; an entry therefore
 * stands at most {@code ttl}.
 *
 * @param <T> the kind the informer caches
 */
final class WrittenObjects<T extends KubernetesObject> {

  private record Written<T>(T object, Instant at) {}

  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Written<T>> byKey = new ConcurrentHashMap<>();

  WrittenObjects(Duration ttl, Clock clock) {
    this.ttl = ttl;
    this.clock = clock;
  }

  /** The API server answered a create or replace with {@code written}. */
  void wrote(T written) {
    byKey.put(
        key(written.getMetadata().getNamespace(), written.getMetadata().getName()),
        new Written<>(written, clock.instant()));
  }

  /** The object was deleted (or found gone). */
  void deleted(String namespace, String name) {
    byKey.put(key(namespace, name), new Written<>(null, clock.instant()));
  }

  /** The informer delivered this version of an object (added or updated). */
  void seen(T object) {
    String key = key(object.getMetadata().getNamespace(), object.getMetadata().getName());
    Written<T> written = byKey.get(key);
    if (written != null && caughtUp(written.object(), object)) {
      byKey.remove(key, written);
    }
  }

  /** The informer delivered the object's deletion: a delete of ours is then seen. */
  void seenGone(String namespace, String name) {
    String key = key(namespace, name);
    Written<T> written = byKey.get(key);
    if (written != null && written.object() == null) {
      byKey.remove(key, written);
    }
  }

  /**
   * The object as the worker should see it: {@code cached} once the informer has caught up with the
   * worker's last write to it, that write until then.
   */
  T current(String namespace, String name, T cached) {
    String key = key(namespace, name);
    Written<T> written = byKey.get(key);
    if (written == null) {
      return cached;
    }
    if (caughtUp(written.object(), cached) || written.at().plus(ttl).isBefore(clock.instant())) {
      byKey.remove(key, written);
      return cached;
    }
    return written.object();
  }

  /** Writes not yet seen by the informer. */
  int pending() {
    return byKey.size();
  }

  private static <T extends KubernetesObject> boolean caughtUp(T written, T cached) {
    if (written == null) {
      return cached == null;
    }
    return cached != null
        && Objects.equals(
            written.getMetadata().getResourceVersion(), cached.getMetadata().getResourceVersion());
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
