package io.astro.app.auth;

import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * common's {@link AuthHandler} with keys that may arrive late: either one configured JWK, or the
 * JWKS fetched from user-service in the background — retried with back-off while it is down,
 * refreshed every 10 minutes for key rotation. Until keys are known, protected routes answer 503,
 * so the service can start before user-service.
 */
public final class JwksAuthHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(JwksAuthHandler.class);
  private static final long REFRESH_MS = 10 * 60_000;
  private static final long FIRST_RETRY_MS = 500;
  private static final long MAX_RETRY_MS = 30_000;
  private static final long TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final JwtSettings settings;
  private volatile AuthHandler delegate;

  private JwksAuthHandler(Vertx vertx, JwtSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** Trusts exactly this key. */
  public static JwksAuthHandler withKey(Vertx vertx, JwtSettings settings, JsonObject jwk) {
    JwksAuthHandler handler = new JwksAuthHandler(vertx, settings);
    handler.trust(List.of(jwk));
    return handler;
  }

  /**
   * Starts fetching {@code url} now and keeps it fresh; the timers end when {@code vertx} closes.
   */
  public static JwksAuthHandler fetching(Vertx vertx, JwtSettings settings, String url) {
    JwksAuthHandler handler = new JwksAuthHandler(vertx, settings);
    HttpClient client = vertx.createHttpClient();
    handler.fetch(client, url, FIRST_RETRY_MS);
    return handler;
  }

  @Override
  public void handle(RoutingContext ctx) {
    AuthHandler current = delegate;
    if (current == null) {
      ctx.fail(
          new ApiException(ErrorCode.UNAVAILABLE, "token keys are not loaded yet, retry shortly"));
      return;
    }
    current.handle(ctx);
  }

  private void fetch(HttpClient client, String url, long retryMs) {
    client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url)
                .setConnectTimeout(TIMEOUT_MS)
                .setIdleTimeout(TIMEOUT_MS))
        .compose(request -> request.send())
        .compose(
            response ->
                response.statusCode() == 200
                    ? response.body()
                    : Future.failedFuture("HTTP " + response.statusCode()))
        .map(body -> keys(body.toJsonObject()))
        .onSuccess(
            keys -> {
              if (delegate == null) {
                LOG.info("token keys loaded from {} ({} keys)", url, keys.size());
              }
              trust(keys);
              vertx.setTimer(REFRESH_MS, t -> fetch(client, url, FIRST_RETRY_MS));
            })
        .onFailure(
            failure -> {
              // with keys already known, a failed refresh keeps them; without, the API waits (503)
              // for the next try
              LOG.warn(
                  "fetching token keys from {} failed ({}), retrying in {} ms",
                  url,
                  failure.getMessage(),
                  retryMs);
              vertx.setTimer(retryMs, t -> fetch(client, url, Math.min(retryMs * 2, MAX_RETRY_MS)));
            });
  }

  private void trust(List<JsonObject> keys) {
    delegate = new AuthHandler(TokenVerifier.create(vertx, settings, keys));
  }

  private static List<JsonObject> keys(JsonObject jwks) {
    JsonArray array = jwks.getJsonArray("keys");
    if (array == null || array.isEmpty()) {
      throw new IllegalArgumentException("JWKS without keys");
    }
    List<JsonObject> keys = new ArrayList<>();
    array.forEach(k -> keys.add((JsonObject) k));
    return keys;
  }
}
