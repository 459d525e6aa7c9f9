package io.astro.testkit.kube;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the requests a {@link FakeCluster} received, by method and path, keeping watches apart
 * from plain reads — so a test can tell an informer that streams from one that keeps re-listing.
 */
public final class ApiTraffic {

  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong openWatches = new AtomicLong();

  void request(String method, String path) {
    counts.computeIfAbsent(method + " " + path, k -> new AtomicLong()).incrementAndGet();
  }

  void watchOpened(String path) {
    counts.computeIfAbsent("WATCH " + path, k -> new AtomicLong()).incrementAndGet();
    openWatches.incrementAndGet();
  }

  void watchClosed() {
    openWatches.decrementAndGet();
  }

  /**
   * Non-watch requests seen for exactly this method and path (no query string), e.g. {@code GET
   * /api/v1/pods}.
   */
  public long requests(String method, String path) {
    AtomicLong n = counts.get(method + " " + path);
    return n == null ? 0 : n.get();
  }

  /** Watch streams opened for exactly this path (no query string). */
  public long watchesOpened(String path) {
    AtomicLong n = counts.get("WATCH " + path);
    return n == null ? 0 : n.get();
  }

  /** Watch streams currently open, over all paths. */
  public long openWatches() {
    return openWatches.get();
  }
}
