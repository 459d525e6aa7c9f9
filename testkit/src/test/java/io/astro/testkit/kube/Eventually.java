package io.astro.testkit.kube;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Waits for a condition with a bound, polling; fails with the last value seen. No fixed sleeps in tests. */
final class Eventually {

  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private Eventually() {}

  static <T> T await(String what, Callable<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    T last = null;
    Exception lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = probe.call();
        lastError = null;
        if (done.test(last)) {
          return last;
        }
      } catch (Exception e) {
        lastError = e;
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
    AssertionError failure = new AssertionError("timed out after " + TIMEOUT + " waiting for " + what
        + "; last value: " + last);
    if (lastError != null) {
      failure.initCause(lastError);
    }
    throw failure;
  }
}
