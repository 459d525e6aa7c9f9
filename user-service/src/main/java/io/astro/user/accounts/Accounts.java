package io.astro.user.accounts;

import io.astro.common.auth.TokenIssuer;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.user.accounts.RegistrationRules.Registration;
import io.astro.user.store.User;
import io.astro.user.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registration, login and account status: the rules of the README's API reference (Accounts) over
 * the store, hasher and issuer.
 */
public final class Accounts {

  private static final Logger LOG = LoggerFactory.getLogger(Accounts.class);
  // one answer for unknown user, wrong password and disabled user, so none can be told apart
  private static final String LOGIN_FAILED = "username/email or password is incorrect";

  private final UserStore store;
  private final PasswordHasher hasher;
  private final TokenIssuer issuer;
  private final LoginThrottle throttle;

  public Accounts(
      UserStore store, PasswordHasher hasher, TokenIssuer issuer, LoginThrottle throttle) {
    this.store = store;
    this.hasher = hasher;
    this.issuer = issuer;
    this.throttle = throttle;
  }

  public Future<User> register(Registration r) {
    return hasher
        .hash(r.password())
        .compose(
            hash ->
                store.insert(UUID.randomUUID().toString(), r.username(), r.email(), hash, "user"))
        .onSuccess(user -> LOG.info("registered user {}", user.uuid()));
  }

  /** A token for the right credentials of an active user; 401 / 20009 for anything else. */
  public Future<JsonObject> login(String identifier, String password) {
    long retryAfter = throttle.retryAfterSeconds(identifier);
    if (retryAfter > 0) {
      return Future.failedFuture(
          new ApiException(
              ErrorCode.RATE_LIMITED,
              "too many failed logins, retry later",
              new JsonObject().put("retry_after_seconds", retryAfter)));
    }
    return store
        .findByLogin(identifier)
        .compose(found -> verify(found, password))
        .compose(
            user -> {
              if (user.isEmpty()) {
                throttle.failed(identifier);
                return Future.failedFuture(new ApiException(ErrorCode.LOGIN_FAILED, LOGIN_FAILED));
              }
              throttle.succeeded(identifier);
              User u = user.get();
              TokenIssuer.IssuedToken token = issuer.issue(u.uuid(), u.id(), u.role());
              return Future.succeededFuture(
                  new JsonObject()
                      .put("token", token.token())
                      .put("uuid", u.uuid())
                      .put("expires_at", token.expiresAt().toString()));
            });
  }

  private Future<Optional<User>> verify(Optional<User> found, String password) {
    if (found.isEmpty()) {
      return hasher.verifyNobody(password).map(Optional.empty());
    }
    User user = found.get();
    return hasher
        .verify(password, user.passwordHash())
        .map(matches -> matches && user.isActive() ? found : Optional.<User>empty());
  }

  public Future<User> profile(String uuid) {
    return store
        .findByUuid(uuid)
        .compose(
            user ->
                user.filter(User::isActive)
                    .map(Future::succeededFuture)
                    .orElseGet(
                        () ->
                            Future.failedFuture(
                                new ApiException(
                                    ErrorCode.UNAUTHORIZED, "account disabled or deleted"))));
  }

  public Future<Void> setStatus(String uuid, boolean active) {
    return store
        .setStatus(uuid, active ? "active" : "disabled")
        .compose(
            found ->
                found
                    ? Future.<Void>succeededFuture()
                        .onSuccess(
                            v -> LOG.info("user {} {}", uuid, active ? "enabled" : "disabled"))
                    : Future.failedFuture(new ApiException(ErrorCode.NOT_FOUND, "user not found")));
  }

  /**
   * Creates the operator's admin account if absent, else makes sure it is an active admin.
   * Idempotent.
   */
  public Future<Void> ensureAdmin(String username, String email, String password) {
    return store
        .findByLogin(username)
        .compose(
            existing -> {
              if (existing.isPresent()) {
                return store.promoteToAdmin(existing.get().uuid());
              }
              return hasher
                  .hash(password)
                  .compose(
                      hash ->
                          store.insert(
                              UUID.randomUUID().toString(), username, email, hash, "admin"))
                  .<Void>mapEmpty()
                  // another instance created it at the same moment
                  .recover(
                      e ->
                          e instanceof ApiException api && api.errorCode() == ErrorCode.USER_EXISTS
                              ? Future.succeededFuture()
                              : Future.failedFuture(e));
            })
        .onSuccess(v -> LOG.info("bootstrap admin '{}' is in place", username));
  }
}
