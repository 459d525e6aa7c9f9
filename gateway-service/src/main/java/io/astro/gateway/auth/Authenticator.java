package io.astro.gateway.auth;

import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.Caller;
import io.astro.common.auth.DisabledUsers;
import io.astro.common.auth.KeySource;
import io.astro.common.auth.PersonalTokenFormat;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.auth.VerifiedTokens;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Base64;
import java.util.function.Predicate;

/**
 * Verifies the bearer token of a protected route with the keys trusted now (common's {@code
 * AuthHandler}, so the {@code Caller} lands where every service expects it). A token naming a key
 * not seen yet makes the {@link KeySource} fetch again first (rate-limited there).
 *
 * <p>Each distinct JWT is verified once: its caller is kept until the token expires, in a bounded
 * cache that belongs to the set of keys trusted when it was filled (a key rotation starts an empty
 * one), keyed by the {@code Authorization} header's exact text, so a known token is not even cut
 * out of its header, let alone parsed, again. A personal API token ({@code astro_pat_...}) is
 * traded for an access token by {@link PersonalTokens}, which then replaces it in the request sent
 * upstream. What may change while a token lives — a disabled user, a password change, a revoked
 * personal token — is checked per request by the {@code DisabledUsers} handler after this one.
 *
 * <p>Before the keys and the disabled-users list have both loaded once, protected routes answer
 * 503, not 401: the token may well be valid, and a 401 would make clients throw it away.
 */
public final class Authenticator implements Handler<RoutingContext> {

  private static final ApiException NOT_READY =
      new ApiException(ErrorCode.UNAVAILABLE, "authentication is starting up, retry shortly");

  private final KeySource keys;
  private final DisabledUsers disabled;
  private final PersonalTokens personalTokens;
  private final int capacity;
  private final Predicate<RoutingContext> credentialChecks;
  private volatile Verified verified;

  // the callers of tokens verified with one set of trusted keys
  private record Verified(TokenVerifier verifier, VerifiedTokens callers) {}

  /**
   * @param capacity distinct JWTs whose callers are kept
   * @param credentialChecks takes one from the client's budget for a personal token not known yet
   *     (its exchange asks user-service); false when spent, with {@code ctx} failed (429)
   */
  public Authenticator(
      KeySource keys,
      DisabledUsers disabled,
      PersonalTokens personalTokens,
      int capacity,
      Predicate<RoutingContext> credentialChecks) {
    this.credentialChecks = credentialChecks;
    this.keys = keys;
    this.disabled = disabled;
    this.personalTokens = personalTokens;
    this.capacity = capacity;
  }

  @Override
  public void handle(RoutingContext ctx) {
    KeySource.TrustedKeys trusted = keys.current();
    if (trusted == null || !disabled.loaded()) {
      ctx.fail(NOT_READY);
      return;
    }
    // keyed by the header exactly as it came: a known token costs one lookup, no copy of it
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    VerifiedTokens callers = callersFor(trusted);
    Caller known = header == null ? null : callers.get(header);
    if (known != null) {
      admit(ctx, AuthHandler.admit(ctx, known));
      return;
    }
    String token = AuthHandler.bearerToken(ctx);
    if (PersonalTokenFormat.claims(token)) {
      personal(ctx, token);
      return;
    }
    String keyId = keyId(token);
    if (keyId == null || trusted.keyIds().contains(keyId)) {
      verify(ctx, trusted, header, callers);
    } else {
      // a fetch already under way completes on its own context; the request goes on on its own
      Context context = Vertx.currentContext();
      keys.refetchFor(keyId)
          .onComplete(
              done ->
                  context.runOnContext(
                      v -> {
                        KeySource.TrustedKeys now = keys.current();
                        verify(ctx, now, header, callersFor(now));
                      }));
    }
  }

  private void verify(
      RoutingContext ctx, KeySource.TrustedKeys trusted, String header, VerifiedTokens callers) {
    admit(
        ctx, trusted.handler().authenticate(ctx).onSuccess(caller -> callers.put(header, caller)));
  }

  // the request goes on with the access token in place of the personal one, on its own context
  private void personal(RoutingContext ctx, String secret) {
    if (!personalTokens.known(secret) && !credentialChecks.test(ctx)) {
      return; // a guesser's budget is spent: answered 429 without asking user-service
    }
    Context context = Vertx.currentContext();
    personalTokens
        .resolve(secret)
        .onComplete(
            done ->
                context.runOnContext(
                    v -> {
                      if (done.failed()) {
                        ctx.fail(done.cause());
                        return;
                      }
                      ctx.request()
                          .headers()
                          .set(HttpHeaders.AUTHORIZATION, "Bearer " + done.result().accessToken());
                      admit(ctx, AuthHandler.admit(ctx, done.result().caller()));
                    }));
  }

  private static void admit(RoutingContext ctx, Future<Caller> admitted) {
    admitted.onSuccess(caller -> ctx.next()).onFailure(ctx::fail);
  }

  private VerifiedTokens callersFor(KeySource.TrustedKeys trusted) {
    Verified current = verified;
    // a new verifier comes with every change of the trusted keys
    if (current == null || current.verifier() != trusted.verifier()) {
      current = new Verified(trusted.verifier(), new VerifiedTokens(capacity, Clock.systemUTC()));
      verified = current;
    }
    return current.callers();
  }

  // the kid of a bearer token's header, or null for anything unreadable (the verifier then refuses
  // it)
  private static String keyId(String token) {
    if (token == null) {
      return null;
    }
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
