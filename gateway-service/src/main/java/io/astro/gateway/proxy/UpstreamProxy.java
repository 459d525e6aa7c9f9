package io.astro.gateway.proxy;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.Pipe;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Forwards a request to one upstream and streams both bodies through without buffering them.
 *
 * <p>Resilience4j's decorators block, so this drives their state machines from Vert.x callbacks
 * instead: the bulkhead is held for the whole exchange (body streaming included); each attempt asks
 * the breaker first and reports to it how the attempt went (connect errors, timeouts and
 * 502/503/504 count as failures; the response head decides, not the body); idempotent requests
 * without a body (GET, HEAD) are retried on a Vert.x timer with exponential back-off — never once
 * the response has started. Refusals (bulkhead full, breaker open, upstream unreachable after the
 * tries) answer 503 with code 30005 at once; nothing waits for a timeout unless the upstream itself
 * is silent.
 */
public final class UpstreamProxy implements Handler<RoutingContext> {

  private static final Set<Integer> UNAVAILABLE = Set.of(502, 503, 504);
  private static final ApiException TOO_LARGE = new ApiException(ErrorCode.PAYLOAD_TOO_LARGE);

  private final Vertx vertx;
  private final Upstream upstream;
  private final ForwardedHeaders forwarded;
  private final Predicate<HttpServerRequest> streaming;
  private final long timeoutMillis;
  private final long streamTimeoutMillis;
  private final long bodyLimit;

  public UpstreamProxy(
      Vertx vertx,
      Upstream upstream,
      ForwardedHeaders forwarded,
      Predicate<HttpServerRequest> streaming,
      Duration timeout,
      Duration streamTimeout,
      long bodyLimit) {
    this.vertx = vertx;
    this.upstream = upstream;
    this.forwarded = forwarded;
    this.streaming = streaming;
    this.timeoutMillis = timeout.toMillis();
    this.streamTimeoutMillis = streamTimeout.toMillis();
    this.bodyLimit = bodyLimit;
  }

  /** One client request on its way through, over one or more attempts. */
  private static final class Exchange {
    final RoutingContext ctx;
    final RequestOptions options;
    final LimitedBody body;
    final Retry.AsyncContext<Void> retry;
    HttpClientRequest out;

    Exchange(
        RoutingContext ctx,
        RequestOptions options,
        LimitedBody body,
        Retry.AsyncContext<Void> retry) {
      this.ctx = ctx;
      this.options = options;
      this.body = body;
      this.retry = retry;
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest in = ctx.request();
    if (!upstream.bulkhead().tryAcquirePermission()) {
      ctx.fail(unavailable("busy"));
      return;
    }
    ctx.addEndHandler(done -> upstream.bulkhead().onComplete());
    boolean hasBody = hasBody(in);
    long silence = streaming.test(in) ? streamTimeoutMillis : timeoutMillis;
    RequestOptions options =
        new RequestOptions()
            .setMethod(in.method())
            .setHost(upstream.base().getHost())
            .setPort(upstream.port())
            .setSsl(upstream.ssl())
            // the normalized path is the one the routes and the auth decision saw
            .setURI(
                in.query() == null ? ctx.normalizedPath() : ctx.normalizedPath() + "?" + in.query())
            .setHeaders(forwarded.toUpstream(in))
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(silence);
    boolean idempotent =
        !hasBody && (HttpMethod.GET.equals(in.method()) || HttpMethod.HEAD.equals(in.method()));
    if (!hasBody) {
      // nothing to stream: let the (empty) request end so the connection stays usable
      in.resume();
    }
    attempt(
        new Exchange(
            ctx,
            options,
            hasBody ? new LimitedBody(in, bodyLimit) : null,
            idempotent ? upstream.retry().asyncContext() : null));
  }

  private void attempt(Exchange exchange) {
    if (exchange.ctx.response().closed()) {
      return;
    }
    CircuitBreaker breaker = upstream.breaker();
    if (!breaker.tryAcquirePermission()) {
      exchange.ctx.fail(unavailable("unavailable"));
      return;
    }
    long start = System.nanoTime();
    upstream
        .client()
        .request(exchange.options)
        .compose(
            out -> {
              exchange.out = out;
              if (exchange.body == null) {
                return out.send();
              }
              if (!out.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                out.setChunked(true);
              }
              Pipe<Buffer> pipe = exchange.body.pipe();
              pipe.endOnFailure(false);
              pipe.to(out).onFailure(cause -> out.reset(0, cause));
              return out.response();
            })
        .onComplete(result -> answered(exchange, System.nanoTime() - start, result));
  }

