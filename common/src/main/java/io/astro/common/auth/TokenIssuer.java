package io.astro.common.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Signs access tokens with the private key. Only user-service holds one in production. */
public final class TokenIssuer {

  private final JWTAuth jwt;
  private final JwtSettings settings;
  private final SigningKeys keys;
  private final Duration ttl;
  private final Clock clock;

  private TokenIssuer(
      JWTAuth jwt, JwtSettings settings, SigningKeys keys, Duration ttl, Clock clock) {
    this.jwt = jwt;
    this.settings = settings;
    this.keys = keys;
    this.ttl = ttl;
    this.clock = clock;
  }

  public static TokenIssuer create(
      Vertx vertx, JwtSettings settings, SigningKeys keys, Duration ttl) {
    return create(vertx, settings, keys, ttl, Clock.systemUTC());
  }

  /** With a clock, so tests can mint tokens that are already expired or not yet valid. */
  public static TokenIssuer create(
      Vertx vertx, JwtSettings settings, SigningKeys keys, Duration ttl, Clock clock) {
    JWTAuth jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions()
                        .setAlgorithm(JwtSettings.ALGORITHM)
                        .setId(keys.keyId())
                        .setBuffer(keys.privateKeyPem())));
    return new TokenIssuer(jwt, settings, keys, ttl, clock);
  }

  public IssuedToken issue(String uuid, long userId, String role) {
    return issue(uuid, userId, role, 0);
  }

  /**
   * A token of the account's current token version ({@code tv}): verifiers refuse tokens of an
   * older version than the account has now, which is how a password change ends earlier sessions.
   */
  public IssuedToken issue(String uuid, long userId, String role, long tokenVersion) {
    Instant now = clock.instant();
    return sign(claims(uuid, userId, role, tokenVersion, now, now.plus(ttl)), now.plus(ttl));
  }

  /**
   * A short-lived token for a personal API token: of the account's current token version, carrying
   * the personal token's scope ({@code scope}) and id ({@code pat}), so verifiers can refuse writes
   * of a read token and refuse every token of a revoked one. Lives {@code lifetime}, never past
   * {@code notAfter} (the personal token's own expiry).
   */
  public IssuedToken issuePersonal(
      String uuid,
      long userId,
      String role,
      long tokenVersion,
      TokenScope scope,
      String personalTokenId,
      Duration lifetime,
      Instant notAfter) {
    return issuePersonal(
        uuid, userId, role, tokenVersion, scope, personalTokenId, null, lifetime, notAfter);
  }

  /**
   * As above, the token also naming the personal token ({@code pat_name}), so the audit trail can
   * say which one acted.
   */
  public IssuedToken issuePersonal(
      String uuid,
      long userId,
      String role,
      long tokenVersion,
      TokenScope scope,
      String personalTokenId,
      String personalTokenName,
      Duration lifetime,
      Instant notAfter) {
    Instant now = clock.instant();
    Instant expiresAt = now.plus(lifetime);
    if (notAfter.isBefore(expiresAt)) {
      expiresAt = notAfter;
    }
    JsonObject claims =
        claims(uuid, userId, role, tokenVersion, now, expiresAt)
            .put("scope", scope.wireName())
            .put("pat", personalTokenId);
    if (personalTokenName != null) {
      claims.put("pat_name", personalTokenName);
    }
    return sign(claims, expiresAt);
  }

  private JsonObject claims(
      String uuid, long userId, String role, long tokenVersion, Instant now, Instant expiresAt) {
    return new JsonObject()
        .put("sub", uuid)
        .put("uid", userId)
        .put("role", role)
        .put("iss", settings.issuer())
        .put("aud", List.of(settings.audience()))
        .put("iat", now.getEpochSecond())
        .put("nbf", now.getEpochSecond())
        .put("exp", expiresAt.getEpochSecond())
        .put("jti", UUID.randomUUID().toString())
        .put("tv", tokenVersion);
  }

  private IssuedToken sign(JsonObject claims, Instant expiresAt) {
    // timestamps are ours (from the clock), so Vert.x must not add its own
    JWTOptions options =
        new JWTOptions()
            .setAlgorithm(JwtSettings.ALGORITHM)
            .setNoTimestamp(true)
            .setHeader(new JsonObject().put("kid", keys.keyId()));
    return new IssuedToken(jwt.generateToken(claims, options), expiresAt);
  }

  public record IssuedToken(String token, Instant expiresAt) {}
}
