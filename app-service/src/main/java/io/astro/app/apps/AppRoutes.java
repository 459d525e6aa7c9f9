package io.astro.app.apps;

import static io.astro.app.http.Requests.body;
import static io.astro.app.http.Requests.intParam;
import static io.astro.app.http.Requests.page;

import io.astro.app.logs.LogQuery;
import io.astro.app.logs.SyncWorkerLogs;
import io.astro.app.store.Page;
import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.Caller;
import io.astro.common.db.audit.AuditTrail;
import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The apps API under {@code /api/v1/apps}, every route behind a verified token and scoped to its
 * caller: another user's app and an app that does not exist answer the same 404 (21001).
 */
public final class AppRoutes {

  private static final String BASE = "/api/v1/apps";
  private static final String QUOTA = "/api/v1/quota";
  private static final Set<String> PATCH_TYPES =
      Set.of("application/merge-patch+json", "application/json");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final int MAX_LIMIT = 100;

  private final AppService apps;
  private final AppRules rules;
  private final Handler<RoutingContext> auth;
  private final SyncWorkerLogs logs;
  private final AppDetail detail;

  public AppRoutes(
      AppService apps,
      AppRules rules,
      AppDetail detail,
      Handler<RoutingContext> auth,
      SyncWorkerLogs logs) {
    this.apps = apps;
    this.rules = rules;
    this.detail = detail;
    this.auth = auth;
    this.logs = logs;
  }

  public void mount(Router router) {
    router.route(BASE).handler(auth);
    router.route(BASE + "/*").handler(auth);
    router.post(BASE).consumes("application/json").handler(this::create);
    router.get(BASE).handler(this::list);
    router.get(BASE + "/:id").handler(this::detail);
    router.post(BASE + "/:id/start").handler(ctx -> answer(ctx, 202, apps::start));
    router.post(BASE + "/:id/stop").handler(ctx -> answer(ctx, 202, apps::stop));
    router.post(BASE + "/:id/restart").handler(ctx -> answer(ctx, 202, apps::restart));
    router
        .post(BASE + "/:id/scale")
        .consumes("application/json")
        .handler(
            ctx -> {
              int replicas = rules.scale(body(ctx));
              answer(ctx, 202, (caller, id) -> apps.scale(caller, id, replicas));
            });
    router.delete(BASE + "/:id").handler(ctx -> answer(ctx, 202, apps::delete));
    router.patch(BASE + "/:id").handler(this::patch);
    router.get(BASE + "/:id/releases").handler(this::releases);
    router
        .post(BASE + "/:id/rollback")
        .consumes("application/json")
        .handler(
            ctx -> {
              long release = rollbackTo(body(ctx));
              answer(ctx, 202, (caller, id) -> apps.rollback(caller, id, release));
            });
    router.route(QUOTA).handler(auth);
    router.get(QUOTA).handler(this::quota);
    router.get(BASE + "/:id/events").handler(this::events);
    router.get(BASE + "/:id/logs").handler(this::logs);
  }

