package io.astro.app.logs;

import io.astro.app.AppServiceConfig;
import io.astro.app.apps.App;
import io.astro.common.auth.AuthHandler;
import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.RequestIds;
import io.astro.common.http.StreamSlots;
import io.astro.common.kube.KubeNames;
import io.astro.common.resilience.Guarded;
import io.astro.common.resilience.Judge;
import io.astro.common.resilience.Verdict;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.Pipe;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an app's logs from the sync-worker's internal endpoint and streams them to the caller,
 * never buffering them (a tail of 5000 lines per pod, or a follow stream that lasts as long as the
 * caller listens).
 *
 * <p>A timeout on connecting and on silence (3 s; a follow stream may stay silent for 10 minutes
 * once it started) and a circuit breaker guard the call, driven by common's {@link Guarded} as in
 * the gateway: permission first, then success or failure once the response head is in. Failures are
 * the sync-worker's own: no connection, silence, 502/504. Its 503s (a cluster it cannot reach, too
 * many streams) are answers, passed on; counting them would shut every app's logs because of one
 * cluster. Open breaker, unreachable worker → 503 (30005) at once.
 *
 * <p>A follow stream takes one of its user's stream places ({@link StreamSlots}, shared with the
 * status stream) for its whole life, and is ended after the stream lifetime (the client
 * reconnects).
 */
public final class SyncWorkerLogs {

  private static final Logger LOG = LoggerFactory.getLogger(SyncWorkerLogs.class);
  private static final long FOLLOW_SILENCE_MILLIS = Duration.ofMinutes(10).toMillis();
  private static final String TEXT = "text/plain; charset=utf-8";

  /** Concurrent tail calls; more wait briefly (bounded queue), then 503. */
  private static final int TAIL_CONNECTIONS = 32;

  /**
   * Concurrent follow streams, each holding a connection; the sync-worker bounds its pod streams
   * too.
   */
  private static final int FOLLOW_CONNECTIONS = 256;

  private final URI base;
  private final String token;
  private final long timeoutMillis;
  private final HttpClient tails;
  private final HttpClient follows;
  private final Guarded guard;
  private final StreamSlots streams;
  private final long lifetimeMillis;

  public SyncWorkerLogs(
      URI base,
      String token,
      Duration timeout,
      HttpClient tails,
      HttpClient follows,
      Guarded guard,
      StreamSlots streams,
      Duration lifetime) {
    this.base = base;
    this.token = token;
    this.timeoutMillis = timeout.toMillis();
    this.tails = tails;
    this.follows = follows;
    this.guard = guard;
    this.streams = streams;
    this.lifetimeMillis = lifetime.toMillis();
  }

