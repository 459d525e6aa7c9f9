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

  void answered(String method, String path, int status) {
    counts
        .computeIfAbsent(method + " " + path + " " + status, k -> new AtomicLong())
        .incrementAndGet();
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

  /**
   * Non-watch requests for exactly this method and path answered with this HTTP status, e.g. {@code
   * POST /apis/apps/v1/namespaces/u-1/deployments 409}.
   */
  public long answers(String method, String path, int status) {
    AtomicLong n = counts.get(method + " " + path + " " + status);
    return n == null ? 0 : n.get();
  }

  /** Non-watch requests of any method and path answered with this HTTP status. */
  public long answers(int status) {
    String suffix = " " + status;
    return counts.entrySet().stream()
        .filter(e -> e.getKey().endsWith(suffix) && e.getKey().split(" ").length == 3)
        .mapToLong(e -> e.getValue().get())
        .sum();
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
