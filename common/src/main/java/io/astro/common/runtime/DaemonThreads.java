package io.astro.common.runtime;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads with names that say what they do (thread dumps and log lines show them). Daemon,
 * because a background loop must never keep a JVM alive that is shutting down: each owner stops its
 * threads in its close, and the shutdown hook does not wait for stragglers.
 */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** An unstarted daemon thread named {@code name} that runs {@code body}. */
  public static Thread thread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  /** A factory whose threads are all named {@code name} (single-thread executors, one role). */
  public static ThreadFactory named(String name) {
    return body -> thread(name, body);
  }

  /** A factory naming its threads {@code prefix-1}, {@code prefix-2}, ... in creation order. */
  public static ThreadFactory numbered(String prefix) {
    AtomicInteger sequence = new AtomicInteger();
    return body -> thread(prefix + "-" + sequence.incrementAndGet(), body);
  }
}
