package io.astro.sync.reconcile;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reconcile work queue: app ids in two lanes, each in the order they came. An id is queued once
 * (queued again, it keeps its place, or moves to the lane ahead), and never handed to two workers
 * at a time: one queued while a worker has it comes back when that worker is done. Failures come
 * back after an exponential back-off per id, as in client-java's rate-limited queue.
 *
 * <p>{@link Lane#EXISTING} is served first. Its apps' objects are in the cluster already, so their
 * reconcile mostly reads the caches and publishes a status (a command on such an app writes one or
 * two objects); a {@link Lane#NEW} app still needs its objects created, often its namespace too. At
 * a cold start every app is new, and in one lane each app's status waited behind the first pass
 * that created every app's objects. {@link Lane#NEW} is still taken at least once every {@link
 * #EXISTING_IN_A_ROW} + 1 turns while it waits, so a stream of informer events cannot hold creates
 * back for good.
 */
final class ReconcileQueue {

  /** Which line an app waits in. */
  enum Lane {
    /** The app's Deployment is in the cluster (as the worker sees it): served first. */
    EXISTING,
    /** The app's objects are still to be made (or its cluster not yet usable). */
    NEW
  }

  /** How many apps of {@link Lane#EXISTING} are taken in a row while {@link Lane#NEW} waits. */
  static final int EXISTING_IN_A_ROW = 8;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();
  private final Map<Lane, LinkedHashSet<String>> lanes = new EnumMap<>(Lane.class);

  /** Ids queued (or to queue again when their worker is done), with their lane. */
  private final Map<String, Lane> dirty = new HashMap<>();

  private final Set<String> processing = new HashSet<>();
  private final Map<String, Integer> failures = new HashMap<>();

  /** Ids waiting for a delay: when they are due (nanoTime) and in which lane. */
  private final Map<String, Waiting> waiting = new HashMap<>();

  private final ScheduledExecutorService delays;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private int existingInARow;
  private boolean shuttingDown;

  private record Waiting(long due, Lane lane) {}

  ReconcileQueue(ScheduledExecutorService delays, Duration baseDelay, Duration maxDelay) {
    this.delays = delays;
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
    for (Lane lane : Lane.values()) {
      lanes.put(lane, new LinkedHashSet<>());
    }
  }

  /** Queues the id in {@code lane}, unless it waits there or in the lane ahead already. */
  void add(String id, Lane lane) {
    lock.lock();
    try {
      if (shuttingDown) {
        return;
      }
      Lane was = dirty.get(id);
      if (was != null && was.compareTo(lane) <= 0) {
        return;
      }
      dirty.put(id, lane);
      if (processing.contains(id)) {
        return; // queued when its worker is done
      }
      if (was != null) {
        lanes.get(was).remove(id);
      }
      lanes.get(lane).add(id);
      ready.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Queues the id after {@code delay}; an earlier wait already set for it stands. */
  void addAfter(String id, Lane lane, Duration delay) {
    if (delay.isNegative() || delay.isZero()) {
      add(id, lane);
      return;
    }
    long at = System.nanoTime() + delay.toNanos();
    lock.lock();
    try {
      if (shuttingDown) {
        return;
      }
      Waiting before = waiting.get(id);
      if (before != null && before.due() - at <= 0) {
        if (lane.compareTo(before.lane()) < 0) {
          waiting.put(id, new Waiting(before.due(), lane));
        }
        return;
      }
      waiting.put(id, new Waiting(at, lane));
      var unused = delays.schedule(() -> due(id, at), delay.toNanos(), TimeUnit.NANOSECONDS);
    } finally {
      lock.unlock();
    }
  }

  private void due(String id, long at) {
    Lane lane;
    lock.lock();
    try {
      Waiting w = waiting.get(id);
      if (w == null || w.due() != at) {
        return; // superseded by an earlier wait, which queued it
      }
      waiting.remove(id);
      lane = w.lane();
    } finally {
      lock.unlock();
    }
    add(id, lane);
  }

  /** Queues the id after its back-off: base × 2^(failures so far), at most the maximum. */
  void addRateLimited(String id, Lane lane) {
    int before;
    lock.lock();
    try {
      before = failures.getOrDefault(id, 0);
      failures.put(id, before + 1);
    } finally {
      lock.unlock();
    }
    Duration delay = baseDelay.multipliedBy(1L << Math.min(before, 30));
    addAfter(id, lane, delay.compareTo(maxDelay) > 0 || delay.isNegative() ? maxDelay : delay);
  }

  /** The id succeeded: its next failure starts the back-off over. */
  void forget(String id) {
    lock.lock();
    try {
      failures.remove(id);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next id to reconcile, which the caller holds until {@link #done}; blocks while there is
   * none. Null once shut down.
   */
  String get() throws InterruptedException {
    lock.lock();
    try {
      while (length() == 0 && !shuttingDown) {
        ready.await();
      }
      if (shuttingDown) {
        return null;
      }
      LinkedHashSet<String> lane = lanes.get(next());
      Iterator<String> first = lane.iterator();
      String id = first.next();
      first.remove();
      dirty.remove(id);
      processing.add(id);
      return id;
    } finally {
      lock.unlock();
    }
  }

  private Lane next() {
    boolean existing = !lanes.get(Lane.EXISTING).isEmpty();
    boolean fresh = !lanes.get(Lane.NEW).isEmpty();
    if (existing && (!fresh || existingInARow < EXISTING_IN_A_ROW)) {
      existingInARow = fresh ? existingInARow + 1 : 0;
      return Lane.EXISTING;
    }
    existingInARow = 0;
    return Lane.NEW;
  }

  /** The worker is done with the id: queued again meanwhile, it goes back in its lane. */
  void done(String id) {
    lock.lock();
    try {
      processing.remove(id);
      Lane again = dirty.get(id);
      if (again != null && !shuttingDown) {
        lanes.get(again).add(id);
        ready.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Ids waiting for a worker, both lanes. */
  int length() {
    lock.lock();
    try {
      int n = 0;
      for (LinkedHashSet<String> lane : lanes.values()) {
        n += lane.size();
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  boolean isShuttingDown() {
    lock.lock();
    try {
      return shuttingDown;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiting worker with null; nothing is queued from now on. */
  void shutDown() {
    lock.lock();
    try {
      shuttingDown = true;
      ready.signalAll();
    } finally {
      lock.unlock();
    }
    delays.shutdownNow();
  }
}
