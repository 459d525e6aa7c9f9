package io.astro.app.registries;

import static io.astro.app.http.Requests.body;

import io.astro.common.auth.AuthHandler;
import io.astro.common.crypto.KeyRing;
import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.astro.common.kube.KubeNames;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Registry credentials under {@code /api/v1/registries}, each user's own: create (201, without the
 * password), list (never the password), delete (409 while a live app pulls with it).
 */
public final class RegistryRoutes {

  private static final String BASE = "/api/v1/registries";
  private static final Pattern SERVER =
      Pattern.compile(
          "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::[0-9]{1,5})?");

  private final RegistryStore store;
  private final KeyRing keys;
  private final Handler<RoutingContext> auth;
  private final Clock clock;

  public RegistryRoutes(
      RegistryStore store, KeyRing keys, Handler<RoutingContext> auth, Clock clock) {
    this.store = store;
    this.keys = keys;
    this.auth = auth;
    this.clock = clock;
  }

  public void mount(Router router) {
    router.route(BASE).handler(auth);
    router.route(BASE + "/*").handler(auth);
    router.post(BASE).consumes("application/json").handler(this::create);
    router.get(BASE).handler(this::list);
    router.delete(BASE + "/:name").handler(this::delete);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = body(ctx);
    FieldErrors errors = FieldErrors.acceptingOnly(body, "name", "server", "username", "password");
    Object name = body.getValue("name");
    if (!(name instanceof String n
        && n.length() <= KubeNames.MAX_NAME
        && KubeNames.DNS_LABEL.matcher(n).matches())) {
      errors.add(
          "name",
          "is required: a DNS label (lowercase letters, digits and '-', at most 63 characters)");
    }
    Object server = body.getValue("server");
    if (!(server instanceof String s && s.length() <= 261 && SERVER.matcher(s).matches())) {
      errors.add("server", "is required: a registry host, optionally with :port (ghcr.io)");
    }
    Object username = body.getValue("username");
    if (!(username instanceof String u && !u.isEmpty() && u.length() <= 255 && !u.contains(":"))) {
      errors.add("username", "is required: 1 to 255 characters, no ':'");
    }
    Object password = body.getValue("password");
    if (!(password instanceof String p && !p.isEmpty() && p.length() <= 4096)) {
      errors.add("password", "is required: 1 to 4096 characters");
    }
    errors.throwIfAny();
    Registry registry =
        Registry.created(
            UUID.randomUUID().toString(),
            AuthHandler.caller(ctx).userId(),
            (String) name,
            ((String) server).toLowerCase(java.util.Locale.ROOT),
            (String) username,
            (String) password,
            keys,
            clock.instant().truncatedTo(ChronoUnit.MILLIS));
    store
        .create(registry)
        .onSuccess(
            outcome -> {
              if (outcome instanceof RegistryOutcome.Created created) {
                ApiResponse.ok(ctx, 201, created.registry().toJson());
              } else if (outcome instanceof RegistryOutcome.NameTaken taken) {
                ctx.fail(
                    new ApiException(
                        ErrorCode.CONFLICT,
                        "you already have a registry credential named " + taken.name(),
                        new JsonObject().put("field", "name")));
              }
            })
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    store
        .list(AuthHandler.caller(ctx).userId())
        .onSuccess(
            all -> {
              JsonArray items = new JsonArray();
              all.forEach(r -> items.add(r.toJson()));
              ApiResponse.ok(ctx, new JsonObject().put("items", items));
            })
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store
        .delete(AuthHandler.caller(ctx).userId(), name)
        .onSuccess(
            outcome -> {
              if (outcome instanceof RegistryOutcome.Deleted) {
                ApiResponse.ok(ctx, 200, null);
              } else if (outcome instanceof RegistryOutcome.NotFound) {
                ctx.fail(
                    new ApiException(
                        ErrorCode.NOT_FOUND, "you have no registry credential named " + name));
              } else if (outcome instanceof RegistryOutcome.InUse used) {
                ctx.fail(
                    new ApiException(
                        ErrorCode.CONFLICT,
                        "registry credential "
                            + name
                            + " is in use by apps "
                            + used.apps()
                            + "; change their image_pull_secret first",
                        new JsonObject().put("apps", new JsonArray(used.apps()))));
              }
            })
        .onFailure(ctx::fail);
  }
}
