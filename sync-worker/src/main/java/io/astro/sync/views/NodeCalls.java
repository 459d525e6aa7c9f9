package io.astro.sync.views;

import io.astro.sync.logs.Deadline;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Eviction;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.PatchUtils;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The Kubernetes calls behind the node views, each bounded by a {@link Deadline}. Blocking: run
 * them off the event loop. Nodes are changed with JSON merge patches (what {@code kubectl cordon}
 * and {@code kubectl label} change, nothing else); a taint change carries the node's
 * resourceVersion, so a node changed meanwhile answers 409 instead of losing a taint.
 */
final class NodeCalls {

  private static final int MAX_REFUSAL = 64 * 1024;

  private NodeCalls() {}

  static List<V1Node> nodes(ApiClient client, Deadline deadline) throws ApiException {
    return client
        .<V1NodeList>execute(
            deadline.bound(new CoreV1Api(client).listNode().buildCall(null)), V1NodeList.class)
        .getData()
        .getItems();
  }

  static V1Node node(ApiClient client, String name, Deadline deadline) throws ApiException {
    return client
        .<V1Node>execute(
            deadline.bound(new CoreV1Api(client).readNode(name).buildCall(null)), V1Node.class)
        .getData();
  }

  /**
   * Every pod of the cluster, or of one node: the field selector {@code spec.nodeName} is asked of
   * the API server and held to here as well.
   */
  static List<V1Pod> pods(ApiClient client, String node, Deadline deadline) throws ApiException {
    CoreV1Api.APIlistPodForAllNamespacesRequest request =
        new CoreV1Api(client).listPodForAllNamespaces();
    if (node != null) {
      request.fieldSelector("spec.nodeName=" + node);
    }
    List<V1Pod> pods =
        client
            .<V1PodList>execute(deadline.bound(request.buildCall(null)), V1PodList.class)
            .getData()
            .getItems();
    if (node == null) {
      return pods;
    }
    List<V1Pod> on = new ArrayList<>();
    for (V1Pod pod : pods) {
      if (pod.getSpec() != null && node.equals(pod.getSpec().getNodeName())) {
        on.add(pod);
      }
    }
    return on;
  }

  static V1Node patch(ApiClient client, String node, JsonObject patch, Deadline deadline)
      throws ApiException {
    return PatchUtils.patch(
        V1Node.class,
        () ->
            deadline.bound(
                new CoreV1Api(client).patchNode(node, new V1Patch(patch.encode())).buildCall(null)),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
        client);
  }

  static V1Node unschedulable(ApiClient client, String node, boolean cordon, Deadline deadline)
      throws ApiException {
    // null removes the field, as kubectl uncordon leaves it
    return patch(
        client,
        node,
        new JsonObject().put("spec", new JsonObject().put("unschedulable", cordon ? true : null)),
        deadline);
  }

  /** Labels set or removed (a null value removes) in one merge patch. */
  static JsonObject labelsPatch(Map<String, String> labels) {
    JsonObject out = new JsonObject();
    labels.forEach(out::put);
    return new JsonObject().put("metadata", new JsonObject().put("labels", out));
  }

  /** The taints as a whole, guarded by the resourceVersion they were computed from. */
  static JsonObject taintsPatch(String resourceVersion, JsonArray taints) {
    return new JsonObject()
        .put("metadata", new JsonObject().put("resourceVersion", resourceVersion))
        .put("spec", new JsonObject().put("taints", taints.isEmpty() ? null : taints));
  }

  /** What an eviction answered: its HTTP status and, when refused, the API server's reason. */
  record Evicted(int status, String reason) {}

  /**
   * Asks the Eviction API (policy/v1) to evict {@code pod}: 201 done, 404 already gone, 429 a
   * PodDisruptionBudget does not allow it now. The answer is read raw: its body is a Status, not
   * the Eviction the typed client would decode.
   */
  static Evicted evict(ApiClient client, V1Pod pod, Deadline deadline) throws ApiException {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Call call =
        deadline.bound(
            new CoreV1Api(client)
                .createNamespacedPodEviction(
                    name,
                    ns,
                    new V1Eviction()
                        .apiVersion("policy/v1")
                        .kind("Eviction")
                        .metadata(new V1ObjectMeta().name(name).namespace(ns)))
                .buildCall(null));
    try (Response response = call.execute()) {
      int code = response.code();
      if (code / 100 == 2) {
        return new Evicted(code, null);
      }
      ResponseBody body = response.body();
      String text =
          body == null
              ? ""
              : new String(
                  body.byteStream().readNBytes(MAX_REFUSAL),
                  java.nio.charset.StandardCharsets.UTF_8);
      return new Evicted(code, reason(text));
    } catch (IOException e) {
      throw new ApiException(e);
    }
  }

  /** The cause a refusal gives (the budget's words), else its message. */
  private static String reason(String statusBody) {
    try {
      JsonObject status = new JsonObject(statusBody);
      JsonObject details = status.getJsonObject("details");
      JsonArray causes = details == null ? null : details.getJsonArray("causes");
      if (causes != null && !causes.isEmpty() && causes.getValue(0) instanceof JsonObject cause) {
        String message = cause.getString("message");
        if (message != null) {
          return message;
        }
      }
      return status.getString("message");
    } catch (RuntimeException notAStatus) {
      return null;
    }
  }
}