  /**
   * Two connection pools, so follow streams (which hold theirs) can never starve tails; the breaker
   * (opens at 50 % failures of the last 20 calls, at least 10) is exported as {@code
   * resilience4j_circuitbreaker_*{name="sync-worker"}}.
   */
  public static SyncWorkerLogs create(
      Vertx vertx,
      AppServiceConfig.SyncWorker settings,
      StreamSlots streams,
      Duration lifetime,
      MeterRegistry registry) {
    if (settings.internalToken() == null) {
      LOG.warn(
          "ASTRO_INTERNAL_TOKEN is not set: app logs answer 503 until it is (the same value as the sync-worker's)");
    }
    CircuitBreakerRegistry breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(settings.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                .build());
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
    HttpClientOptions options =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()));
    return new SyncWorkerLogs(
        settings.url(),
        settings.internalToken(),
        settings.timeout(),
        vertx.createHttpClient(
            options, new PoolOptions().setHttp1MaxSize(TAIL_CONNECTIONS).setMaxWaitQueueSize(64)),
        vertx.createHttpClient(
            options, new PoolOptions().setHttp1MaxSize(FOLLOW_CONNECTIONS).setMaxWaitQueueSize(0)),
        Guarded.by(vertx, breakers.circuitBreaker("sync-worker")),
        streams,
        lifetime);
  }

  /** Answers {@code ctx} with the logs of {@code app}'s Deployment. */
  public void relay(RoutingContext ctx, App app, LogQuery query) {
    if (token == null) {
      ctx.fail(
          new ApiException(ErrorCode.UNAVAILABLE, "app logs are not configured on this server"));
      return;
    }
    if (query.follow() && !streams.take(ctx, AuthHandler.caller(ctx).uuid())) {
      return;
    }
    MultiMap headers = HttpHeaders.headers().set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    boolean json = wantsJson(accept, query);
    if (json) {
      // read as text, answered as JSON lines once whole
      headers.set(HttpHeaders.ACCEPT, TEXT);
    } else if (accept != null) {
      // the sync-worker picks server-sent events or plain text for a follow stream from it
      headers.set(HttpHeaders.ACCEPT, accept);
    }
    RequestIds.propagate(headers);
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(base.getHost())
            .setPort(
                base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80)
            .setSsl("https".equals(base.getScheme()))
            .setURI(path(app) + "?" + query.toQueryString())
            .setHeaders(headers)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis);
    HttpClientRequest[] out = new HttpClientRequest[1];
    guard
        .call(
            () ->
                (query.follow() ? follows : tails)
                    .request(options)
                    .compose(
                        request -> {
                          out[0] = request;
                          return request.send();
                        }),
            OUTCOMES)
        .onComplete(result -> answered(ctx, query, json, out[0], result));
  }

  /**
   * JSON lines for a tail whose caller asks for {@code application/json} (and not for a stream: a
   * follow stream stays text or server-sent events).
   */
  private static boolean wantsJson(String accept, LogQuery query) {
    return !query.follow()
        && accept != null
        && accept.toLowerCase(java.util.Locale.ROOT).contains("application/json")
        && !accept.contains("text/event-stream");
  }

  /**
   * The envelope of a JSON tail: {@code data.lines} as {pod, container, line}, and {@code
   * data.logs} the text as one string. A line of Astro's own ({@code (…)}, no pod prefix) has a
   * null pod.
   */
  static JsonObject jsonLines(String text, String container) {
    JsonArray lines = new JsonArray();
    for (String raw : text.split("\n")) {
      if (raw.isEmpty()) {
        continue;
      }
      String pod = null;
      String line = raw;
      if (raw.startsWith("[")) {
        int end = raw.indexOf("] ");
        if (end > 0) {
          pod = raw.substring(1, end);
          line = raw.substring(end + 2);
        }
      }
      lines.add(new JsonObject().put("pod", pod).put("container", container).put("line", line));
    }
    return new JsonObject().put("lines", lines).put("logs", text);
  }

  /**
   * The sync-worker's own failures count against the breaker: no connection, silence, 502/504. Its
   * 503s are answers about a cluster, not about the sync-worker.
   */
  private static final Judge<HttpClientResponse> OUTCOMES =
      new Judge<>() {
        @Override
        public Verdict ofResult(HttpClientResponse response) {
          int status = response.statusCode();
          return status == 502 || status == 504
              ? Verdict.failure(new IllegalStateException("sync-worker answered " + status))
              : Verdict.SUCCESS;
        }

        @Override
        public Verdict ofFailure(Throwable cause) {
          return Verdict.failure(cause);
        }
      };

  private String path(App app) {
    String prefix = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    return prefix
        + "/internal/v1/clusters/"
        + segment(app.clusterId())
        + "/namespaces/"
        + segment(app.namespace())
        + "/deployments/"
        + segment(app.k8sName())
        + "/logs";
  }

  private void answered(
      RoutingContext ctx,
      LogQuery query,
      boolean json,
      HttpClientRequest out,
      AsyncResult<HttpClientResponse> result) {
    if (result.failed()) {
      if (!(result.cause() instanceof CallNotPermittedException)) {
        LOG.warn("sync-worker logs call failed: {}", result.cause().toString());
      }
      if (!ctx.response().closed()) {
        ctx.fail(unavailable());
      }
      return;
    }
    HttpClientResponse response = result.result();
    int status = response.statusCode();
    if (ctx.response().closed()) {
      out.reset();
      return;
    }
    String container = query.container() == null ? KubeNames.APP_CONTAINER : query.container();
    if (status == 200 && json) {
      response
          .body()
          .onSuccess(body -> ApiResponse.ok(ctx, jsonLines(body.toString(), container)))
          .onFailure(
              cause -> {
                if (!ctx.response().closed()) {
                  ctx.fail(unavailable());
                }
              });
      return;
    }
    if (status == 200) {
      stream(ctx, query, out, response);
      return;
    }
    // error answers are small envelopes: read whole, then decide what they mean for the caller
    response
        .body()
        .onComplete(
            body -> refused(ctx, status, body.succeeded() ? body.result() : null, json, container));
  }

  private void stream(
      RoutingContext ctx, LogQuery query, HttpClientRequest out, HttpClientResponse response) {
    HttpServerResponse res = ctx.response();
    String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
    res.setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, type == null ? TEXT : type);
    String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      res.putHeader(HttpHeaders.CONTENT_LENGTH, length);
    } else {
      res.setChunked(true);
    }
    if (query.follow()) {
      out.idleTimeout(FOLLOW_SILENCE_MILLIS);
      res.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
          // compressing would hold lines back; proxies (nginx) must not buffer them either
          .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
          .putHeader("X-Accel-Buffering", "no");
      // a graceful shutdown waits for open requests, and a stream never ends by itself: end it
      // then, and after its lifetime (the client reconnects)
      Handler<Void> cut =
          v -> {
            if (!res.ended() && !res.closed()) {
              res.end();
            }
            out.reset();
          };
      ctx.request().connection().shutdownHandler(cut);
      long lifetime = ctx.vertx().setTimer(lifetimeMillis, id -> cut.handle(null));
      ctx.addEndHandler(done -> ctx.vertx().cancelTimer(lifetime));
    }
    // the caller went away: hang up on the sync-worker too, so it closes the pods' log streams
    res.closeHandler(v -> out.reset());
    Pipe<Buffer> pipe = response.pipe();
    // a body cut short must reach the caller as cut short, not as a complete one
    pipe.endOnFailure(false);
    pipe.to(res)
        .onFailure(
            cause -> {
              out.reset();
              if (!res.ended() && !res.closed()) {
                res.reset();
              }
            });
  }

  private void refused(
      RoutingContext ctx, int status, Buffer body, boolean json, String container) {
    JsonObject envelope = envelope(body);
    Object data = envelope == null ? null : envelope.getValue("data");
    Object missing = data instanceof JsonObject fields ? fields.getValue("missing") : null;
    if (status == 404 && "deployment".equals(missing)) {
      // not created yet (pending) or already removed (deleting): no pods, so no lines
      if (json) {
        ApiResponse.ok(ctx, jsonLines("", container));
      } else {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end();
      }
    } else if (status == 404 && "cluster".equals(missing)) {
      ctx.fail(
          new ApiException(
              ErrorCode.UNAVAILABLE, "the app's cluster cannot be read right now, retry later"));
    } else if (status == 401) {
      // the caller's token is fine; ours is not — never answer 401, clients would drop a valid
      // session
      LOG.error(
          "the sync-worker refused the internal token: ASTRO_INTERNAL_TOKEN differs between app-service and"
              + " sync-worker");
      ctx.fail(unavailable());
    } else if (envelope != null && status >= 400 && status != 404) {
      // its own verdict in our envelope (400 naming a field, 503 cluster unreachable, ...): passed
      // on as it is
      ctx.response()
          .setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
          .end(body);
    } else {
      LOG.warn("sync-worker logs call answered {} unexpectedly", status);
      ctx.fail(unavailable());
    }
  }

  private static JsonObject envelope(Buffer body) {
    if (body == null) {
      return null;
    }
    try {
      JsonObject json = body.toJsonObject();
      return json.getValue("code") instanceof Integer ? json : null;
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static ApiException unavailable() {
    return new ApiException(
        ErrorCode.UNAVAILABLE, "app logs are unavailable right now, retry later");
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
