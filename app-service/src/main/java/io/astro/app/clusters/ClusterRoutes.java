package io.astro.app.clusters;

import static io.astro.app.http.Requests.body;
import static io.astro.app.http.Requests.intParam;
import static io.astro.app.http.Requests.page;

import io.astro.common.auth.AuthHandler;
import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clusters API under {@code /api/v1/clusters}, for operators only (role {@code admin}; others
 * get 403). No answer ever carries a kubeconfig.
 */
public final class ClusterRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterRoutes.class);

  private static final String BASE = "/api/v1/clusters";
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final int MAX_LIMIT = 100;

  private final ClusterService clusters;
  private final ClusterRules rules = new ClusterRules();
  private final Handler<RoutingContext> auth;
  private final Supplier<Future<JsonObject>> otherSecrets;

  /**
   * {@code otherSecrets} re-encrypts the secrets sealed with the same key ring besides kubeconfigs
   * (apps' secrets, registry passwords), answering how many moved, by kind.
   */
  public ClusterRoutes(
      ClusterService clusters,
      Handler<RoutingContext> auth,
      Supplier<Future<JsonObject>> otherSecrets) {
    this.clusters = clusters;
    this.auth = auth;
    this.otherSecrets = otherSecrets;
  }

  public void mount(Router router) {
    router.route(BASE).handler(auth).handler(ClusterRoutes::adminOnly);
    router.route(BASE + "/*").handler(auth).handler(ClusterRoutes::adminOnly);
    router
        .post(BASE)
        .consumes("application/json")
        .handler(
            ctx ->
                clusters
                    .importCluster(rules.forImport(body(ctx)))
                    .onSuccess(outcome -> imported(ctx, outcome))
                    .onFailure(ctx::fail));
    router
        .post(BASE + "/reencrypt")
        .handler(
            ctx ->
                clusters
                    .reencrypt()
                    .compose(
                        n -> otherSecrets.get().map(others -> others.copy().put("reencrypted", n)))
                    .onSuccess(moved -> ApiResponse.ok(ctx, moved))
                    .onFailure(ctx::fail));
    router.get(BASE).handler(this::list);
    router
        .get(BASE + "/:id")
        .handler(
            ctx ->
                clusters
                    .get(id(ctx))
                    .onSuccess(found -> answer(ctx, 200, found))
                    .onFailure(ctx::fail));
    router
        .patch(BASE + "/:id")
        .consumes("application/json")
        .handler(
            ctx -> {
              String id = id(ctx);
              clusters
                  .patch(id, rules.forPatch(body(ctx)))
                  .onSuccess(outcome -> patched(ctx, outcome))
                  .onFailure(e -> failed(ctx, e));
            });
    router
        .post(BASE + "/:id/sync")
        .handler(
            ctx ->
                clusters
                    .sync(id(ctx))
                    .onSuccess(found -> answer(ctx, 202, found))
                    .onFailure(e -> failed(ctx, e)));
    router
        .delete(BASE + "/:id")
        .handler(
            ctx -> {
              String force = ctx.request().getParam("force");
              if (force != null && !force.equals("true") && !force.equals("false")) {
                new FieldErrors().add("force", "must be true or false").throwIfAny();
              }
              clusters
                  .delete(id(ctx), "true".equals(force))
                  .onSuccess(outcome -> deleted(ctx, outcome))
                  .onFailure(ctx::fail);
            });
  }

  private static void imported(RoutingContext ctx, ImportOutcome outcome) {
    if (outcome instanceof ImportOutcome.Imported imported) {
      ApiResponse.ok(ctx, 201, imported.cluster().toJson());
    } else if (outcome instanceof ImportOutcome.NameTaken taken) {
      ctx.fail(
          new ApiException(
              ErrorCode.CLUSTER_EXISTS,
              "a cluster named " + taken.name() + " exists",
              new JsonObject().put("field", "name")));
    } else if (outcome instanceof ImportOutcome.Rejected rejected) {
      ctx.fail(rejected(rejected.reason()));
    }
  }

  private static void patched(RoutingContext ctx, PatchOutcome outcome) {
    if (outcome instanceof PatchOutcome.Patched patched) {
      ApiResponse.ok(ctx, patched.cluster().toJson());
    } else if (outcome instanceof PatchOutcome.Rejected rejected) {
      ctx.fail(rejected(rejected.reason()));
    } else if (outcome instanceof PatchOutcome.NotFound) {
      ctx.fail(new ApiException(ErrorCode.CLUSTER_NOT_FOUND));
    }
  }

  private static void failed(RoutingContext ctx, Throwable e) {
    if (e instanceof ClusterService.SealBroken broken) {
      LOG.warn("{}", broken.getMessage());
      ctx.fail(
          new ApiException(
              ErrorCode.CONFLICT,
              "the stored kubeconfig does not open with the configured keys; send it again as"
                  + " kubeconfig in a PATCH",
              new JsonObject().put("field", "kubeconfig")));
    } else {
      ctx.fail(e);
    }
  }

  private static ApiException rejected(String reason) {
    return new ApiException(
        ErrorCode.CLUSTER_REJECTED, reason, new JsonObject().put("field", "kubeconfig"));
  }

  private static void answer(RoutingContext ctx, int status, Optional<Cluster> found) {
    found.ifPresentOrElse(
        c -> ApiResponse.ok(ctx, status, c.toJson()),
        () -> ctx.fail(new ApiException(ErrorCode.CLUSTER_NOT_FOUND)));
  }

  private static void deleted(RoutingContext ctx, DeleteOutcome outcome) {
    if (outcome instanceof DeleteOutcome.Deleted) {
      ApiResponse.ok(ctx, 202, null);
    } else if (outcome instanceof DeleteOutcome.InUse inUse) {
      ctx.fail(
          new ApiException(
              ErrorCode.CLUSTER_IN_USE,
              inUse.appCount()
                  + " live apps are placed on "
                  + inUse.name()
                  + "; move or delete them, or pass force=true"));
    } else if (outcome instanceof DeleteOutcome.NotFound) {
      ctx.fail(new ApiException(ErrorCode.CLUSTER_NOT_FOUND));
    }
  }

  private void list(RoutingContext ctx) {
    FieldErrors errors = new FieldErrors();
    int page = intParam(ctx, "page", 1, 1, Integer.MAX_VALUE / MAX_LIMIT, errors);
    int limit = intParam(ctx, "limit", 20, 1, MAX_LIMIT, errors);
    String status = ctx.request().getParam("status");
    if (status != null && !ClusterRules.STATUSES.contains(status)) {
      errors.add("status", "must be one of " + ClusterRules.STATUSES.stream().sorted().toList());
    }
    String search = ctx.request().getParam("search");
    if (search != null && search.length() > 63) {
      errors.add("search", "must be at most 63 characters");
    }
    String[] label = ClusterRules.labelFilter(ctx.request().getParam("label"), errors);
    errors.throwIfAny();
    clusters
        .list(status, search == null || search.isEmpty() ? null : search, label, page, limit)
        .onSuccess(found -> ApiResponse.ok(ctx, page(found, Cluster::toJson, page, limit)))
        .onFailure(ctx::fail);
  }

  private static void adminOnly(RoutingContext ctx) {
    if (!AuthHandler.caller(ctx).isAdmin()) {
      ctx.fail(
          new ApiException(ErrorCode.FORBIDDEN, "clusters are managed by operators (role admin)"));
      return;
    }
    ctx.next();
  }

  // an id that cannot exist is answered like one that does not
  private static String id(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !UUID.matcher(id).matches()) {
      throw new ApiException(ErrorCode.CLUSTER_NOT_FOUND);
    }
    return id;
  }
}
