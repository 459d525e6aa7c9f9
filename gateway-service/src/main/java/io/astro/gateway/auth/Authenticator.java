package io.astro.gateway.auth;

import io.astro.common.auth.DisabledUsers;
import io.astro.common.auth.KeySource;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Base64;

/**
 * Verifies the bearer token of a protected route with the keys trusted now (common's {@code
 * AuthHandler}, so the {@code Caller} lands where every service expects it). A token naming a key
 * not seen yet makes the {@link KeySource} fetch again first (rate-limited there).
 *
 * <p>Before the keys and the disabled-users list have both loaded once, protected routes answer
 * 503, not 401: the token may well be valid, and a 401 would make clients throw it away.
 */
public final class Authenticator implements Handler<RoutingContext> {

  private static final ApiException NOT_READY =
      new ApiException(ErrorCode.UNAVAILABLE, "authentication is starting up, retry shortly");

  private final KeySource keys;
  private final DisabledUsers disabled;

  public Authenticator(KeySource keys, DisabledUsers disabled) {
    this.keys = keys;
    this.disabled = disabled;
  }

  @Override
  public void handle(RoutingContext ctx) {
    KeySource.TrustedKeys trusted = keys.current();
    if (trusted == null || !disabled.loaded()) {
      ctx.fail(NOT_READY);
      return;
    }
    String keyId = keyId(ctx.request().getHeader("Authorization"));
    if (keyId == null || trusted.keyIds().contains(keyId)) {
      trusted.handler().handle(ctx);
    } else {
      // a fetch already under way completes on its own context; the request goes on on its own
      Context context = Vertx.currentContext();
      keys.refetchFor(keyId)
          .onComplete(done -> context.runOnContext(v -> keys.current().handler().handle(ctx)));
    }
  }

  // the kid of a bearer token's header, or null for anything unreadable (the verifier then refuses
  // it)
  private static String keyId(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = authorization.substring(7).trim();
    int dot = token.indexOf('.');
    if (dot <= 0 || dot > 2048) {
      return null;
    }
    try {
      Object kid =
          new JsonObject(Buffer.buffer(Base64.getUrlDecoder().decode(token.substring(0, dot))))
              .getValue("kid");
      return kid instanceof String s ? s : null;
    } catch (RuntimeException malformed) {
      return null;
    }
  }
}