  private void detail(RoutingContext ctx) {
    String id = appId(ctx);
    if (id == null) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
      return;
    }
    apps.detail(AuthHandler.caller(ctx), id)
        .onSuccess(
            found ->
                found.ifPresentOrElse(
                    d -> ApiResponse.ok(ctx, detail.toJson(d.app(), d.clusterState(), d.at())),
                    () -> ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND))))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
      new FieldErrors()
          .add("Idempotency-Key", "must be 1 to 128 characters of A-Z a-z 0-9 . _ : -")
          .throwIfAny();
    }
    apps.create(AuthHandler.caller(ctx), rules.create(body(ctx)), key)
        .onSuccess(outcome -> created(ctx, outcome))
        .onFailure(ctx::fail);
  }

  // RFC 7396 names its own media type; plain JSON is taken too, as most clients send it
  private void patch(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String media =
        type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (!PATCH_TYPES.contains(media)) {
      ctx.fail(
          new ApiException(
              ErrorCode.UNSUPPORTED_MEDIA_TYPE,
              "PATCH takes application/merge-patch+json (or application/json)"));
      return;
    }
    JsonObject patch = body(ctx);
    String id = appId(ctx);
    Future<ChangeOutcome> done =
        id == null
            ? Future.succeededFuture(new ChangeOutcome.NotFound())
            : apps.patch(AuthHandler.caller(ctx), id, patch);
    done.onSuccess(outcome -> changed(ctx, 202, outcome)).onFailure(ctx::fail);
  }

  private static long rollbackTo(JsonObject body) {
    FieldErrors errors = FieldErrors.acceptingOnly(body, "release");
    Object release = body.getValue("release");
    if (!(release instanceof Number n)
        || n.doubleValue() != Math.rint(n.doubleValue())
        || n.longValue() < 1) {
      errors.add("release", "is required: the number of one of the app's releases (1 or more)");
    }
    errors.throwIfAny();
    return ((Number) release).longValue();
  }

  private void releases(RoutingContext ctx) {
    pagedOfApp(ctx, 20, apps::releases, AppRelease::toJson);
  }

  private void quota(RoutingContext ctx) {
    apps.quota(AuthHandler.caller(ctx))
        .onSuccess(quota -> ApiResponse.ok(ctx, quota))
        .onFailure(ctx::fail);
  }

  private static void created(RoutingContext ctx, CreateOutcome outcome) {
    if (outcome instanceof CreateOutcome.Created created) {
      AuditTrail.target(ctx, created.app().id(), created.app().name());
      ApiResponse.ok(ctx, 201, created.app().toJson());
    } else if (outcome instanceof CreateOutcome.Replayed replayed) {
      ApiResponse.ok(ctx, 201, replayed.response());
    } else if (outcome instanceof CreateOutcome.KeyReused) {
      ctx.fail(
          new ApiException(
              ErrorCode.UNPROCESSABLE,
              "Idempotency-Key was already used with a different request"));
    } else if (outcome instanceof CreateOutcome.NameTaken taken) {
      ctx.fail(
          new ApiException(
              ErrorCode.APP_EXISTS,
              "you already have an app named " + taken.name(),
              new JsonObject().put("field", "name")));
    } else if (outcome instanceof CreateOutcome.LimitReached limit) {
      ctx.fail(
          new ApiException(
              ErrorCode.APP_QUOTA_EXCEEDED,
              "you already have " + limit.maxApps() + " apps, the most allowed; delete one first",
              new JsonObject().put("max_apps", limit.maxApps())));
    } else if (outcome instanceof CreateOutcome.Invalid invalid) {
      ctx.fail(invalid.errors().toException());
    } else if (outcome instanceof CreateOutcome.QuotaExceeded quota) {
      ctx.fail(quotaExceeded(quota.refusal()));
    } else if (outcome instanceof CreateOutcome.Throttled throttled) {
      throttled(ctx, throttled.limit());
    } else if (outcome instanceof CreateOutcome.NoHealthyCluster) {
      ctx.fail(
          new ApiException(
              ErrorCode.NO_HEALTHY_CLUSTER,
              // which labels placement wants, and which clusters lack them, is the operator's
              // business (the clusters API); tenants only learn to come back later
              "no cluster can take new apps now; try again later"));
    }
  }

  private void list(RoutingContext ctx) {
    FieldErrors errors = new FieldErrors();
    int page = intParam(ctx, "page", 1, 1, Integer.MAX_VALUE / MAX_LIMIT, errors);
    int limit = intParam(ctx, "limit", 20, 1, MAX_LIMIT, errors);
    String status = ctx.request().getParam("status");
    if (status != null && !AppRules.STATUSES.contains(status)) {
      errors.add("status", "must be one of " + AppRules.STATUSES.stream().sorted().toList());
    }
    String search = ctx.request().getParam("search");
    if (search != null && search.length() > AppRules.MAX_NAME) {
      errors.add("search", "must be at most " + AppRules.MAX_NAME + " characters");
    }
    errors.throwIfAny();
    apps.list(
            AuthHandler.caller(ctx),
            status,
            search == null || search.isEmpty() ? null : search,
            page,
            limit)
        .onSuccess(found -> ApiResponse.ok(ctx, page(found, App::toJson, page, limit)))
        .onFailure(ctx::fail);
  }

  private void events(RoutingContext ctx) {
    pagedOfApp(ctx, 50, apps::events, AppEvent::toJson);
  }

  /** What one list of the caller's app answers (its releases, its history): a page, or 404. */
  private <T> void pagedOfApp(
      RoutingContext ctx, int defaultLimit, PagedOfApp<T> list, Function<T, JsonObject> toJson) {
    FieldErrors errors = new FieldErrors();
    int page = intParam(ctx, "page", 1, 1, Integer.MAX_VALUE / MAX_LIMIT, errors);
    int limit = intParam(ctx, "limit", defaultLimit, 1, MAX_LIMIT, errors);
    errors.throwIfAny();
    String id = appId(ctx);
    if (id == null) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
      return;
    }
    list.of(AuthHandler.caller(ctx), id, page, limit)
        .onSuccess(
            found ->
                found.ifPresentOrElse(
                    items -> ApiResponse.ok(ctx, page(items, toJson, page, limit)),
                    () -> ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND))))
        .onFailure(ctx::fail);
  }

  @FunctionalInterface
  private interface PagedOfApp<T> {
    Future<Optional<Page<T>>> of(Caller caller, String appId, int page, int limit);
  }

  // the app is looked up first: another user's app answers 404 before anything reaches the
  // sync-worker
  private void logs(RoutingContext ctx) {
    LogQuery query = LogQuery.from(ctx.request());
    String id = appId(ctx);
    if (id == null) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
      return;
    }
    apps.get(AuthHandler.caller(ctx), id)
        .onSuccess(
            found ->
                found.ifPresentOrElse(
                    app -> logs.relay(ctx, app, query),
                    () -> ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND))))
        .onFailure(ctx::fail);
  }

  private static void answer(
      RoutingContext ctx, int status, BiFunction<Caller, String, Future<ChangeOutcome>> action) {
    String id = appId(ctx);
    // an id that cannot exist is answered like one that does not
    Future<ChangeOutcome> done =
        id == null
            ? Future.succeededFuture(new ChangeOutcome.NotFound())
            : action.apply(AuthHandler.caller(ctx), id);
    done.onSuccess(outcome -> changed(ctx, status, outcome)).onFailure(ctx::fail);
  }

  /**
   * The answer to a change: {@code status} with the app when it changed; the same for an operation
   * that found the app as asked, but 200 for a patch that changed nothing.
   */
  private static void changed(RoutingContext ctx, int status, ChangeOutcome outcome) {
    boolean patch = HttpMethod.PATCH.equals(ctx.request().method());
    if (outcome instanceof ChangeOutcome.Changed changed) {
      ApiResponse.ok(ctx, status, changed.app().toJson());
    } else if (outcome instanceof ChangeOutcome.Unchanged unchanged) {
      ApiResponse.ok(ctx, patch ? 200 : status, unchanged.app().toJson());
    } else if (outcome instanceof ChangeOutcome.BeingDeleted) {
      ctx.fail(new ApiException(ErrorCode.CONFLICT, "app is being deleted"));
    } else if (outcome instanceof ChangeOutcome.NotFound) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
    } else if (outcome instanceof ChangeOutcome.Invalid invalid) {
      ctx.fail(invalid.errors().toException());
    } else if (outcome instanceof ChangeOutcome.QuotaExceeded quota) {
      ctx.fail(quotaExceeded(quota.refusal()));
    } else if (outcome instanceof ChangeOutcome.Throttled throttled) {
      throttled(ctx, throttled.limit());
    } else if (outcome instanceof ChangeOutcome.UnknownRelease unknown) {
      ctx.fail(
          new ApiException(
              ErrorCode.UNPROCESSABLE,
              "the app has no release "
                  + unknown.release()
                  + "; its releases are 1 to "
                  + unknown.latest()
                  + " (GET .../releases)",
              new JsonObject().put("field", "release").put("latest", unknown.latest())));
    }
  }

  // 429 naming the action and the bound, with Retry-After as the gateway's own 429s carry it
  private static void throttled(RoutingContext ctx, WriteLimits.Throttled limit) {
    ctx.response().putHeader("Retry-After", Long.toString(limit.retryAfterSeconds()));
    ctx.fail(new ApiException(ErrorCode.RATE_LIMITED, limit.message(), limit.toJson()));
  }

  private static ApiException quotaExceeded(QuotaRefusal refusal) {
    return new ApiException(ErrorCode.QUOTA_EXCEEDED, refusal.message(), refusal.data());
  }

  private static String appId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    return id != null && UUID.matcher(id).matches() ? id : null;
  }
}
