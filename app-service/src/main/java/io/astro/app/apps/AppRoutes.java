package io.astro.app.apps;

import static io.astro.app.http.Requests.body;
import static io.astro.app.http.Requests.intParam;
import static io.astro.app.http.Requests.page;

import io.astro.app.logs.LogQuery;
import io.astro.app.logs.SyncWorkerLogs;
import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.Caller;
import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * The apps API under {@code /api/v1/apps}, every route behind a verified token and scoped to its
 * caller: another user's app and an app that does not exist answer the same 404 (21001).
 */
public final class AppRoutes {

  private static final String BASE = "/api/v1/apps";
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final int MAX_LIMIT = 100;

  private final AppService apps;
  private final AppRules rules;
  private final Handler<RoutingContext> auth;
  private final SyncWorkerLogs logs;

  public AppRoutes(
      AppService apps, AppRules rules, Handler<RoutingContext> auth, SyncWorkerLogs logs) {
    this.apps = apps;
    this.rules = rules;
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
        .onSuccess(json -> ApiResponse.ok(ctx, json))
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
        .onSuccess(app -> ApiResponse.ok(ctx, 201, app))
        .onFailure(ctx::fail);
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
    FieldErrors errors = new FieldErrors();
    int page = intParam(ctx, "page", 1, 1, Integer.MAX_VALUE / MAX_LIMIT, errors);
    int limit = intParam(ctx, "limit", 50, 1, MAX_LIMIT, errors);
    errors.throwIfAny();
    String id = appId(ctx);
    if (id == null) {
      ctx.fail(new ApiException(ErrorCode.APP_NOT_FOUND));
      return;
    }
    apps.events(AuthHandler.caller(ctx), id, page, limit)
        .onSuccess(found -> ApiResponse.ok(ctx, page(found, e -> e.toJson(), page, limit)))
        .onFailure(ctx::fail);
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
        .onSuccess(app -> logs.relay(ctx, app, query))
        .onFailure(ctx::fail);
  }

  private static void answer(
      RoutingContext ctx, int status, BiFunction<Caller, String, Future<App>> action) {
    String id = appId(ctx);
    // an id that cannot exist is answered like one that does not
    Future<App> done =
        id == null
            ? Future.failedFuture(new ApiException(ErrorCode.APP_NOT_FOUND))
            : action.apply(AuthHandler.caller(ctx), id);
    done.onSuccess(app -> ApiResponse.ok(ctx, status, app.toJson())).onFailure(ctx::fail);
  }

  private static String appId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    return id != null && UUID.matcher(id).matches() ? id : null;
  }
}
