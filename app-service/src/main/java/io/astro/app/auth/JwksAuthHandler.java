package io.astro.app.auth;

import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.DisabledUsers;
import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.KeySource;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * common's {@link AuthHandler} with keys that may arrive late: either one configured JWK, or the
 * JWKS fetched from user-service by common's {@link KeySource} — retried with back-off while it is
 * down, refreshed every 10 minutes for key rotation. Until keys are known, protected routes answer
 * 503, so the service can start before user-service. A valid token of a disabled account is then
 * refused by common's {@link DisabledUsers} (user-service's list, polled as the gateway polls it),
 * so reaching the service directly does not get around disabling an account.
 */
public final class JwksAuthHandler implements Handler<RoutingContext> {

  private static final Duration REFRESH = Duration.ofMinutes(10);
  private static final long TIMEOUT_MS = 3_000;

  private final Supplier<AuthHandler> current;
  private final DisabledUsers disabled;

  private JwksAuthHandler(Supplier<AuthHandler> current, DisabledUsers disabled) {
    this.current = current;
    this.disabled = disabled;
  }

  /** Trusts exactly this key. */
  public static JwksAuthHandler withKey(
      Vertx vertx, JwtSettings settings, JsonObject jwk, DisabledUsers disabled) {
    AuthHandler handler = new AuthHandler(TokenVerifier.create(vertx, settings, List.of(jwk)));
    return new JwksAuthHandler(() -> handler, disabled);
  }

  /**
   * Starts fetching {@code url} now and keeps it fresh; the timers end when {@code vertx} closes.
   */
  public static JwksAuthHandler fetching(
      Vertx vertx, JwtSettings settings, String url, DisabledUsers disabled) {
    HttpClient client = vertx.createHttpClient();
    KeySource keys = KeySource.jwks(settings, () -> document(client, url), REFRESH);
    // its start completes after the first try, whatever the outcome: nothing to wait for here
    vertx.deployVerticle(keys);
    return new JwksAuthHandler(
        () -> {
          KeySource.TrustedKeys trusted = keys.current();
          return trusted == null ? null : trusted.handler();
        },
        disabled);
  }

  /**
   * user-service's list of disabled accounts at {@code url}, read every {@code every} once
   * deployed.
   */
  public static DisabledUsers disabledUsers(
      Vertx vertx, URI url, Duration every, MeterRegistry registry) {
    HttpClient client = vertx.createHttpClient();
    return new DisabledUsers(() -> document(client, url.toString()), every, registry, "astro.app");
  }

  /** Whether the keys to verify tokens with are known (protected routes answer 503 until then). */
  public boolean keysLoaded() {
    return current.get() != null;
  }

  @Override
  public void handle(RoutingContext ctx) {
    AuthHandler handler = current.get();
    if (handler == null) {
      ctx.fail(
          new ApiException(ErrorCode.UNAVAILABLE, "token keys are not loaded yet, retry shortly"));
      return;
    }
    handler
        .authenticate(ctx)
        .onSuccess(caller -> disabled.refuseDisabled(ctx))
        .onFailure(ctx::fail);
  }

  private static Future<JsonObject> document(HttpClient client, String url) {
    return client
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
        .map(body -> body.toJsonObject());
  }
}
