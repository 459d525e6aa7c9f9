package io.astro.sync.views;

import io.astro.common.http.ApiException;
import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.astro.common.http.QueryParams;
import io.astro.common.kube.KubeNames;
import io.astro.sync.clusters.ClusterClients;
import io.astro.sync.http.KubeAnswers;
import io.astro.sync.logs.BlockingPool;
import io.astro.sync.logs.Deadline;
import io.astro.sync.logs.InternalToken;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Pod;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' views of a cluster, internal like the logs endpoint (app-service calls them for
 * admins; the gateway does not route them), behind the same {@code Authorization: Bearer <internal
 * token>}. The contract is in {@code docs/sync-worker-views.md}:
 *
 * <pre>
 * GET    /internal/v1/clusters/{cluster}/nodes
 * GET    /internal/v1/clusters/{cluster}/nodes/{node}
 * PATCH  /internal/v1/clusters/{cluster}/nodes/{node}          {labels, taints}
 * POST   /internal/v1/clusters/{cluster}/nodes/{node}/cordon
 * POST   /internal/v1/clusters/{cluster}/nodes/{node}/uncordon
 * POST   /internal/v1/clusters/{cluster}/nodes/{node}/drain   {timeout_seconds}
 * GET    /internal/v1/clusters/{cluster}/namespaces
 * GET    /internal/v1/clusters/{cluster}/events?namespace=&type=&since=&limit=
 * </pre>
 *
 * Every Kubernetes call runs on this endpoint's bounded pool, never on an event loop, within {@link
 * #BUDGET} per request (app-service waits 3 s); drains run on their own threads ({@link
 * NodeDrains}).
 */
public final class ClusterViewRoutes {

  public static final String BASE = "/internal/v1/clusters/:cluster";

  static final Duration BUDGET = Duration.ofMillis(2500);
  static final int DEFAULT_EVENTS = 100;
  static final int MAX_EVENTS = 500;
  static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(10);
  static final long MAX_DRAIN_TIMEOUT_SECONDS = 3600;

  private static final Logger LOG = LoggerFactory.getLogger(ClusterViewRoutes.class);
  private static final Pattern NODE_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final int MAX_NODE_NAME = 253;
  private static final List<String> EVENT_TYPES = List.of("Normal", "Warning");

  private final Vertx vertx;
  private final ClusterClients clusters;
  private final InternalToken token;
  private final BlockingPool calls = new BlockingPool("cluster-views", 4, 32);
  private final NodeDrains drains;

  /**
   * @param internalToken the shared secret; null or blank turns the views off (503)
   */
  public ClusterViewRoutes(Vertx vertx, ClusterClients clusters, String internalToken) {
    this(vertx, clusters, internalToken, Clock.systemUTC());
  }

  ClusterViewRoutes(Vertx vertx, ClusterClients clusters, String internalToken, Clock clock) {
    this.vertx = vertx;
    this.clusters = clusters;
    this.drains = new NodeDrains(clock);
    if (internalToken == null || internalToken.isBlank()) {
      LOG.warn("no internal token configured (ASTRO_INTERNAL_TOKEN): cluster views are off");
      this.token = null;
    } else {
      this.token = new InternalToken(internalToken);
    }
  }

  public void mount(Router router) {
    router.route(BASE + "/nodes*").handler(this::authorised);
    router.route(BASE + "/namespaces").handler(this::authorised);
    router.route(BASE + "/events").handler(this::authorised);
    router.get(BASE + "/nodes").handler(this::nodes);
    router.get(BASE + "/nodes/:node").handler(this::node);
    router.patch(BASE + "/nodes/:node").handler(this::patch);
    router.post(BASE + "/nodes/:node/cordon").handler(ctx -> cordon(ctx, true));
    router.post(BASE + "/nodes/:node/uncordon").handler(ctx -> cordon(ctx, false));
    router.post(BASE + "/nodes/:node/drain").handler(this::drain);
    router.get(BASE + "/namespaces").handler(this::namespaces);
    router.get(BASE + "/events").handler(this::events);
  }

