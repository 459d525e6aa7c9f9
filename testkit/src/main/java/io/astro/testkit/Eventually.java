package io.astro.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Waits for a condition with a bound, polling; fails with the last value (and error) seen. What
 * tests use instead of sleeping for a guessed time.
 */
public final class Eventually {

  private static final long POLL_NANOS = Duration.ofMillis(25).toNanos();

  private Eventually() {}

  /**
   * Polls {@code probe} until {@code done} accepts its value; a probe that throws counts as "not
   * yet".
   */
  public static <T> T await(String what, Duration timeout, Callable<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
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
      LockSupport.parkNanos(POLL_NANOS);
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted while waiting for " + what);
      }
    }
    AssertionError failure =
        new AssertionError(
            "timed out after " + timeout + " waiting for " + what + "; last value: " + last);
    if (lastError != null) {
      failure.initCause(lastError);
    }
    throw failure;
  }

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    await(what, timeout, condition::getAsBoolean, Boolean::booleanValue);
  }
}
