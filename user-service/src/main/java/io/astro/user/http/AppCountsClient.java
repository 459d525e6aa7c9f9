package io.astro.user.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks app-service how many live apps each account has ({@code GET /internal/v1/app-counts}), for
 * the operators' list of accounts. app-service owns the apps, so asking it is always current (a
 * count kept from events would lag and need a consumer here). When it does not answer in time the
 * list is still served, its counts null: an operator's listing never waits on, or fails with, the
 * apps.
 */
public final class AppCountsClient {

  private static final Logger LOG = LoggerFactory.getLogger(AppCountsClient.class);

  private final HttpClient client;
  private final URI base;
  private final Duration timeout;

  public AppCountsClient(Vertx vertx, URI appService, Duration timeout) {
    this.client = vertx.createHttpClient(new HttpClientOptions());
    this.base = appService;
    this.timeout = timeout;
  }

  /** User id → live apps; empty when app-service did not answer. */
  public Future<Map<Long, Long>> counts(List<Long> userIds) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String query = userIds.stream().map(id -> "user_id=" + id).collect(Collectors.joining("&"));
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(base.getHost())
            .setPort(base.getPort() == -1 ? 80 : base.getPort())
            .setURI("/internal/v1/app-counts?" + query)
            .setIdleTimeout(timeout.toMillis())
            .setConnectTimeout(timeout.toMillis());
    return client
        .request(options)
        .compose(request -> request.send())
        .compose(
            response ->
                response.statusCode() == 200
                    ? response.body()
                    : Future.failedFuture("app-service answered " + response.statusCode()))
        .map(
            body -> {
              JsonObject counts = body.toJsonObject().getJsonObject("data").getJsonObject("counts");
              Map<Long, Long> byUser = new HashMap<>();
              counts.forEach(
                  e -> byUser.put(Long.parseLong(e.getKey()), ((Number) e.getValue()).longValue()));
              return byUser;
            })
        .otherwise(
            failure -> {
              LOG.warn("app counts unavailable: {}", failure.getMessage());
              return Map.of();
            });
  }
}
