package io.astro.app.audit;

import static io.astro.app.http.Requests.intParam;
import static io.astro.app.http.Requests.page;

import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.Caller;
import io.astro.common.events.EventFields;
import io.astro.common.events.audit.AuditEvent;
import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.function.Function;

/**
 * The audit trail's two readings: operators see every line ({@code GET /api/v1/admin/audit}, role
 * admin), each user the lines of their own actions ({@code GET /api/v1/audit}). Filters: {@code
 * actor} (a uuid; operators only), {@code action} (a dotted name or a prefix of one: {@code app}),
 * {@code target} (an id or a name), {@code from} / {@code to} (RFC 3339 instants, to exclusive);
 * {@code page} and {@code limit}. A bad one answers 400 naming it.
 */
public final class AuditRoutes {

  public static final String ADMIN_PATH = "/api/v1/admin/audit";
  public static final String OWN_PATH = "/api/v1/audit";
  static final int MAX_LIMIT = 100;
  private static final Set<String> ADMIN_PARAMS =
      Set.of("actor", "action", "target", "from", "to", "page", "limit");
  private static final Set<String> OWN_PARAMS =
      Set.of("action", "target", "from", "to", "page", "limit");

  private final AuditLog log;
  private final Handler<RoutingContext> auth;

  public AuditRoutes(AuditLog log, Handler<RoutingContext> auth) {
    this.log = log;
    this.auth = auth;
  }

  public void mount(Router router) {
    router
        .get(ADMIN_PATH)
        .handler(auth)
        .handler(
            ctx -> {
              if (!AuthHandler.caller(ctx).isAdmin()) {
                ctx.fail(
                    new ApiException(
                        ErrorCode.FORBIDDEN,
                        "the whole audit trail is for operators (role admin)"));
                return;
              }
              list(ctx, ADMIN_PARAMS, c -> null);
            });
    router.get(OWN_PATH).handler(auth).handler(ctx -> list(ctx, OWN_PARAMS, Caller::uuid));
  }

  private void list(RoutingContext ctx, Set<String> accepted, Function<Caller, String> onlyActor) {
    FieldErrors errors = new FieldErrors();
    ctx.queryParams().names().stream()
        .filter(name -> !accepted.contains(name))
        .sorted()
        .forEach(name -> errors.add(name, "is not accepted here"));
    int page = intParam(ctx, "page", 1, 1, Integer.MAX_VALUE / MAX_LIMIT, errors);
    int limit = intParam(ctx, "limit", 50, 1, MAX_LIMIT, errors);
    String actor = text(ctx, "actor");
    if (actor != null && !EventFields.UUID.matcher(actor).matches()) {
      errors.add("actor", "must be a user's uuid");
    }
    String action = text(ctx, "action");
    if (action != null && (action.length() > 64 || !action.matches("[a-z]+(\\.[a-z]+){0,3}"))) {
      errors.add("action", "must be a dotted action name or its prefix, e.g. app.create or app");
    }
    String target = text(ctx, "target");
    if (target != null && target.length() > AuditEvent.MAX_TEXT) {
      errors.add("target", "must be at most " + AuditEvent.MAX_TEXT + " characters");
    }
    Instant from = instant(ctx, "from", errors);
    Instant to = instant(ctx, "to", errors);
    if (from != null && to != null && !from.isBefore(to)) {
      errors.add("to", "must be after from");
    }
    errors.throwIfAny();
    String only = onlyActor.apply(AuthHandler.caller(ctx));
    log.list(new AuditLog.Query(only != null ? only : actor, action, target, from, to, page, limit))
        .onSuccess(found -> ApiResponse.ok(ctx, page(found, line -> line, page, limit)))
        .onFailure(ctx::fail);
  }

  private static String text(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    return value == null || value.isEmpty() ? null : value;
  }

  private static Instant instant(RoutingContext ctx, String name, FieldErrors errors) {
    String value = text(ctx, name);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      errors.add(name, "must be an RFC 3339 instant, e.g. 2026-12-01T00:00:00Z");
      return null;
    }
  }
}
