package io.astro.sync.clusters;

import io.kubernetes.client.common.KubernetesObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Write-through for an informer's cache: what the worker itself last wrote (the object the API
 * server answered, or nothing after a delete) stands in for the cached object until the informer
 * has caught up with that write. Without it, a reconcile that follows a write within the watch's
 * lag (the next command of a burst, or an event of another informer about the same app) would see
 * the object as it was before: create it again (409 AlreadyExists), replace it with a stale
 * resourceVersion (409 Conflict), or repeat a write already done.
 *
 * <p>The informer has caught up when it delivers the written resourceVersion or a later one (or,
 * after a delete, the object's deletion), or when its cache is found holding such a version (or no
 * object). A watch delivers every version in order, so a write of someone else's after ours (a
 * controller's status update) is seen after ours and then stands. A re-list may skip versions (the
 * one after a reconnect lists the object as the controller left it after our write): a later
 * version ends the stand-in too ({@link ResourceVersions}). An entry whose versions do not compare
 * stands at most {@code ttl}.
 *
 * <p>The informer may deliver a write before its answer is back (the watch and the request are two
 * connections): what it delivers while a write is in flight is noted, and a write it already
 * delivered is not held at all.
 *
 * @param <T> the kind the informer caches
 */
final class WrittenObjects<T extends KubernetesObject> {

  private record Written<T>(T object, Instant at) {}

  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Written<T>> byKey = new ConcurrentHashMap<>();

  /** Writes under way, with what the informer delivered meanwhile (versions, a deletion). */
  private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

  private static final class InFlight {
    final Set<String> delivered = ConcurrentHashMap.newKeySet();
    volatile boolean deletionDelivered;
  }

  WrittenObjects(Duration ttl, Clock clock) {
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * Runs a create or replace of the object; what the API server answered (null: nothing written)
   * stands in for the cached object until the informer delivers it.
   */
  T write(String namespace, String name, Supplier<T> write) {
    String key = key(namespace, name);
    InFlight flight = new InFlight();
    inFlight.put(key, flight);
    try {
      T written = write.get();
      if (written != null) {
        String version = written.getMetadata().getResourceVersion();
        if (flight.delivered.stream().anyMatch(seen -> ResourceVersions.atLeast(seen, version))) {
          byKey.remove(key);
        } else {
          byKey.put(key, new Written<>(written, clock.instant()));
        }
      }
      return written;
    } finally {
      inFlight.remove(key, flight);
    }
  }

  /** Runs a delete of the object; it is gone for the worker until the informer says so too. */
  void delete(String namespace, String name, Runnable delete) {
    String key = key(namespace, name);
    InFlight flight = new InFlight();
    inFlight.put(key, flight);
    try {
      delete.run();
      if (flight.deletionDelivered) {
        byKey.remove(key);
      } else {
        byKey.put(key, new Written<>(null, clock.instant()));
      }
    } finally {
      inFlight.remove(key, flight);
    }
  }

  /** The informer delivered this version of an object (added or updated). */
  void seen(T object) {
    String key = key(object.getMetadata().getNamespace(), object.getMetadata().getName());
    InFlight flight = inFlight.get(key);
    if (flight != null) {
      flight.delivered.add(object.getMetadata().getResourceVersion());
    }
    Written<T> written = byKey.get(key);
    if (written != null && caughtUp(written.object(), object)) {
      byKey.remove(key, written);
    }
  }

  /** The informer delivered the object's deletion: a delete of ours is then seen. */
  void seenGone(String namespace, String name) {
    String key = key(namespace, name);
    InFlight flight = inFlight.get(key);
    if (flight != null) {
      flight.deletionDelivered = true;
    }
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
        && ResourceVersions.atLeast(
            cached.getMetadata().getResourceVersion(), written.getMetadata().getResourceVersion());
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
