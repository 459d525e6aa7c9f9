package io.astro.app.clusters;

import io.astro.app.AppServiceConfig;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.RequestIds;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' cluster views (nodes, namespaces, events; cordon, drain, node labels and taints),
 * relayed to the sync-worker's internal endpoints as app logs are ({@code
 * docs/sync-worker-views.md}): the sync-worker holds the cluster credentials and checks what is
 * sent; its answers (our envelope) are passed on as they are, except: an unknown cluster or a
 * refused token → 503 (30005), and no answer → 503 (30005).
 */
public final class ClusterViews {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterViews.class);
  private static final int CONNECTIONS = 16;

  private final URI base;
  private final String token;
  private final long timeoutMillis;
  private final HttpClient http;

  ClusterViews(URI base, String token, long timeoutMillis, HttpClient http) {
    this.base = base;
    this.token = token;
    this.timeoutMillis = timeoutMillis;
    this.http = http;
  }

  public static ClusterViews create(Vertx vertx, AppServiceConfig.SyncWorker settings) {
    HttpClientOptions options =
        new HttpClientOptions()
            .setKeepAlive(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()));
    return new ClusterViews(
        settings.url(),
        settings.internalToken(),
        settings.timeout().toMillis(),
        vertx.createHttpClient(
            options, new PoolOptions().setHttp1MaxSize(CONNECTIONS).setMaxWaitQueueSize(64)));
  }

  /**
   * Relays {@code ctx}'s method, body and query to {@code /internal/v1/clusters/{cluster}{tail}}.
   *
   * @param tail the path after the cluster, its segments already checked by the route
   */
  public void relay(RoutingContext ctx, String cluster, String tail) {
    if (token == null) {
      ctx.fail(
          new ApiException(
              ErrorCode.UNAVAILABLE, "cluster views are not configured on this server"));
      return;
    }
    MultiMap headers = HttpHeaders.headers().set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    RequestIds.propagate(headers);
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body != null && body.length() > 0) {
      headers.set(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    String query = ctx.request().query();
    String prefix = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    RequestOptions options =
        new RequestOptions()
            .setMethod(ctx.request().method())
            .setHost(base.getHost())
            .setPort(
                base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80)
            .setSsl("https".equals(base.getScheme()))
            .setURI(
                prefix
                    + "/internal/v1/clusters/"
                    + URLEncoder.encode(cluster, StandardCharsets.UTF_8)
                    + tail
                    + (query == null || query.isEmpty() ? "" : "?" + query))
            .setHeaders(headers)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis);
    http.request(options)
        .compose(
            request ->
                (body != null && body.length() > 0 ? request.send(body) : request.send())
                    .compose(
                        response -> response.body().map(b -> new Answer(response.statusCode(), b))))
        .onSuccess(answer -> answered(ctx, cluster, answer))
        .onFailure(
            cause -> {
              LOG.warn("sync-worker cluster views call failed: {}", cause.toString());
              if (!ctx.response().closed()) {
                ctx.fail(unavailable(cluster));
              }
            });
  }

  private record Answer(int status, Buffer body) {}

  private static void answered(RoutingContext ctx, String cluster, Answer answer) {
    if (ctx.response().closed()) {
      return;
    }
    JsonObject envelope = envelope(answer.body());
    Object data = envelope == null ? null : envelope.getValue("data");
    Object missing = data instanceof JsonObject fields ? fields.getValue("missing") : null;
    if (answer.status() == 401) {
      LOG.error(
          "the sync-worker refused the internal token: ASTRO_INTERNAL_TOKEN differs between"
              + " app-service and sync-worker");
      ctx.fail(unavailable(cluster));
    } else if (answer.status() == 404 && "cluster".equals(missing)) {
      // the worker has not loaded it (yet): its connection is the worker's business
      ctx.fail(unavailable(cluster));
    } else if (envelope != null) {
      ctx.response()
          .setStatusCode(answer.status())
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
          .end(answer.body());
    } else {
      LOG.warn("sync-worker cluster views call answered {} unexpectedly", answer.status());
      ctx.fail(unavailable(cluster));
    }
  }

  private static JsonObject envelope(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      JsonObject json = body.toJsonObject();
      return json.getValue("code") instanceof Integer ? json : null;
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static ApiException unavailable(String cluster) {
    return new ApiException(
        ErrorCode.UNAVAILABLE, "cluster " + cluster + " cannot be read right now, retry later");
  }
}
