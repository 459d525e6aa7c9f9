package io.astro.common.auth;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies Astro access tokens: ES256 only (the header is checked before any key is used, so {@code
 * none} and HMAC-with-the-public-key tricks never reach a verifier), signature against the
 * published keys, {@code iss}, {@code aud}, and a present, unexpired {@code exp}. A {@code scope}
 * ({@code read} or {@code write}) comes only together with a {@code pat} (the personal API token's
 * id); a token without either is a login token, of full scope.
 */
public final class TokenVerifier {

  private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);
  private static final ApiException INVALID =
      new ApiException(ErrorCode.UNAUTHORIZED, "missing or invalid token");
  private static final Set<String> ROLES = Set.of("user", "admin");

  /** Distinct live tokens remembered as verified: ~1 KiB each. */
  private static final int CACHED_TOKENS = 10_000;

  private final JWTAuth jwt;
  private final VerifiedTokens verified;

  private TokenVerifier(JWTAuth jwt, VerifiedTokens verified) {
    this.jwt = jwt;
    this.verified = verified;
  }

  /** A verifier trusting the given public keys (JWKs, e.g. from user-service's JWKS document). */
  public static TokenVerifier create(Vertx vertx, JwtSettings settings, List<JsonObject> jwks) {
    JWTOptions checks =
        new JWTOptions()
            .setIssuer(settings.issuer())
            .setAudience(List.of(settings.audience()))
            .setLeeway((int) settings.leeway().toSeconds());
    return new TokenVerifier(
        JWTAuth.create(vertx, new JWTAuthOptions().setJwks(jwks).setJWTOptions(checks)),
        new VerifiedTokens(CACHED_TOKENS, Clock.systemUTC()));
  }

  /**
   * The caller a token speaks for; fails with 401 (code 10002) for anything short of a valid token.
   */
  public Future<Caller> verify(String token) {
    if (token == null) {
      return Future.failedFuture(INVALID);
    }
    Caller known = verified.get(token);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    if (!hasPinnedAlgorithm(token)) {
      return Future.failedFuture(INVALID);
    }
    return jwt.authenticate(new TokenCredentials(token))
        .transform(
            done -> {
              if (done.failed()) {
                LOG.debug("token refused: {}", done.cause().getMessage());
                return Future.failedFuture(INVALID);
              }
              return toCaller(done.result());
            })
        .onSuccess(caller -> verified.put(token, caller));
  }

  // Vert.x keeps exp/iat/nbf in the user's attributes and the other claims in its principal; get()
  // reads both
  private static Future<Caller> toCaller(User user) {
    Object uid = user.get("uid");
    Object role = user.get("role");
    Object sub = user.get("sub");
    Object exp = user.get("exp");
    Object jti = user.get("jti");
    Object tv = user.get("tv");
    Object scope = user.get("scope");
    Object pat = user.get("pat");
    Object patName = user.get("pat_name");
    // a scope is only ever issued with the personal token it belongs to
    Optional<TokenScope> granted =
        scope == null ? Optional.of(TokenScope.WRITE) : TokenScope.fromWire(scope);
    if ((scope == null) != (pat == null)
        || (pat != null && !(pat instanceof String))
        || granted.isEmpty()
        || !(uid instanceof Number userId)
        || !ROLES.contains(role)
        || !(sub instanceof String subject)
        || !(exp instanceof Number expiry)
        || (tv != null && !(tv instanceof Number))) {
      return Future.failedFuture(INVALID);
    }
    return Future.succeededFuture(
        new Caller(
            subject,
            userId.longValue(),
            (String) role,
            jti instanceof String id ? id : null,
            Instant.ofEpochSecond(expiry.longValue()),
            tv instanceof Number version ? version.longValue() : 0,
            granted.get(),
            (String) pat,
            pat != null && patName instanceof String name ? name : null));
  }

  private static boolean hasPinnedAlgorithm(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.length() > 8192) {
      return false;
    }
    try {
      JsonObject header =
          new JsonObject(Buffer.buffer(Base64.getUrlDecoder().decode(token.substring(0, dot))));
      return JwtSettings.ALGORITHM.equals(header.getString("alg"));
    } catch (RuntimeException malformed) {
      return false;
    }
  }
}