  private void answered(Exchange exchange, long nanos, AsyncResult<HttpClientResponse> result) {
    CircuitBreaker breaker = upstream.breaker();
    if (result.failed()) {
      LimitedBody.ClientBodyException client =
          exchange.body == null ? null : exchange.body.failure();
      if (client != null) {
        // the client's doing: neither the breaker nor a retry should hear of it
        breaker.releasePermission();
        if (client.tooLarge()) {
          exchange.ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
          exchange.ctx.fail(TOO_LARGE);
        } else if (!exchange.ctx.response().closed()) {
          exchange.ctx.response().reset();
        }
        return;
      }
      breaker.onError(nanos, TimeUnit.NANOSECONDS, result.cause());
      retryOr(exchange, result.cause(), () -> exchange.ctx.fail(unavailable("unavailable")));
      return;
    }
    HttpClientResponse response = result.result();
    if (UNAVAILABLE.contains(response.statusCode())) {
      UpstreamStatusException failure = new UpstreamStatusException(response.statusCode());
      breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
      retryOr(exchange, failure, () -> relay(exchange, response), response);
      return;
    }
    breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    if (exchange.retry != null) {
      exchange.retry.onComplete();
    }
    relay(exchange, response);
  }

  private void retryOr(Exchange exchange, Throwable failure, Runnable giveUp) {
    retryOr(exchange, failure, giveUp, null);
  }

  // a discarded attempt's response is read to its end, so its connection goes back to the pool
  private void retryOr(
      Exchange exchange, Throwable failure, Runnable giveUp, HttpClientResponse discard) {
    long delay = exchange.retry == null ? -1 : exchange.retry.onError(failure);
    if (delay < 0) {
      giveUp.run();
      return;
    }
    if (discard != null) {
      discard.body();
    }
    vertx.setTimer(Math.max(1, delay), id -> attempt(exchange));
  }

  private void relay(Exchange exchange, HttpClientResponse response) {
    HttpServerResponse res = exchange.ctx.response();
    if (res.closed()) {
      exchange.out.reset();
      return;
    }
    res.setStatusCode(response.statusCode());
    forwarded.toClient(response.headers(), res.headers());
    if (!res.headers().contains(HttpHeaders.CONTENT_LENGTH)
        && mayHaveBody(exchange.ctx.request(), response)
        && exchange.ctx.request().version() != HttpVersion.HTTP_1_0) {
      res.setChunked(true);
    }
    Pipe<Buffer> pipe = response.pipe();
    // a body cut short must reach the client as cut short, not as a complete one
    pipe.endOnFailure(false);
    pipe.to(res)
        .onFailure(
            cause -> {
              exchange.out.reset();
              res.reset();
            });
  }

  private ApiException unavailable(String state) {
    return new ApiException(
        ErrorCode.UNAVAILABLE, upstream.name() + " is " + state + ", retry later");
  }

  private static boolean hasBody(HttpServerRequest in) {
    String length = in.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      return !"0".equals(length.trim());
    }
    if (in.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      return true;
    }
    // HTTP/2 may stream a body without announcing it; only the methods that carry none are sure
    return in.version() == HttpVersion.HTTP_2
        && !HttpMethod.GET.equals(in.method())
        && !HttpMethod.HEAD.equals(in.method());
  }

  private static boolean mayHaveBody(HttpServerRequest in, HttpClientResponse response) {
    int status = response.statusCode();
    return !HttpMethod.HEAD.equals(in.method()) && status != 204 && status != 304 && status >= 200;
  }

  /** An upstream answered, but with a status that says it cannot serve (502/503/504). */
  static final class UpstreamStatusException extends RuntimeException {
    UpstreamStatusException(int status) {
      super("upstream answered " + status, null, false, false);
    }
  }
}
