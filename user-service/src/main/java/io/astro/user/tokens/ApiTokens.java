package io.astro.user.tokens;

import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.TokenIssuer;
import io.astro.common.auth.TokenScope;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.astro.user.store.User;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Personal API tokens: created (the secret shown once), listed, revoked by their owner, and
 * exchanged — by the gateway — for a short-lived access token of the token's scope.
 */
public final class ApiTokens {

  /** How long an access token exchanged for a personal token lives at most. */
  public static final Duration EXCHANGED_TTL = Duration.ofMinutes(5);

  /**
   * How long after a revocation an access token exchanged before it can still be presented: the
   * revoked id stays on the internal list that long.
   */
  public static final Duration REVOKED_HORIZON = EXCHANGED_TTL.plus(JwtSettings.MAX_LEEWAY);

  static final int MAX_NAME = 64;
  static final int MAX_DAYS = 365;

  // a use is recorded at most this often per token
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
  private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);
  private static final ApiException INVALID =
      new ApiException(ErrorCode.UNAUTHORIZED, "missing or invalid token");

  private final ApiTokenStore store;
  private final TokenIssuer issuer;
  private final int maxPerUser;

  public ApiTokens(ApiTokenStore store, TokenIssuer issuer, int maxPerUser) {
    this.store = store;
    this.issuer = issuer;
    this.maxPerUser = maxPerUser;
  }

  /** What a create request asks for, checked. */
  public record Request(String name, int expiresInDays, TokenScope scope) {}

  /** Checks a create request's body; 400 / 10001 naming each field that breaks a rule. */
  public static Request validate(JsonObject body) {
    FieldErrors errors = FieldErrors.acceptingOnly(body, "name", "expires_in_days", "scope");
    Object name = body.getValue("name");
    Object days = body.getValue("expires_in_days");
    Object scope = body.getValue("scope");
    if (!(name instanceof String n) || n.isBlank()) {
      errors.add("name", "is required");
    } else if (n.strip().length() > MAX_NAME) {
      errors.add("name", "must be at most " + MAX_NAME + " characters");
    } else if (n.chars().anyMatch(Character::isISOControl)) {
      errors.add("name", "must not contain control characters");
    }
    if (!(days instanceof Integer || days instanceof Long)) {
      errors.add("expires_in_days", "is required, a whole number of days from 1 to " + MAX_DAYS);
    } else if (((Number) days).longValue() < 1 || ((Number) days).longValue() > MAX_DAYS) {
      errors.add("expires_in_days", "must be from 1 to " + MAX_DAYS);
    }
    if (TokenScope.fromWire(scope).isEmpty()) {
      errors.add("scope", "must be read or write");
    }
    errors.throwIfAny();
    return new Request(
        ((String) name).strip(),
        ((Number) days).intValue(),
        TokenScope.fromWire(scope).orElseThrow());
  }

  /**
   * A new token for the user: its description and, once only, the secret ({@code token}). Past the
   * bound of live tokens, 422 / 10011 with {@code data.max_tokens}.
   */
  public Future<JsonObject> create(User user, Request request) {
    String secret = PersonalTokenSecret.generate();
    return store
        .create(
            user.id(),
            UUID.randomUUID().toString(),
            request.name(),
            PersonalTokenSecret.hash(secret),
            PersonalTokenSecret.displayPrefix(secret),
            request.scope(),
            request.expiresInDays(),
            maxPerUser)
        .compose(
            created ->
                created
                    .map(
                        token -> {
                          LOG.info(
                              "user {} created personal token {} ({})",
                              user.uuid(),
                              token.id(),
                              token.scope().wireName());
                          return Future.succeededFuture(token.json().put("token", secret));
                        })
                    .orElseGet(
                        () ->
                            Future.failedFuture(
                                new ApiException(
                                    ErrorCode.UNPROCESSABLE,
                                    "at most "
                                        + maxPerUser
                                        + " live personal API tokens per user; revoke one first",
                                    new JsonObject().put("max_tokens", maxPerUser)))));
  }

  public Future<JsonArray> list(User user) {
    return store.live(user.id()).map(ApiTokens::json);
  }

  /** Revokes one of the user's tokens; 404 / 10004 when they have no such unrevoked token. */
  public Future<Void> revoke(User user, String id) {
    return store
        .revoke(user.id(), id)
        .compose(
            revoked -> {
              if (!revoked) {
                return Future.failedFuture(
                    new ApiException(ErrorCode.NOT_FOUND, "personal API token not found"));
              }
              LOG.info("user {} revoked personal token {}", user.uuid(), id);
              return Future.<Void>succeededFuture();
            });
  }

  /**
   * An access token for a live personal token of an active account: of the account's current token
   * version, the token's scope and id, living {@link #EXCHANGED_TTL} at most and never past the
   * personal token's expiry. 401 / 10002 for anything else, the same answer whatever the reason.
   */
  public Future<JsonObject> exchange(String secret) {
    if (!PersonalTokenSecret.wellFormed(secret)) {
      return Future.failedFuture(INVALID);
    }
    return store
        .exchangeable(PersonalTokenSecret.hash(secret))
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.failedFuture(INVALID);
              }
              ApiTokenStore.Exchangeable t = found.get();
              TokenIssuer.IssuedToken issued =
                  issuer.issuePersonal(
                      t.userUuid(),
                      t.userId(),
                      t.role(),
                      t.tokenVersion(),
                      t.scope(),
                      t.tokenUuid(),
                      t.name(),
                      EXCHANGED_TTL,
                      t.expiresAt());
              return store
                  .touch(t.tokenId(), TOUCH_EVERY)
                  .map(
                      touched ->
                          new JsonObject()
                              .put("token", issued.token())
                              .put("expires_at", issued.expiresAt().toString())
                              .put("scope", t.scope().wireName()));
            });
  }

  /** Whether the personal token with this id may still be used (user-service checks per call). */
  public Future<Boolean> isLive(String id) {
    return store.isLive(id);
  }

  public Future<List<String>> recentlyRevoked() {
    return store.recentlyRevoked(REVOKED_HORIZON);
  }

  private static JsonArray json(List<ApiToken> tokens) {
    JsonArray array = new JsonArray();
    tokens.forEach(token -> array.add(token.json()));
    return array;
  }
}