  private void authorised(RoutingContext ctx) {
    if (token == null) {
      throw new ApiException(ErrorCode.UNAVAILABLE, "cluster views are not configured");
    }
    token.check(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    ctx.next();
  }

  private void nodes(RoutingContext ctx) {
    String cluster = cluster(ctx);
    answer(
        ctx,
        200,
        () -> {
          ApiClient client = client(cluster);
          Deadline deadline = Deadline.in(BUDGET);
          try {
            List<V1Node> nodes = NodeCalls.nodes(client, deadline);
            Map<String, Long> running = new HashMap<>();
            for (V1Pod pod : NodeCalls.pods(client, null, deadline)) {
              if (pod.getSpec() != null
                  && pod.getSpec().getNodeName() != null
                  && NodeViews.running(pod)) {
                running.merge(pod.getSpec().getNodeName(), 1L, Long::sum);
              }
            }
            JsonArray items = new JsonArray();
            nodes.stream()
                .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
                .forEach(
                    n ->
                        items.add(
                            NodeViews.node(n, running.getOrDefault(n.getMetadata().getName(), 0L))
                                .put(
                                    "drain",
                                    drains
                                        .progress(cluster, n.getMetadata().getName())
                                        .map(d -> d.getString("state"))
                                        .orElse(null))));
            return new JsonObject().put("items", items);
          } catch (io.kubernetes.client.openapi.ApiException e) {
            throw KubeAnswers.of(e, "the nodes", "nodes", KubeAnswers.Reader.OPERATOR);
          }
        });
  }

  private void node(RoutingContext ctx) {
    String cluster = cluster(ctx);
    String node = nodeName(ctx);
    answer(ctx, 200, () -> detail(cluster, client(cluster), node, Deadline.in(BUDGET)));
  }

  private JsonObject detail(String cluster, ApiClient client, String node, Deadline deadline) {
    try {
      V1Node found = NodeCalls.node(client, node, deadline);
      List<V1Pod> pods =
          NodeCalls.pods(client, node, deadline).stream()
              .sorted(
                  Comparator.comparing((V1Pod p) -> p.getMetadata().getNamespace())
                      .thenComparing(p -> p.getMetadata().getName()))
              .toList();
      JsonArray podViews = new JsonArray();
      pods.forEach(p -> podViews.add(NodeViews.pod(p)));
      return NodeViews.node(found, pods.stream().filter(NodeViews::running).count())
          .put("pods", podViews)
          .put("drain", drains.progress(cluster, node).orElse(null));
    } catch (io.kubernetes.client.openapi.ApiException e) {
      throw KubeAnswers.of(e, "node " + node, "node", KubeAnswers.Reader.OPERATOR);
    }
  }

  private void cordon(RoutingContext ctx, boolean cordon) {
    String cluster = cluster(ctx);
    String node = nodeName(ctx);
    answer(
        ctx,
        200,
        () -> {
          ApiClient client = client(cluster);
          Deadline deadline = Deadline.in(BUDGET);
          if (!cordon) {
            drains.cancel(cluster, node);
          }
          try {
            NodeCalls.unschedulable(client, node, cordon, deadline);
          } catch (io.kubernetes.client.openapi.ApiException e) {
            throw KubeAnswers.of(e, "node " + node, "node", KubeAnswers.Reader.OPERATOR);
          }
          LOG.info("node {} of cluster {} {}", node, cluster, cordon ? "cordoned" : "uncordoned");
          return detail(cluster, client, node, deadline);
        });
  }

  private void patch(RoutingContext ctx) {
    String cluster = cluster(ctx);
    String node = nodeName(ctx);
    NodeChange change = NodeChange.parse(body(ctx));
    answer(
        ctx,
        200,
        () -> {
          ApiClient client = client(cluster);
          Deadline deadline = Deadline.in(BUDGET);
          try {
            // one patch: labels and taints change together or not at all
            JsonObject patch =
                change.labels() == null || change.labels().isEmpty()
                    ? new JsonObject()
                    : NodeCalls.labelsPatch(change.labels());
            if (change.taints() != null) {
              V1Node current = NodeCalls.node(client, node, deadline);
              JsonArray taints = new JsonArray();
              change
                  .mergedTaints(current.getSpec() == null ? null : current.getSpec().getTaints())
                  .forEach(
                      t -> {
                        JsonObject taint =
                            new JsonObject().put("key", t.getKey()).put("effect", t.getEffect());
                        if (t.getValue() != null) {
                          taint.put("value", t.getValue());
                        }
                        if (t.getTimeAdded() != null) {
                          taint.put("timeAdded", t.getTimeAdded().toInstant().toString());
                        }
                        taints.add(taint);
                      });
              patch =
                  patch.mergeIn(
                      NodeCalls.taintsPatch(current.getMetadata().getResourceVersion(), taints),
                      true);
            }
            if (!patch.isEmpty()) {
              NodeCalls.patch(client, node, patch, deadline);
            }
          } catch (io.kubernetes.client.openapi.ApiException e) {
            if (e.getCode() == 409) {
              throw new ApiException(
                  ErrorCode.CONFLICT,
                  "node " + node + " changed meanwhile; read it and send the change again");
            }
            if (e.getCode() == 422) {
              throw new FieldErrors()
                  .add("node", "the cluster refused the change: " + KubeAnswers.serverMessage(e))
                  .toException(ErrorCode.UNPROCESSABLE);
            }
            throw KubeAnswers.of(e, "node " + node, "node", KubeAnswers.Reader.OPERATOR);
          }
          LOG.info("node {} of cluster {}: labels or taints changed", node, cluster);
          return detail(cluster, client, node, deadline);
        });
  }

  private void drain(RoutingContext ctx) {
    String cluster = cluster(ctx);
    String node = nodeName(ctx);
    Duration timeout = drainTimeout(ctx);
    answer(
        ctx,
        202,
        () -> {
          ApiClient client = client(cluster);
          try {
            // the node must exist before a drain is started and reported for it
            NodeCalls.node(client, node, Deadline.in(BUDGET));
          } catch (io.kubernetes.client.openapi.ApiException e) {
            throw KubeAnswers.of(e, "node " + node, "node", KubeAnswers.Reader.OPERATOR);
          }
          JsonObject progress =
              drains
                  .start(cluster, client, node, timeout)
                  .orElseThrow(
                      () ->
                          new ApiException(
                              ErrorCode.UNAVAILABLE,
                              "too many drains in progress (at most "
                                  + NodeDrains.MAX_DRAINS
                                  + "), retry when one ended"));
          LOG.info("drain of node {} of cluster {} started", node, cluster);
          return new JsonObject().put("node", node).put("drain", progress);
        });
  }

  private void namespaces(RoutingContext ctx) {
    String cluster = cluster(ctx);
    answer(
        ctx,
        200,
        () -> {
          try {
            return new JsonObject()
                .put("items", ClusterReads.namespaces(client(cluster), Deadline.in(BUDGET)));
          } catch (io.kubernetes.client.openapi.ApiException e) {
            throw KubeAnswers.of(e, "the namespaces", "namespaces", KubeAnswers.Reader.OPERATOR);
          }
        });
  }

  private void events(RoutingContext ctx) {
    String cluster = cluster(ctx);
    ClusterReads.EventQuery query = eventQuery(ctx);
    answer(
        ctx,
        200,
        () -> {
          try {
            return new JsonObject()
                .put("items", ClusterReads.events(client(cluster), query, Deadline.in(BUDGET)));
          } catch (io.kubernetes.client.openapi.ApiException e) {
            throw KubeAnswers.of(
                e,
                query.namespace() == null ? "the events" : "namespace " + query.namespace(),
                "namespace",
                KubeAnswers.Reader.OPERATOR);
          }
        });
  }

  static ClusterReads.EventQuery eventQuery(RoutingContext ctx) {
    QueryParams params = QueryParams.of(ctx);
    String namespace =
        params.name(
            "namespace", KubeNames.DNS_LABEL, KubeNames.MAX_NAME, "a namespace name (a DNS label)");
    String type = params.oneOf("type", EVENT_TYPES);
    Instant since = params.instant("since");
    int limit = params.integer("limit", DEFAULT_EVENTS, 1, MAX_EVENTS);
    params.throwIfAny();
    return new ClusterReads.EventQuery(namespace, type, since, limit);
  }

  private static Duration drainTimeout(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0) {
      return DEFAULT_DRAIN_TIMEOUT;
    }
    JsonObject body = body(ctx);
    FieldErrors errors = FieldErrors.acceptingOnly(body, "timeout_seconds");
    Object value = body.getValue("timeout_seconds");
    Duration timeout = DEFAULT_DRAIN_TIMEOUT;
    if (value != null) {
      if (value instanceof Integer || value instanceof Long) {
        long seconds = ((Number) value).longValue();
        if (seconds < 1 || seconds > MAX_DRAIN_TIMEOUT_SECONDS) {
          errors.add("timeout_seconds", "must be from 1 to " + MAX_DRAIN_TIMEOUT_SECONDS);
        } else {
          timeout = Duration.ofSeconds(seconds);
        }
      } else {
        errors.add("timeout_seconds", "must be a whole number of seconds");
      }
    }
    errors.throwIfAny();
    return timeout;
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body != null) {
        return body;
      }
    } catch (RuntimeException notAnObject) {
      // answered below
    }
    throw new ApiException(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
  }

  private static String cluster(RoutingContext ctx) {
    String cluster = ctx.pathParam("cluster");
    if (cluster == null
        || cluster.length() > KubeNames.MAX_NAME
        || !KubeNames.DNS_LABEL.matcher(cluster).matches()) {
      new FieldErrors().add("cluster", "must be a cluster name (a DNS label)").throwIfAny();
    }
    return cluster;
  }

  private static String nodeName(RoutingContext ctx) {
    String node = ctx.pathParam("node");
    if (node == null || node.length() > MAX_NODE_NAME || !NODE_NAME.matcher(node).matches()) {
      // a name no node can have names no node
      throw KubeAnswers.missing("node", "node " + node + " not found");
    }
    return node;
  }

  private ApiClient client(String cluster) {
    return clusters
        .client(cluster)
        .orElseThrow(() -> KubeAnswers.missing("cluster", "unknown cluster " + cluster));
  }

  private void answer(RoutingContext ctx, int status, Callable<JsonObject> task) {
    Context context = vertx.getOrCreateContext();
    calls
        .call(context, task)
        .onSuccess(
            data -> {
              if (!ctx.response().closed()) {
                ApiResponse.ok(ctx, status, data);
              }
            })
        .onFailure(
            failure -> {
              if (!ctx.response().closed()) {
                ctx.fail(failure);
              }
            });
  }
}
