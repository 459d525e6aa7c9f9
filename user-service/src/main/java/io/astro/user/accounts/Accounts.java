package io.astro.user.accounts;

import io.astro.common.auth.TokenIssuer;
import io.astro.common.config.ConfigException;
import io.astro.common.events.user.UserEventKind;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.user.accounts.RegistrationRules.Registration;
import io.astro.user.events.UserEvents;
import io.astro.user.store.User;
import io.astro.user.store.UserStatus;
import io.astro.user.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
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
  private final WindowedCounter signups;
  private final UserEvents events;

  /**
   * @param signups sign-ups per client IP; every valid attempt counts (a refused one costs a hash
   *     too)
   */
  public Accounts(
      UserStore store,
      PasswordHasher hasher,
      TokenIssuer issuer,
      LoginThrottle throttle,
      WindowedCounter signups,
      UserEvents events) {
    this.events = events;
    this.store = store;
    this.hasher = hasher;
    this.issuer = issuer;
    this.throttle = throttle;
    this.signups = signups;
  }

  public Future<User> register(Registration r, String clientIp) {
    long retryAfter = signups.retryAfterSeconds(clientIp);
    if (retryAfter > 0) {
      return Future.failedFuture(
          new ApiException(
              ErrorCode.RATE_LIMITED,
              "too many sign-ups from this address, retry later",
              new JsonObject().put("retry_after_seconds", retryAfter)));
    }
    signups.add(clientIp);
    return hasher
        .hash(r.password())
        .compose(
            hash ->
                store.insert(UUID.randomUUID().toString(), r.username(), r.email(), hash, "user"))
        .onSuccess(user -> LOG.info("registered user {}", user.uuid()));
  }

  /** A token for the right credentials of an active user; 401 / 20009 for anything else. */
  public Future<JsonObject> login(String identifier, String password, String clientIp) {
    long retryAfter = throttle.retryAfterSeconds(identifier, clientIp);
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
                throttle.failed(identifier, clientIp);
                return Future.failedFuture(new ApiException(ErrorCode.LOGIN_FAILED, LOGIN_FAILED));
              }
              throttle.succeeded(identifier, clientIp);
              User u = user.get();
              return Future.succeededFuture(tokenFor(u));
            });
  }

  private JsonObject tokenFor(User u) {
    TokenIssuer.IssuedToken token = issuer.issue(u.uuid(), u.id(), u.role(), u.tokenVersion());
    return new JsonObject()
        .put("token", token.token())
        .put("uuid", u.uuid())
        .put("expires_at", token.expiresAt().toString());
  }

  /** Sets the caller's email (already checked against the rules); 409 / 20001 when taken. */
  public Future<User> changeEmail(User user, String email) {
    return store
        .setEmail(user.uuid(), email)
        .compose(
            changed ->
                changed
                    .map(Future::succeededFuture)
                    .orElseGet(
                        () ->
                            Future.failedFuture(
                                new ApiException(
                                    ErrorCode.UNAUTHORIZED, "account disabled or deleted"))))
        .onSuccess(u -> LOG.info("user {} changed their email", u.uuid()));
  }

  /**
   * Replaces the caller's password when {@code current} is theirs, and answers a fresh token: every
   * token issued before (of the account's previous token version) stops working. A wrong {@code
   * current} counts as a failed login of the account from that address (the same throttle), so this
   * cannot be used to guess a password faster than logging in; it answers 403, not 401, since the
   * caller's token itself is fine.
   */
  public Future<JsonObject> changePassword(
      User user, String current, String replacement, String clientIp) {
    long retryAfter = throttle.retryAfterSeconds(user.username(), clientIp);
    if (retryAfter > 0) {
      return Future.failedFuture(
          new ApiException(
              ErrorCode.RATE_LIMITED,
              "too many failed password checks, retry later",
              new JsonObject().put("retry_after_seconds", retryAfter)));
    }
    return hasher
        .verify(current, user.passwordHash())
        .compose(
            matches -> {
              if (!matches) {
                throttle.failed(user.username(), clientIp);
                return Future.failedFuture(
                    new ApiException(
                        ErrorCode.FORBIDDEN,
                        "current password is incorrect",
                        new JsonObject()
                            .put(
                                "fields",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("field", "current")
                                            .put("reason", "is incorrect")))));
              }
              throttle.succeeded(user.username(), clientIp);
              return hasher.hash(replacement);
            })
        .compose(hash -> store.changePassword(user.uuid(), hash, user.tokenVersion()))
        .compose(
            changed ->
                changed
                    ? store.findByUuid(user.uuid())
                    : Future.failedFuture(
                        new ApiException(
                            ErrorCode.CONFLICT,
                            "the password was changed meanwhile; sign in again")))
        .compose(
            found ->
                found
                    .filter(User::isActive)
                    .map(u -> Future.succeededFuture(tokenFor(u)))
                    .orElseGet(
                        () ->
                            Future.failedFuture(
                                new ApiException(
                                    ErrorCode.UNAUTHORIZED, "account disabled or deleted"))))
        .onSuccess(
            token -> LOG.info("user {} changed their password; older tokens end", user.uuid()));
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

  /**
   * Disables or enables a live account; a change announces itself on {@code astro.users} ({@code
   * disabled} / {@code enabled}, through the outbox in the same transaction), a repeat changes and
   * announces nothing.
   */
  public Future<Void> setStatus(String uuid, boolean active) {
    return store
        .setStatus(
            uuid,
            active ? UserStatus.ACTIVE : UserStatus.DISABLED,
            user -> events.of(active ? UserEventKind.ENABLED : UserEventKind.DISABLED, user))
        .compose(
            found ->
                found
                    ? Future.<Void>succeededFuture()
                        .onSuccess(
                            v -> LOG.info("user {} {}", uuid, active ? "enabled" : "disabled"))
                    : Future.failedFuture(new ApiException(ErrorCode.NOT_FOUND, "user not found")));
  }

  /**
   * Deletes the caller's own account when {@code password} is theirs: at once it can no longer log
   * in and its tokens are refused, and the {@code deleted} event (its apps and namespace are to go)
   * is recorded in the same transaction. A wrong password counts as a failed login of the account
   * from that address (the same throttle) and answers 403, naming the field; the caller's token
   * itself is fine. The bootstrap admin is configured by the operator and cannot delete itself.
   */
  public Future<Void> delete(User user, String password, String clientIp) {
    long retryAfter = throttle.retryAfterSeconds(user.username(), clientIp);
    if (retryAfter > 0) {
      return Future.failedFuture(
          new ApiException(
              ErrorCode.RATE_LIMITED,
              "too many failed password checks, retry later",
              new JsonObject().put("retry_after_seconds", retryAfter)));
    }
    if ("admin".equals(user.role())) {
      return Future.failedFuture(
          new ApiException(
              ErrorCode.FORBIDDEN,
              "an admin account cannot delete itself; an operator removes it"));
    }
    return hasher
        .verify(password, user.passwordHash())
        .compose(
            matches -> {
              if (!matches) {
                throttle.failed(user.username(), clientIp);
                return Future.failedFuture(
                    new ApiException(
                        ErrorCode.FORBIDDEN,
                        "password is incorrect",
                        new JsonObject()
                            .put(
                                "fields",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("field", "password")
                                            .put("reason", "is incorrect")))));
              }
              throttle.succeeded(user.username(), clientIp);
              return store.delete(
                  user.uuid(), user.tokenVersion(), events.of(UserEventKind.DELETED, user));
            })
        .compose(
            deleted ->
                deleted
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(
                        new ApiException(
                            ErrorCode.CONFLICT,
                            "the account changed meanwhile (deleted, or its password changed);"
                                + " sign in again")))
        .onSuccess(v -> LOG.info("user {} deleted their account", user.uuid()));
  }

  /**
   * Creates the operator's admin account when absent; never takes over another account. When the
   * name (or the email) already belongs to an account that is not an admin, start-up is refused:
   * promoting it would hand that account's owner, and their password, the operator's powers. An
   * admin of that name is the one this bootstrap created earlier (admins come from nowhere else):
   * it is given the configured password when that changed, so the configured login is always the
   * one that works; its status is left alone, so an admin disabled on purpose stays disabled.
   * Idempotent, and safe when several instances start at once.
   */
  public Future<Void> ensureAdmin(String username, String email, String password) {
    return ensureAdmin(username, email, password, true);
  }

  private Future<Void> ensureAdmin(
      String username, String email, String password, boolean firstTry) {
    return store
        .findByLogin(username)
        .compose(
            byName -> {
              if (byName.isPresent()) {
                return keepAdmin(byName.get(), username, password);
              }
              return store
                  .findByLogin(email)
                  .compose(
                      byEmail ->
                          byEmail.isPresent()
                              ? Future.failedFuture(taken(username, email, byEmail.get()))
                              : createAdmin(username, email, password, firstTry));
            });
  }

  private Future<Void> createAdmin(
      String username, String email, String password, boolean firstTry) {
    return hasher
        .hash(password)
        .compose(hash -> store.insert(UUID.randomUUID().toString(), username, email, hash, "admin"))
        .<Void>mapEmpty()
        .onSuccess(v -> LOG.info("bootstrap admin '{}' created", username))
        .recover(
            e -> {
              if (!(e instanceof ApiException api && api.errorCode() == ErrorCode.USER_EXISTS)) {
                return Future.failedFuture(e);
              }
              // another instance may have created it at the same moment: look again, once; a
              // name still taken then is held by a deleted account for its reservation
              return firstTry
                  ? ensureAdmin(username, email, password, false)
                  : Future.failedFuture(
                      new ConfigException(
                          "ASTRO_ADMIN_USERNAME '"
                              + username
                              + "' or ASTRO_ADMIN_EMAIL '"
                              + email
                              + "' belonged to a deleted account and is reserved"
                              + " (ASTRO_USERNAME_RESERVATION); choose another"));
            });
  }

  private Future<Void> keepAdmin(User existing, String username, String password) {
    if (!"admin".equals(existing.role())) {
      return Future.failedFuture(taken(username, null, existing));
    }
    if (!existing.isActive()) {
      LOG.warn("bootstrap admin '{}' is {}; left so", username, existing.status());
    }
    return hasher
        .verify(password, existing.passwordHash())
        .compose(
            same -> {
              if (same) {
                LOG.info("bootstrap admin '{}' is in place", username);
                return Future.succeededFuture();
              }
              return hasher
                  .hash(password)
                  .compose(hash -> store.setPasswordHash(existing.uuid(), hash))
                  .onSuccess(
                      v ->
                          LOG.info(
                              "bootstrap admin '{}': password set from ASTRO_ADMIN_PASSWORD",
                              username));
            });
  }

  private static ConfigException taken(String username, String email, User owner) {
    String what =
        email == null
            ? "ASTRO_ADMIN_USERNAME '" + username + "'"
            : "ASTRO_ADMIN_EMAIL '" + email + "'";
    return new ConfigException(
        what
            + " belongs to an existing "
            + ("admin".equals(owner.role()) ? "admin" : "non-admin")
            + " account ('"
            + owner.username()
            + "'); the bootstrap only creates an admin, so choose a name and email no account has");
  }
}
