package io.astro.user.http;

import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.Caller;
import io.astro.common.auth.SigningKeys;
import io.astro.common.db.audit.AuditTrail;
import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.astro.common.http.QueryParams;
import io.astro.user.accounts.Accounts;
import io.astro.user.accounts.RegistrationRules;
import io.astro.user.store.User;
import io.astro.user.store.UserStatus;
import io.astro.user.store.UserStore;
import io.astro.user.tokens.ApiTokens;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/** The user-service API. Public: register, login, JWKS. Everything else needs a valid token. */
public final class UserRoutes {

  private static final String REAL_IP = "X-Real-IP";
  // the caller's account as requireActive read it
  private static final String ACCOUNT = "astro.account";
  // an IPv6 address with a zone is well below this; anything longer is not an address
  private static final int MAX_ADDRESS = 64;
  // the accounts list: a page holds at most this many (app-service's app-counts bound)
  private static final int MAX_LIMIT = 100;
  // as long as the longest email
  private static final int MAX_SEARCH = 254;

  private final Accounts accounts;
  private final ApiTokens apiTokens;
  private final UserStore store;
  private final AuthHandler auth;
  private final String jwks;
  private final Duration tokenLifetime;
  private final AppCountsClient appCounts;

  /**
   * @param tokenLifetime how long a token can be accepted anywhere after it was issued (TTL plus
   *     the most leeway): how long a password change's raised token version, and a deleted account,
   *     are served to pollers
   */
  public UserRoutes(
      Accounts accounts,
      ApiTokens apiTokens,
      UserStore store,
      AuthHandler auth,
      SigningKeys keys,
      Duration tokenLifetime,
      AppCountsClient appCounts) {
    this.appCounts = appCounts;
    this.accounts = accounts;
    this.apiTokens = apiTokens;
    this.store = store;
    this.auth = auth;
    this.tokenLifetime = tokenLifetime;
    this.jwks = new JsonObject().put("keys", new JsonArray().add(keys.publicJwk())).encode();
  }

  public void mount(Router router) {
    router.post("/api/v1/register").consumes("application/json").handler(this::register);
    router.post("/api/v1/login").consumes("application/json").handler(this::login);
    router.get("/api/v1/users/me").handler(auth).handler(this::requireActive).handler(this::me);
    // a personal API token may not change the email or password, nor manage personal tokens: a
    // leaked CI token must not be able to take the account over or make itself permanent
    router
        .patch("/api/v1/users/me")
        .consumes("application/json")
        .handler(auth)
        .handler(AuthHandler::requireLoginToken)
        .handler(this::requireActive)
        .handler(this::changeEmail);
    router
        .delete("/api/v1/users/me")
        .consumes("application/json")
        .handler(auth)
        .handler(this::requireActive)
        .handler(this::deleteAccount);
    router
        .post("/api/v1/users/me/password")
        .consumes("application/json")
        .handler(auth)
        .handler(AuthHandler::requireLoginToken)
        .handler(this::requireActive)
        .handler(this::changePassword);
    router
        .post("/api/v1/users/me/tokens")
        .consumes("application/json")
        .handler(auth)
        .handler(AuthHandler::requireLoginToken)
        .handler(this::requireActive)
        .handler(this::createToken);
    router
        .get("/api/v1/users/me/tokens")
        .handler(auth)
        .handler(AuthHandler::requireLoginToken)
        .handler(this::requireActive)
        .handler(
            ctx ->
                apiTokens
                    .list(ctx.get(ACCOUNT))
                    .onSuccess(list -> ApiResponse.ok(ctx, new JsonObject().put("items", list)))
                    .onFailure(ctx::fail));
    router
        .delete("/api/v1/users/me/tokens/:id")
        .handler(auth)
        .handler(AuthHandler::requireLoginToken)
        .handler(this::requireActive)
        .handler(
            ctx ->
                apiTokens
                    .revoke(ctx.get(ACCOUNT), ctx.pathParam("id"))
                    .onSuccess(
                        v ->
                            ApiResponse.ok(
                                ctx,
                                new JsonObject()
                                    .put("id", ctx.pathParam("id"))
                                    .put("revoked", true)))
                    .onFailure(ctx::fail));
    router
        .get("/api/v1/admin/users")
        .handler(auth)
        .handler(this::requireActive)
        .handler(this::requireAdmin)
        .handler(this::listUsers);
    router
        .post("/api/v1/admin/users/:uuid/disable")
        .handler(auth)
        .handler(this::requireActive)
        .handler(this::requireAdmin)
        .handler(ctx -> setStatus(ctx, false));
    router
        .post("/api/v1/admin/users/:uuid/enable")
        .handler(auth)
        .handler(this::requireActive)
        .handler(this::requireAdmin)
        .handler(ctx -> setStatus(ctx, true));
    // internal: read by the gateway (and anyone verifying tokens); not routed from outside
    router
        .get("/.well-known/jwks.json")
        .handler(
            ctx ->
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(jwks));
    router
        .post("/internal/v1/tokens/exchange")
        .consumes("application/json")
        .handler(this::exchange);
    router
        .get("/internal/v1/users/disabled")
        .handler(
            ctx ->
                store
                    .disabledUuids(tokenLifetime)
                    .compose(
                        uuids ->
                            store
                                .recentTokenVersions(tokenLifetime)
                                .map(
                                    versions -> {
                                      JsonObject byUuid = new JsonObject();
                                      versions.forEach(byUuid::put);
                                      return new JsonObject()
                                          .put("uuids", uuids)
                                          .put("token_versions", byUuid);
                                    }))
                    .compose(
                        data ->
                            apiTokens
                                .recentlyRevoked()
                                .map(revoked -> data.put("revoked_tokens", revoked)))
                    .onSuccess(data -> ApiResponse.ok(ctx, data))
                    .onFailure(ctx::fail));
  }

