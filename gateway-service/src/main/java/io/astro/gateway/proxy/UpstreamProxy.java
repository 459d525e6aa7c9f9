package io.astro.gateway.proxy;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.resilience.Guarded;
import io.astro.common.resilience.Judge;
import io.astro.common.resilience.Verdict;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
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
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Forwards a request to one upstream: the request body streams through; an answer announcing at
 * most 64 KiB is read whole and written at once, any other answer streams through.
 *
 * <p>The upstream's {@link Guarded} drives its resilience4j state machines: the bulkhead is held
 * for the whole exchange (body streaming included); each attempt asks the breaker first and reports
 * to it how the attempt went (connect errors, timeouts and 502/503/504 count as failures; the
 * response head decides, not the body); idempotent requests without a body (GET, HEAD) are retried
 * on a Vert.x timer with exponential back-off — never once the response has started. Refusals
 * (bulkhead full, breaker open, upstream unreachable after the tries) answer 503 with code 30005 at
 * once; nothing waits for a timeout unless the upstream itself is silent. A write the upstream
 * leaves unanswered past the timeout answers 504 (30006) instead: it was sent, so it may have taken
 * effect, and a 503 promises the caller that nothing happened.
 *
 * <p>Streams (log follows, status streams) go through the upstream's stream pool and bulkhead, so
 * however many are open, ordinary calls keep their places; each may stay silent for the stream
 * timeout, and is ended (cleanly: the client sees the end of the answer and reconnects) after the
 * stream lifetime or when the gateway shuts down.
 */
public final class UpstreamProxy implements Handler<RoutingContext> {

  private static final Set<Integer> UNAVAILABLE = Set.of(502, 503, 504);

  /**
   * Answers announcing at most this many bytes are read whole before they are relayed; at most one
   * such buffer per place in the upstream's bulkhead.
   */
  private static final long BUFFERED_BODY_MAX = 64 * 1024;

  private static final ApiException TOO_LARGE = new ApiException(ErrorCode.PAYLOAD_TOO_LARGE);

  /** The client went away between two attempts: nothing left to try for. */
  private static final IllegalStateException CLIENT_GONE =
      new IllegalStateException("the client went away");

  private final Upstream upstream;
  private final Guarded retrying;
  private final Guarded once;
  private final Guarded streamRetrying;
  private final Guarded streamOnce;
  private final ForwardedHeaders forwarded;
  private final Predicate<RoutingContext> streaming;
  private final long timeoutMillis;
  private final long streamTimeoutMillis;
  private final long streamLifetimeMillis;
  private final long bodyLimit;

  public UpstreamProxy(
      Upstream upstream,
      ForwardedHeaders forwarded,
      Predicate<RoutingContext> streaming,
      Duration timeout,
      Duration streamTimeout,
      Duration streamLifetime,
      long bodyLimit) {
    this.upstream = upstream;
    // idempotent requests without a body (GET, HEAD) may be tried again, never the others
    this.retrying = upstream.guard();
    this.once = upstream.guard().once();
    this.streamRetrying = upstream.streamGuard();
    this.streamOnce = upstream.streamGuard().once();
    this.forwarded = forwarded;
    this.streaming = streaming;
    this.timeoutMillis = timeout.toMillis();
    this.streamTimeoutMillis = streamTimeout.toMillis();
    this.streamLifetimeMillis = streamLifetime.toMillis();
    this.bodyLimit = bodyLimit;
  }

  /** One client request on its way through, over one or more attempts. */
  private static final class Exchange {
    final RoutingContext ctx;
    final RequestOptions options;
    final LimitedBody body;
    final boolean stream;
    final boolean idempotent;
    HttpClientRequest out;

    /** Set once the gateway ended a stream itself (lifetime over, shutting down). */
    boolean cut;

    Exchange(
        RoutingContext ctx,
        RequestOptions options,
        LimitedBody body,
        boolean stream,
        boolean idempotent) {
      this.ctx = ctx;
      this.options = options;
      this.body = body;
      this.stream = stream;
      this.idempotent = idempotent;
    }

    /** The client's own failure to send its body, or null. */
    LimitedBody.ClientBodyException clientFailure() {
      return body == null ? null : body.failure();
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest in = ctx.request();
    boolean hasBody = hasBody(in);
    boolean stream = streaming.test(ctx);
    long silence = stream ? streamTimeoutMillis : timeoutMillis;
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
    Exchange exchange =
        new Exchange(
            ctx, options, hasBody ? new LimitedBody(in, bodyLimit) : null, stream, idempotent);
    // the bulkhead place is held for the whole exchange, body streaming included
    Promise<Void> ended = Promise.promise();
    ctx.addEndHandler(done -> ended.tryComplete());
    Guarded guard =
        stream ? (idempotent ? streamRetrying : streamOnce) : idempotent ? retrying : once;
    guard
        .call(() -> attempt(exchange), new Outcomes(exchange), ended.future())
        .onComplete(result -> answered(exchange, result));
  }

