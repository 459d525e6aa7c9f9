package io.astro.gateway.ratelimit;

import io.astro.common.auth.AuthHandler;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.gateway.proxy.ForwardedHeaders;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * The gateway's rate limits as route handlers: per client IP where nobody is known yet (register,
 * login), per user (token {@code sub}) behind authentication. Over the limit: 429, code 10008, with
 * {@code Retry-After} in seconds.
 */
public final class RateLimits {

  private static final ApiException LIMITED =
      new ApiException(ErrorCode.RATE_LIMITED, "too many requests, slow down");

  private final KeyedRateLimiter perClientIp;
  private final KeyedRateLimiter perUser;
  private final ForwardedHeaders forwarded;

  public RateLimits(
      KeyedRateLimiter perClientIp, KeyedRateLimiter perUser, ForwardedHeaders forwarded) {
    this.perClientIp = perClientIp;
    this.perUser = perUser;
    this.forwarded = forwarded;
  }

  public Handler<RoutingContext> perClientIp() {
    return limit(perClientIp, forwarded::clientIp);
  }

  /**
   * Takes one request from the client IP's budget of login and register for a credential the
   * gateway must ask user-service about (a personal token it has not seen): guessing personal
   * tokens is then held to the rate of guessing passwords, and a guesser cannot turn every request
   * into a database lookup. Over it, {@code ctx} fails 429 with {@code Retry-After} and the answer
   * is false.
   */
  public boolean takeCredentialCheck(RoutingContext ctx) {
    KeyedRateLimiter.Decision decision = perClientIp.tryAcquire(forwarded.clientIp(ctx));
    if (decision.allowed()) {
      return true;
    }
    ctx.response().putHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
    ctx.fail(LIMITED);
    return false;
  }

  /** Mounted after authentication: keys on the verified caller. */
  public Handler<RoutingContext> perUser() {
    return limit(perUser, ctx -> AuthHandler.caller(ctx).uuid());
  }

  private static Handler<RoutingContext> limit(
      KeyedRateLimiter limiter, Function<RoutingContext, String> key) {
    return ctx -> {
      KeyedRateLimiter.Decision decision = limiter.tryAcquire(key.apply(ctx));
      if (decision.allowed()) {
        ctx.next();
      } else {
        ctx.response().putHeader("Retry-After", Long.toString(decision.retryAfterSeconds()));
        ctx.fail(LIMITED);
      }
    };
  }
}
