package io.astro.common.auth;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Requires a valid bearer token and makes its {@link Caller} available to later handlers. Services
 * mount it too, not only the gateway: a request that bypasses the gateway still needs a valid
 * token. A token of scope {@code read} may only read: anything but GET, HEAD and OPTIONS answers
 * 403 / 10012 ({@link #admit}), the one place every service makes that check.
 */
public final class AuthHandler implements Handler<RoutingContext> {

  private static final String CALLER = "astro.caller";
  private static final String BEARER = "Bearer ";
  private static final ApiException READ_ONLY =
      new ApiException(
          ErrorCode.INSUFFICIENT_SCOPE,
          "this token has scope read: it may only read (GET), not change anything",
          new JsonObject().put("scope", "read").put("required", "write"));
  private static final ApiException LOGIN_ONLY =
      new ApiException(
          ErrorCode.INSUFFICIENT_SCOPE,
          "this needs a login token, not a personal API token",
          new JsonObject().put("required", "login"));

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
    return verifier.verify(bearerToken(ctx)).compose(caller -> admit(ctx, caller));
  }

  /** The bearer token of a request's {@code Authorization} header, or null. */
  public static String bearerToken(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    return header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
        ? header.substring(BEARER.length()).trim()
        : null;
  }

  /**
   * Lets a verified caller make this request — refused with 403 / 10012 when its token's scope does
   * not allow the method — and keeps it for {@link #caller}. For an owner that verified the token
   * some other way (a cache of its own).
   */
  public static Future<Caller> admit(RoutingContext ctx, Caller caller) {
    // kept before the scope check, so a refused write still names who tried it (the audit trail)
    ctx.put(CALLER, caller);
    if (caller.scope() == TokenScope.READ && !reads(ctx.request().method())) {
      return Future.failedFuture(READ_ONLY);
    }
    return Future.succeededFuture(caller);
  }

  /**
   * Route handler after this one: refuses a token exchanged for a personal API token (403 / 10012)
   * where only a signed-in user may act — managing personal tokens, changing password or email — so
   * a leaked CI token cannot make itself permanent or take the account over.
   */
  public static void requireLoginToken(RoutingContext ctx) {
    if (caller(ctx).viaPersonalToken()) {
      ctx.fail(LOGIN_ONLY);
    } else {
      ctx.next();
    }
  }

  private static boolean reads(HttpMethod method) {
    return HttpMethod.GET.equals(method)
        || HttpMethod.HEAD.equals(method)
        || HttpMethod.OPTIONS.equals(method);
  }

  /** The verified caller of a request, or null when it has not passed this handler (or failed). */
  public static Caller callerOrNull(RoutingContext ctx) {
    return ctx.get(CALLER);
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
