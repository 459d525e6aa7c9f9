package io.astro.app.clusters;

import static io.astro.app.http.Requests.body;
import static io.astro.app.http.Requests.intParam;
import static io.astro.app.http.Requests.page;

import io.astro.common.auth.AuthHandler;
import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.astro.common.kube.KubeNames;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
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
  private static final Pattern NODE =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private final ClusterService clusters;
  private final ClusterRules rules = new ClusterRules();
  private final Handler<RoutingContext> auth;
  private final Supplier<Future<JsonObject>> otherSecrets;
  private final StaticClusters statics;
  private final ClusterViews views;

  /**
   * {@code otherSecrets} re-encrypts the secrets sealed with the same key ring besides kubeconfigs
   * (apps' secrets, registry passwords), answering how many moved, by kind.
   */
  public ClusterRoutes(
      ClusterService clusters,
      Handler<RoutingContext> auth,
      Supplier<Future<JsonObject>> otherSecrets,
      StaticClusters statics,
      ClusterViews views) {
    this.clusters = clusters;
    this.auth = auth;
    this.otherSecrets = otherSecrets;
    this.statics = statics;
    this.views = views;
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
                find(ctx.pathParam("id"))
                    .onSuccess(found -> answer(ctx, 200, found))
                    .onFailure(ctx::fail));
    mountViews(router);
    router
        .patch(BASE + "/:id")
        .consumes("application/json")
        .handler(
            ctx ->
                changeable(
                    ctx,
                    id ->
                        clusters
                            .patch(id, rules.forPatch(body(ctx)))
                            .onSuccess(outcome -> patched(ctx, outcome))
                            .onFailure(e -> failed(ctx, e))));
    router
        .post(BASE + "/:id/sync")
        .handler(
            ctx ->
                changeable(
                    ctx,
                    id ->
                        clusters
                            .sync(id)
                            .onSuccess(found -> answer(ctx, 202, found))
                            .onFailure(e -> failed(ctx, e))));
    router
        .delete(BASE + "/:id")
        .handler(
            ctx -> {
              String force = ctx.request().getParam("force");
              if (force != null && !force.equals("true") && !force.equals("false")) {
                new FieldErrors().add("force", "must be true or false").throwIfAny();
              }
              changeable(
                  ctx,
                  id ->
                      clusters
                          .delete(id, "true".equals(force))
                          .onSuccess(outcome -> deleted(ctx, outcome))
                          .onFailure(ctx::fail));
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
        .compose(
            found ->
                statics.append(
                    found,
                    status,
                    search == null || search.isEmpty() ? null : search,
                    label != null,
                    page,
                    limit))
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

  /**
   * The operators' views of a cluster, relayed to the sync-worker ({@link ClusterViews}): the node,
   * namespace and event paths after the cluster, segments checked here so nothing else can be asked
   * of the worker.
   */
  private void mountViews(Router router) {
    router.get(BASE + "/:id/nodes").handler(ctx -> view(ctx, "/nodes"));
    router.get(BASE + "/:id/nodes/:node").handler(ctx -> view(ctx, "/nodes/" + node(ctx)));
    router
        .patch(BASE + "/:id/nodes/:node")
        .consumes("application/json")
        .handler(ctx -> view(ctx, "/nodes/" + node(ctx)));
    for (String action : List.of("cordon", "uncordon", "drain")) {
      router
          .post(BASE + "/:id/nodes/:node/" + action)
          .handler(ctx -> view(ctx, "/nodes/" + node(ctx) + "/" + action));
    }
    router.get(BASE + "/:id/namespaces").handler(ctx -> view(ctx, "/namespaces"));
    router.get(BASE + "/:id/events").handler(ctx -> view(ctx, "/events"));
  }

  private void view(RoutingContext ctx, String tail) {
    find(ctx.pathParam("id"))
        .onSuccess(
            found ->
                found.ifPresentOrElse(
                    c -> views.relay(ctx, c.name(), tail),
                    () -> ctx.fail(new ApiException(ErrorCode.CLUSTER_NOT_FOUND))))
        .onFailure(ctx::fail);
  }

  // a name no node can have: answered as a node that does not exist, the worker is not asked
  private static String node(RoutingContext ctx) {
    String node = ctx.pathParam("node");
    if (node == null || node.length() > 253 || !NODE.matcher(node).matches()) {
      throw new ApiException(
          ErrorCode.NOT_FOUND,
          "node " + node + " not found",
          new JsonObject().put("missing", "node"));
    }
    return node;
  }

  /** An imported cluster by its id, or a static one by its name. */
  private Future<Optional<Cluster>> find(String id) {
    if (id != null && UUID.matcher(id).matches()) {
      return clusters.get(id);
    }
    if (id != null && id.length() <= 63 && KubeNames.DNS_LABEL.matcher(id).matches()) {
      return statics.find(id);
    }
    return Future.succeededFuture(Optional.empty());
  }

  /**
   * Runs {@code change} with the id of an imported cluster; a static cluster's name → 409 (22006):
   * the sync-worker's configuration defines it, not this API.
   */
  private void changeable(RoutingContext ctx, java.util.function.Consumer<String> change) {
    String id = ctx.pathParam("id");
    if (id != null && UUID.matcher(id).matches()) {
      change.accept(id);
      return;
    }
    find(id)
        .onSuccess(
            found -> {
              if (found.isPresent()) {
                ctx.fail(
                    new ApiException(
                        ErrorCode.CLUSTER_STATIC,
                        "cluster "
                            + id
                            + " comes from the sync-worker's configuration (ASTRO_CLUSTERS) and is"
                            + " read-only here; its nodes are managed under /nodes",
                        new JsonObject().put("field", "id")));
              } else {
                ctx.fail(new ApiException(ErrorCode.CLUSTER_NOT_FOUND));
              }
            })
        .onFailure(ctx::fail);
  }
}
