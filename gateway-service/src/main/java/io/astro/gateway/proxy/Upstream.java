package io.astro.gateway.proxy;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.vertx.core.http.HttpClient;
import java.net.URI;

/**
 * One service behind the gateway with what guards calls to it: its own pool, breaker, retry and
 * bulkhead.
 */
public record Upstream(
    String name,
    URI base,
    HttpClient client,
    CircuitBreaker breaker,
    Retry retry,
    Bulkhead bulkhead) {

  public int port() {
    return base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
  }

  public boolean ssl() {
    return "https".equals(base.getScheme());
  }
}