  private Future<HttpClientResponse> attempt(Exchange exchange) {
    if (exchange.ctx.response().closed()) {
      return Future.failedFuture(CLIENT_GONE);
    }
    return (exchange.stream ? upstream.streamClient() : upstream.client())
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
            });
  }

  /**
   * Connect errors, timeouts and 502/503/504 count against the upstream (the response head decides,
   * not the body); the client's own failures (gone, body too large or cut) do not.
   */
  private static final class Outcomes implements Judge<HttpClientResponse> {
    private final Exchange exchange;

    Outcomes(Exchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public Verdict ofResult(HttpClientResponse response) {
      return UNAVAILABLE.contains(response.statusCode())
          ? Verdict.failure(new UpstreamStatusException(response.statusCode()))
          : Verdict.SUCCESS;
    }

    @Override
    public Verdict ofFailure(Throwable cause) {
      return cause == CLIENT_GONE || exchange.clientFailure() != null
          ? Verdict.NOT_COUNTED
          : Verdict.failure(cause);
    }

    // a discarded attempt's response is read to its end, so its connection goes back to the pool
    @Override
    public void discard(HttpClientResponse response) {
      response.body();
    }
  }

  private void answered(Exchange exchange, AsyncResult<HttpClientResponse> result) {
    if (result.succeeded()) {
      // a 502/503/504 after the last try is relayed as it is
      relay(exchange, result.result());
      return;
    }
    HttpServerResponse res = exchange.ctx.response();
    LimitedBody.ClientBodyException client = exchange.clientFailure();
    if (client != null) {
      if (client.tooLarge()) {
        res.putHeader(HttpHeaders.CONNECTION, "close");
        exchange.ctx.fail(TOO_LARGE);
      } else if (!res.closed()) {
        res.reset();
      }
      return;
    }
    if (res.closed()) {
      return;
    }
    if (!exchange.idempotent && result.cause() instanceof TimeoutException) {
      exchange.ctx.fail(
          new ApiException(
              ErrorCode.OUTCOME_UNKNOWN,
              upstream.name()
                  + " did not answer in time: the change may or may not have been made; read it"
                  + " back, or repeat the request with the same Idempotency-Key"));
      return;
    }
    exchange.ctx.fail(
        unavailable(result.cause() instanceof BulkheadFullException ? "busy" : "unavailable"));
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
    if (!exchange.stream && announcedSmall(response)) {
      // read whole and written once, as a reverse proxy's buffers do: piped, each read of the
      // upstream's socket became a write and a flush of its own to the client
      response
          .body()
          .onSuccess(res::end)
          .onFailure(
              cause -> {
                // a body cut short must reach the client as cut short, not as a complete one
                exchange.out.reset();
                res.reset();
              });
      return;
    }
    Pipe<Buffer> pipe = response.pipe();
    // a client gone is noticed by the pipe only at its next write, which a quiet stream may not
    // make for long: hang up on the upstream at once, so it ends the stream and frees its place
    exchange.ctx.addEndHandler(
        done -> {
          if (!res.ended()) {
            exchange.out.reset();
          }
        });
    // a body cut short must reach the client as cut short, not as a complete one
    pipe.endOnFailure(false);
    pipe.to(res)
        .onFailure(
            cause -> {
              exchange.out.reset();
              if (!exchange.cut) {
                res.reset();
              }
            });
    if (exchange.stream) {
      bound(exchange, pipe);
    }
  }

  /**
   * A stream ends after its lifetime, and when the gateway shuts down (a graceful shutdown waits
   * for open requests, and a stream never ends by itself): the client's answer ends as a whole one
   * (an SSE client reconnects), the upstream call is reset.
   */
  private void bound(Exchange exchange, Pipe<Buffer> pipe) {
    HttpServerResponse res = exchange.ctx.response();
    Runnable cut =
        () -> {
          if (res.ended() || res.closed()) {
            return;
          }
          exchange.cut = true;
          res.end();
          pipe.close();
          exchange.out.reset();
        };
    long timer = exchange.ctx.vertx().setTimer(streamLifetimeMillis, id -> cut.run());
    exchange.ctx.addEndHandler(done -> exchange.ctx.vertx().cancelTimer(timer));
    exchange.ctx.request().connection().shutdownHandler(v -> cut.run());
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

  private static boolean announcedSmall(HttpClientResponse response) {
    String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return false;
    }
    try {
      return Long.parseLong(length.trim()) <= BUFFERED_BODY_MAX;
    } catch (NumberFormatException e) {
      return false;
    }
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
