package io.astro.common.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Requires a valid bearer token and makes its {@link Caller} available to later handlers. Services
 * mount it too, not only the gateway: a request that bypasses the gateway still needs a valid
 * token.
 */
public final class AuthHandler implements Handler<RoutingContext> {

  private static final String CALLER = "astro.caller";
  private static final String BEARER = "Bearer ";

  private final TokenVerifier verifier;

  public AuthHandler(TokenVerifier verifier) {
    this.verifier = verifier;
  }

  @Override
  public void handle(RoutingContext ctx) {
    authenticate(ctx).onSuccess(caller -> ctx.next()).onFailure(ctx::fail);
  }

  /**
   * Verifies the request's bearer token and keeps its caller for {@link #caller}, without going on
   * to the next handler: for an owner with checks of its own to make first.
   */
  public Future<Caller> authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String token =
        header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
            ? header.substring(BEARER.length()).trim()
            : null;
    return verifier.verify(token).onSuccess(caller -> ctx.put(CALLER, caller));
  }

  /** The verified caller of a request that passed this handler. */
  public static Caller caller(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER);
    if (caller == null) {
      throw new IllegalStateException("route is not behind AuthHandler");
    }
    return caller;
  }
}