  // internal: the gateway trades a personal API token (in the body, never in a URL or log) for a
  // short-lived access token
  private void exchange(RoutingContext ctx) {
    JsonObject body = body(ctx);
    FieldErrors errors = FieldErrors.acceptingOnly(body, "token");
    Object token = body.getValue("token");
    if (!(token instanceof String given) || given.isEmpty()) {
      errors.add("token", "is required");
    }
    errors.throwIfAny();
    apiTokens
        .exchange((String) token)
        .onSuccess(answer -> ApiResponse.ok(ctx, answer))
        .onFailure(ctx::fail);
  }

  private void createToken(RoutingContext ctx) {
    ApiTokens.Request request = ApiTokens.validate(body(ctx));
    apiTokens
        .create(ctx.get(ACCOUNT), request)
        .onSuccess(
            created -> {
              AuditTrail.target(ctx, created.getString("id"), created.getString("name"));
              ApiResponse.ok(ctx, 201, created);
            })
        .onFailure(ctx::fail);
  }

  private void register(RoutingContext ctx) {
    var registration = RegistrationRules.validate(body(ctx));
    accounts
        .register(registration, clientIp(ctx))
        .onSuccess(
            user -> {
              AuditTrail.target(ctx, user.uuid(), user.username());
              ApiResponse.ok(ctx, 201, user.profile());
            })
        .onFailure(failure -> failWithRetryAfter(ctx, failure));
  }

  private void login(RoutingContext ctx) {
    JsonObject body = body(ctx);
    FieldErrors errors = FieldErrors.acceptingOnly(body, "username", "email", "password");
    Object identifier = body.getValue("username", body.getValue("email"));
    Object password = body.getValue("password");
    if (!(identifier instanceof String id) || id.isBlank()) {
      errors.add("username", "username or email is required");
    }
    if (!(password instanceof String pw) || pw.isEmpty()) {
      errors.add("password", "is required");
    } else {
      RegistrationRules.checkPasswordLength("password", pw, errors);
    }
    errors.throwIfAny();
    accounts
        .login((String) identifier, (String) password, clientIp(ctx))
        .onSuccess(
            token -> {
              AuditTrail.actor(ctx, token.getString("uuid"));
              ApiResponse.ok(ctx, token);
            })
        .onFailure(failure -> failWithRetryAfter(ctx, failure));
  }

  // a throttled answer says when to come back in the header too, as the gateway's 429s do
  private static void failWithRetryAfter(RoutingContext ctx, Throwable failure) {
    if (failure instanceof ApiException api
        && api.data() instanceof JsonObject data
        && data.containsKey("retry_after_seconds")) {
      ctx.response().putHeader("Retry-After", data.getValue("retry_after_seconds").toString());
    }
    ctx.fail(failure);
  }

  /**
   * After {@link AuthHandler}: the token's account must still be live and active, and the token of
   * its current token version (not issued before its last password change), read from the database
   * on every call (one lookup by the unique uuid; the few authenticated routes here are rare), so
   * such a token stops working here at once, gateway or not. A token exchanged for a personal API
   * token also needs that personal token to be live still.
   */
  private void requireActive(RoutingContext ctx) {
    Caller caller = AuthHandler.caller(ctx);
    accounts
        .profile(caller.uuid())
        .onSuccess(
            user -> {
              if (caller.tokenVersion() < user.tokenVersion()) {
                ctx.fail(new ApiException(ErrorCode.UNAUTHORIZED, "missing or invalid token"));
                return;
              }
              ctx.put(ACCOUNT, user);
              if (!caller.viaPersonalToken()) {
                ctx.next();
                return;
              }
              // a token exchanged for a personal token that was revoked since is refused at once
              apiTokens
                  .isLive(caller.personalTokenId())
                  .onSuccess(
                      live -> {
                        if (live) {
                          ctx.next();
                        } else {
                          ctx.fail(
                              new ApiException(ErrorCode.UNAUTHORIZED, "missing or invalid token"));
                        }
                      })
                  .onFailure(ctx::fail);
            })
        .onFailure(ctx::fail);
  }

