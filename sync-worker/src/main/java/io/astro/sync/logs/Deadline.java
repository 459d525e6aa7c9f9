package io.astro.sync.logs;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;

/**
 * One time budget shared by the Kubernetes calls of a request. Cluster clients are built with no
 * read timeout (informers need that), so each call gets what is left of the budget as its OkHttp
 * call timeout, which covers connecting, waiting and reading the body.
 */
public record Deadline(long atNanos) {

  public static Deadline in(Duration budget) {
    return new Deadline(System.nanoTime() + budget.toNanos());
  }

  /**
   * Bounds {@code call} by the time left (at least 1 ms, so a spent budget fails the call at once).
   */
  public Call bound(Call call) {
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(atNanos - System.nanoTime()));
    call.timeout().timeout(left, TimeUnit.MILLISECONDS);
    return call;
  }
}
