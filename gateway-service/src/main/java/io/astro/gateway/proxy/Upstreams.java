package io.astro.gateway.proxy;

import io.astro.common.resilience.Guarded;
import io.astro.gateway.GatewayConfig;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Duration;

/**
 * Builds {@link Upstream}s from the resilience settings, and exports every breaker, retry and
 * bulkhead to the service's Prometheus registry ({@code resilience4j_circuitbreaker_state}, {@code
 * resilience4j_retry_calls_total}, {@code resilience4j_bulkhead_available_concurrent_calls}, ...).
 */
public final class Upstreams {

  private final Vertx vertx;
  private final GatewayConfig.Resilience settings;
  private final CircuitBreakerRegistry breakers;
  private final RetryRegistry retries;
  private final BulkheadRegistry bulkheads;
  private final BulkheadConfig streamBulkhead;
  private final int streams;

  /**
   * @param streams concurrent streams per upstream, bounded apart from ordinary calls
   */
  public Upstreams(
      Vertx vertx, GatewayConfig.Resilience settings, int streams, MeterRegistry registry) {
    this.vertx = vertx;
    this.settings = settings;
    this.streams = streams;
    this.breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minCalls())
                .failureRateThreshold(settings.failureRate())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
                .build());
    this.retries =
        RetryRegistry.of(
            RetryConfig.custom()
                .maxAttempts(settings.retryAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialRandomBackoff(settings.retryBackoff(), 2.0, 0.5))
                // an open breaker is an answer, not a glitch worth another try
                .retryOnException(e -> !(e instanceof CallNotPermittedException))
                .build());
    this.bulkheads =
        BulkheadRegistry.of(
            BulkheadConfig.custom()
                .maxConcurrentCalls(settings.bulkhead())
                // full means full: refuse at once instead of parking a request
                .maxWaitDuration(Duration.ZERO)
                .build());
    this.streamBulkhead =
        BulkheadConfig.custom().maxConcurrentCalls(streams).maxWaitDuration(Duration.ZERO).build();
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
    TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(registry);
    TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(registry);
  }

  public Upstream create(String name, URI base) {
    HttpClientOptions options =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()));
    // the bulkhead bounds concurrent calls; requests must never queue behind a smaller pool
    PoolOptions pool = new PoolOptions().setHttp1MaxSize(settings.bulkhead());
    Guarded guard = Guarded.by(vertx, breakers.circuitBreaker(name)).retrying(retries.retry(name));
    // streams are exported as resilience4j_bulkhead_*{name="<upstream>-streams"}
    return new Upstream(
        name,
        base,
        vertx.createHttpClient(options, pool),
        guard.bounded(bulkheads.bulkhead(name)),
        vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(streams)),
        guard.bounded(bulkheads.bulkhead(name + "-streams", streamBulkhead)));
  }
}