  private void changeEmail(RoutingContext ctx) {
    JsonObject body = body(ctx);
    FieldErrors errors = FieldErrors.acceptingOnly(body, "email");
    String email = RegistrationRules.text(body, "email", errors);
    if (email != null) {
      RegistrationRules.checkEmail(email, errors);
    }
    errors.throwIfAny();
    accounts
        .changeEmail(ctx.get(ACCOUNT), email)
        .onSuccess(user -> ApiResponse.ok(ctx, user.profile()))
        .onFailure(ctx::fail);
  }

  private void changePassword(RoutingContext ctx) {
    JsonObject body = body(ctx);
    FieldErrors errors = FieldErrors.acceptingOnly(body, "current", "new");
    String current = RegistrationRules.text(body, "current", errors);
    String replacement = RegistrationRules.text(body, "new", errors);
    if (current != null) {
      // no account has a longer one, and bcrypt must never be given one
      RegistrationRules.checkPasswordLength("current", current, errors);
    }
    if (replacement != null) {
      RegistrationRules.checkPassword("new", replacement, errors);
    }
    errors.throwIfAny();
    accounts
        .changePassword(ctx.get(ACCOUNT), current, replacement, clientIp(ctx))
        .onSuccess(token -> ApiResponse.ok(ctx, token))
        .onFailure(failure -> failWithRetryAfter(ctx, failure));
  }

  private void deleteAccount(RoutingContext ctx) {
    JsonObject body = body(ctx);
    FieldErrors errors = FieldErrors.acceptingOnly(body, "password");
    String password = RegistrationRules.text(body, "password", errors);
    if (password != null) {
      // no account has a longer one, and bcrypt must never be given one
      RegistrationRules.checkPasswordLength("password", password, errors);
    }
    errors.throwIfAny();
    User user = ctx.get(ACCOUNT);
    accounts
        .delete(user, password, clientIp(ctx))
        .onSuccess(
            v ->
                ApiResponse.ok(
                    ctx,
                    202,
                    new JsonObject()
                        .put("uuid", user.uuid())
                        .put("status", UserStatus.DELETED.value())
                        .put("message", "account deleted; its apps are being removed")))
        .onFailure(failure -> failWithRetryAfter(ctx, failure));
  }

  private void me(RoutingContext ctx) {
    User user = ctx.get(ACCOUNT);
    ApiResponse.ok(ctx, user.profile());
  }

  private void requireAdmin(RoutingContext ctx) {
    Caller caller = AuthHandler.caller(ctx);
    if (!caller.isAdmin()) {
      throw new ApiException(ErrorCode.FORBIDDEN, "admin role required");
    }
    ctx.next();
  }

  /**
   * Live accounts for operators, a page at a time, each with its number of live apps ({@code
   * app_count}, null when app-service does not answer).
   */
  private void listUsers(RoutingContext ctx) {
    QueryParams params = QueryParams.of(ctx);
    int page = params.integer("page", 1, 1, Integer.MAX_VALUE / MAX_LIMIT);
    int limit = params.integer("limit", 20, 1, MAX_LIMIT);
    String status = params.oneOf("status", UserStatus.liveWords());
    String search = params.text("search");
    if (search != null && search.length() > MAX_SEARCH) {
      params.errors().add("search", "must be at most " + MAX_SEARCH + " characters");
    }
    params.throwIfAny();
    store
        .list(search, status == null ? null : UserStatus.of(status), page, limit)
        .compose(
            found ->
                appCounts
                    .counts(found.users().stream().map(User::id).toList())
                    .map(
                        counts -> {
                          JsonArray items = new JsonArray();
                          for (User user : found.users()) {
                            items.add(user.profile().put("app_count", counts.get(user.id())));
                          }
                          return new JsonObject()
                              .put("items", items)
                              .put("page", page)
                              .put("limit", limit)
                              .put("total", found.total());
                        }))
        .onSuccess(data -> ApiResponse.ok(ctx, data))
        .onFailure(ctx::fail);
  }

  private void setStatus(RoutingContext ctx, boolean active) {
    accounts
        .setStatus(ctx.pathParam("uuid"), active)
        .onSuccess(
            v ->
                ApiResponse.ok(
                    ctx,
                    new JsonObject()
                        .put("uuid", ctx.pathParam("uuid"))
                        .put("status", (active ? UserStatus.ACTIVE : UserStatus.DISABLED).value())))
        .onFailure(ctx::fail);
  }

  /**
   * The client's address, which login and sign-up limits key on: as the gateway — the only way in
   * from outside — determined it ({@code X-Real-IP}, which it always sets and never takes from the
   * client; behind a trusted balancer, the address that balancer saw), else the peer.
   */
  static String clientIp(RoutingContext ctx) {
    String real = ctx.request().getHeader(REAL_IP);
    if (real != null && !real.isBlank() && real.length() <= MAX_ADDRESS) {
      return real.trim();
    }
    return ctx.request().remoteAddress().hostAddress();
  }

  private static JsonObject body(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (ClassCastException e) {
      // valid JSON but not an object (an array, a number): the client's mistake, answered like a
      // missing body
      body = null;
    }
    if (body == null) {
      throw new ApiException(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
    }
    return body;
  }
}
