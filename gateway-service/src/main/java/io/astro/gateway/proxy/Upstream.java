package io.astro.gateway.proxy;

import io.astro.common.resilience.Guarded;
import io.vertx.core.http.HttpClient;
import java.net.URI;

/**
 * One service behind the gateway with what guards calls to it: its own pool, and its breaker, retry
 * and bulkhead in {@code guard}. Streams (log follows, status streams) hold their connection and
 * bulkhead place for as long as they last, so they have a pool ({@code streamClient}) and a
 * bulkhead ({@code streamGuard}, same breaker and retry) of their own: however many are open,
 * ordinary calls keep theirs.
 */
public record Upstream(
    String name,
    URI base,
    HttpClient client,
    Guarded guard,
    HttpClient streamClient,
    Guarded streamGuard) {

  public int port() {
    return base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
  }

  public boolean ssl() {
    return "https".equals(base.getScheme());
  }
}
