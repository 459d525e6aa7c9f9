package io.astro.testkit.kube;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The {@code pods/eviction} subresource (policy/v1 Eviction) as the API server serves it
 * (pkg/registry/core/pod/storage/eviction.go, {@code EvictionREST.Create}), with the disruption
 * controller's arithmetic (pkg/controller/disruption/disruption.go) done at the moment of the
 * eviction, since the fake runs no such controller:
 *
 * <ul>
 *   <li>the Eviction's name must be the pod's (400), the pod must exist (404);
 *   <li>a pod that is Pending, Succeeded, Failed or already terminating is deleted without asking
 *       any budget ({@code canIgnorePDB});
 *   <li>more than one PodDisruptionBudget selecting the pod → 500 {@code This pod has more than one
 *       PodDisruptionBudget, which the eviction subresource does not support.};
 *   <li>one budget: its healthy pods (Ready, not terminating, selected) against the pods it wants
 *       healthy ({@code minAvailable}, or the selected pods − {@code maxUnavailable}, percentages
 *       rounded up as {@code GetScaledValueFromIntOrPercent(…, true)}); no disruption allowed → 429
 *       TooManyRequests {@code Cannot evict pod as it would violate the pod's disruption budget.}
 *       with the cause {@code DisruptionBudget}: {@code The disruption budget <name> needs <n>
 *       healthy pods and has <m> currently}; an unready pod may go while the budget is met ({@code
 *       unhealthyPodEvictionPolicy} IfHealthyBudget, the default);
 *   <li>otherwise the pod is deleted and the answer is 201 with a Success Status.
 * </ul>
 *
 * Evictions run one at a time, as the API server serialises them through the budget's
 * resourceVersion, so two evictions cannot both take the budget's last disruption.
 */
final class Evictions {

  private final MockStore store;
  private Future<?> queue = Future.succeededFuture();

  Evictions(MockStore store) {
    this.store = store;
  }

  /**
   * The Status answering {@code POST .../namespaces/{ns}/pods/{pod}/eviction} with {@code body}.
   */
  synchronized Future<JsonObject> evict(String namespace, String pod, JsonObject body) {
    Future<JsonObject> answer = queue.transform(ignored -> decide(namespace, pod, body));
    queue = answer;
    return answer;
  }

  private Future<JsonObject> decide(String namespace, String podName, JsonObject body) {
    String named = body.getJsonObject("metadata", new JsonObject()).getString("name");
    if (named != null && !named.equals(podName)) {
      return Future.succeededFuture(
          StatusBodies.badRequest("name in URL does not match name in Eviction object"));
    }
    String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + podName;
    return store
        .get(podPath)
        .compose(
            pod -> {
              if (pod == null) {
                return Future.succeededFuture(StatusBodies.notFound("", "pods", podName));
              }
              if (canIgnoreBudget(pod)) {
                return delete(podPath);
              }
              return store
                  .list("/apis/policy/v1/namespaces/" + namespace + "/poddisruptionbudgets")
                  .compose(
                      budgets -> {
                        List<JsonObject> matching =
                            budgets.stream().filter(b -> selects(b, labels(pod))).toList();
                        if (matching.isEmpty()) {
                          return delete(podPath);
                        }
                        if (matching.size() > 1) {
                          return Future.succeededFuture(
                              failure(
                                  500,
                                  "InternalError",
                                  "This pod has more than one PodDisruptionBudget, which the"
                                      + " eviction subresource does not support.",
                                  null));
                        }
                        JsonObject budget = matching.get(0);
                        return store
                            .list("/api/v1/namespaces/" + namespace + "/pods")
                            .compose(pods -> judge(podPath, pod, budget, pods));
                      });
            });
  }

  private Future<JsonObject> judge(
      String podPath, JsonObject pod, JsonObject budget, List<JsonObject> pods) {
    List<JsonObject> selected = pods.stream().filter(p -> selects(budget, labels(p))).toList();
    int expected = selected.size();
    int healthy = (int) selected.stream().filter(Evictions::healthy).count();
    JsonObject spec = budget.getJsonObject("spec", new JsonObject());
    int desired;
    if (spec.getValue("minAvailable") != null) {
      desired = scaled(spec.getValue("minAvailable"), expected);
    } else if (spec.getValue("maxUnavailable") != null) {
      desired = Math.max(0, expected - scaled(spec.getValue("maxUnavailable"), expected));
    } else {
      desired = expected;
    }
    int allowed = Math.max(0, healthy - desired);
    // IfHealthyBudget: an unready pod may go when the budget is met without it
    boolean unready = !healthy(pod);
    if (allowed == 0 && !(unready && healthy >= desired && desired > 0)) {
      String name = budget.getJsonObject("metadata", new JsonObject()).getString("name");
      JsonArray causes =
          new JsonArray()
              .add(
                  new JsonObject()
                      .put("reason", "DisruptionBudget")
                      .put(
                          "message",
                          "The disruption budget "
                              + name
                              + " needs "
                              + desired
                              + " healthy pods and has "
                              + healthy
                              + " currently"));
      return Future.succeededFuture(
          failure(
              429,
              "TooManyRequests",
              "Cannot evict pod as it would violate the pod's disruption budget.",
              new JsonObject().put("causes", causes).put("retryAfterSeconds", 10)));
    }
    return delete(podPath);
  }

  private Future<JsonObject> delete(String podPath) {
    return store
        .send(HttpMethod.DELETE, podPath, null)
        .map(
            answer ->
                answer.code() / 100 == 2 || answer.code() == 404
                    ? new JsonObject()
                        .put("kind", "Status")
                        .put("apiVersion", "v1")
                        .put("metadata", new JsonObject())
                        .put("status", "Success")
                        .put("code", 201)
                    : failure(500, "InternalError", "the pod could not be deleted", null));
  }

  /** {@code canIgnorePDB}: pods that are not running, or already going, need no budget. */
  private static boolean canIgnoreBudget(JsonObject pod) {
    String phase = pod.getJsonObject("status", new JsonObject()).getString("phase", "Pending");
    return "Succeeded".equals(phase)
        || "Failed".equals(phase)
        || "Pending".equals(phase)
        || pod.getJsonObject("metadata", new JsonObject()).getString("deletionTimestamp") != null;
  }

  private static boolean healthy(JsonObject pod) {
    if (pod.getJsonObject("metadata", new JsonObject()).getString("deletionTimestamp") != null) {
      return false;
    }
    JsonArray conditions =
        pod.getJsonObject("status", new JsonObject()).getJsonArray("conditions", new JsonArray());
    for (Object c : conditions) {
      if (c instanceof JsonObject condition
          && "Ready".equals(condition.getString("type"))
          && "True".equals(condition.getString("status"))) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Object> labels(JsonObject object) {
    return ObjectValidation.map(object.getJsonObject("metadata", new JsonObject()), "labels");
  }

  /**
   * Whether the budget's selector selects {@code labels}: policy/v1 reads a null selector as
   * selecting nothing and an empty one as selecting every pod of the namespace.
   */
  static boolean selects(JsonObject budget, Map<String, Object> labels) {
    JsonObject selector = budget.getJsonObject("spec", new JsonObject()).getJsonObject("selector");
    if (selector == null) {
      return false;
    }
    JsonObject match = selector.getJsonObject("matchLabels", new JsonObject());
    for (String key : match.fieldNames()) {
      if (!String.valueOf(match.getValue(key)).equals(String.valueOf(labels.get(key)))) {
        return false;
      }
    }
    for (Object e : selector.getJsonArray("matchExpressions", new JsonArray())) {
      if (!(e instanceof JsonObject expression)) {
        return false;
      }
      String key = expression.getString("key");
      JsonArray values = expression.getJsonArray("values", new JsonArray());
      Object value = labels.get(key);
      boolean ok =
          switch (expression.getString("operator", "")) {
            case "In" -> value != null && values.contains(String.valueOf(value));
            case "NotIn" -> value == null || !values.contains(String.valueOf(value));
            case "Exists" -> labels.containsKey(key);
            case "DoesNotExist" -> !labels.containsKey(key);
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** intstr.GetScaledValueFromIntOrPercent with roundUp true. */
  private static int scaled(Object value, int total) {
    if (value instanceof Number n) {
      return n.intValue();
    }
    String text = String.valueOf(value);
    if (text.endsWith("%")) {
      int percent = Integer.parseInt(text.substring(0, text.length() - 1));
      return (int) Math.ceil(percent * (double) total / 100.0);
    }
    return Integer.parseInt(text);
  }

  private static JsonObject failure(int code, String reason, String message, JsonObject details) {
    JsonObject status =
        new JsonObject()
            .put("kind", "Status")
            .put("apiVersion", "v1")
            .put("metadata", new JsonObject())
            .put("status", "Failure")
            .put("message", message)
            .put("reason", reason);
    if (details != null) {
      status.put("details", details);
    }
    return status.put("code", code);
  }
}
