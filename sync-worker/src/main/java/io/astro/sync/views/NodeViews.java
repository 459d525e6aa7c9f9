package io.astro.sync.views;

import io.astro.common.kube.KubeNames;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1NodeSystemInfo;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Taint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Nodes and their pods as operators see them: plain JSON, Kubernetes quantities as strings. */
final class NodeViews {

  /** {@code node-role.kubernetes.io/<role>} labels name a node's roles, as kubectl shows them. */
  static final String ROLE_PREFIX = "node-role.kubernetes.io/";

  private static final List<String> RESOURCES = List.of("cpu", "memory", "pods");

  private NodeViews() {}

  /** The summary of a node; {@code podsRunning} counted by the caller. */
  static JsonObject node(V1Node node, long podsRunning) {
    V1ObjectMeta meta = node.getMetadata();
    Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
    JsonArray roles = new JsonArray();
    new TreeMap<>(labels)
        .keySet().stream()
            .filter(k -> k.startsWith(ROLE_PREFIX) && k.length() > ROLE_PREFIX.length())
            .forEach(k -> roles.add(k.substring(ROLE_PREFIX.length())));
    V1NodeSystemInfo info = node.getStatus() == null ? null : node.getStatus().getNodeInfo();
    JsonArray conditions = new JsonArray();
    List<V1NodeCondition> found =
        node.getStatus() == null || node.getStatus().getConditions() == null
            ? List.of()
            : node.getStatus().getConditions();
    for (V1NodeCondition c : found) {
      conditions.add(
          new JsonObject()
              .put("type", c.getType())
              .put("status", c.getStatus())
              .put("reason", c.getReason())
              .put("message", c.getMessage())
              .put("last_transition_time", time(c.getLastTransitionTime())));
    }
    return new JsonObject()
        .put("name", meta.getName())
        .put("roles", roles)
        .put("ready", ready(node))
        .put("schedulable", !cordoned(node))
        .put("kubelet_version", info == null ? null : info.getKubeletVersion())
        .put("os", info == null ? null : info.getOperatingSystem())
        .put("arch", info == null ? null : info.getArchitecture())
        .put("os_image", info == null ? null : info.getOsImage())
        .put("container_runtime", info == null ? null : info.getContainerRuntimeVersion())
        .put(
            "capacity", resources(node.getStatus() == null ? null : node.getStatus().getCapacity()))
        .put(
            "allocatable",
            resources(node.getStatus() == null ? null : node.getStatus().getAllocatable()))
        .put("pods_running", podsRunning)
        .put("conditions", conditions)
        .put("taints", taints(node))
        .put("labels", new JsonObject(new TreeMap<String, Object>(labels)))
        .put("created_at", time(meta.getCreationTimestamp()));
  }

  static boolean ready(V1Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static boolean cordoned(V1Node node) {
    return node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
  }

  static JsonArray taints(V1Node node) {
    JsonArray out = new JsonArray();
    List<V1Taint> taints =
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.of()
            : node.getSpec().getTaints();
    for (V1Taint t : taints) {
      out.add(
          new JsonObject()
              .put("key", t.getKey())
              .put("value", t.getValue())
              .put("effect", t.getEffect()));
    }
    return out;
  }

  /** A pod on a node: which app it is when Astro runs it (by its labels), and how it is doing. */
  static JsonObject pod(V1Pod pod) {
    V1ObjectMeta meta = pod.getMetadata();
    Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
    JsonObject app = null;
    if (KubeNames.isUserNamespace(meta.getNamespace())
        && KubeNames.MANAGER.equals(labels.get(KubeNames.MANAGED_BY_LABEL))
        && labels.get(KubeNames.APP_ID_LABEL) != null) {
      app =
          new JsonObject()
              .put("id", labels.get(KubeNames.APP_ID_LABEL))
              .put("name", labels.get(KubeNames.NAME_LABEL))
              .put("user_id", labels.get(KubeNames.USER_ID_LABEL));
    }
    int restarts = 0;
    boolean ready = false;
    if (pod.getStatus() != null) {
      if (pod.getStatus().getContainerStatuses() != null) {
        for (V1ContainerStatus c : pod.getStatus().getContainerStatuses()) {
          restarts += c.getRestartCount() == null ? 0 : c.getRestartCount();
        }
      }
      ready =
          pod.getStatus().getConditions() != null
              && pod.getStatus().getConditions().stream()
                  .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
    return new JsonObject()
        .put("namespace", meta.getNamespace())
        .put("name", meta.getName())
        .put("app", app)
        .put("phase", pod.getStatus() == null ? null : pod.getStatus().getPhase())
        .put("ready", ready)
        .put("restarts", restarts)
        .put("terminating", meta.getDeletionTimestamp() != null)
        .put("daemon_set", daemonSet(pod))
        .put("created_at", time(meta.getCreationTimestamp()));
  }

  /** Pods of DaemonSets stay on a drained node, as {@code kubectl drain --ignore-daemonsets}. */
  static boolean daemonSet(V1Pod pod) {
    List<V1OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    return owners != null
        && owners.stream()
            .anyMatch(
                o -> "DaemonSet".equals(o.getKind()) && Boolean.TRUE.equals(o.getController()));
  }

  /** A static (mirror) pod is the kubelet's own; the API server cannot evict it. */
  static boolean mirror(V1Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey("kubernetes.io/config.mirror");
  }

  static boolean running(V1Pod pod) {
    return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
  }

  private static JsonObject resources(Map<String, Quantity> quantities) {
    JsonObject out = new JsonObject();
    for (String r : RESOURCES) {
      Quantity q = quantities == null ? null : quantities.get(r);
      out.put(r, q == null ? null : q.toSuffixedString());
    }
    return out;
  }

  static String time(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
