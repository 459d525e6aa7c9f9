package io.astro.testkit.kube;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateRunning;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodIP;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * The node side of the simulation: binds an unscheduled pod to a node (the scheduler's job) and
 * reports the pod's status as a kubelet would, through the {@code pods/status} subresource. The
 * status is a pure function of the pod, the {@link Faults} and the pod's age, so computing it again
 * changes nothing unless something really changed.
 */
final class Kubelet {

  /**
   * A crash-looping container "restarts" this often (a real back-off grows; tests only need it to
   * move).
   */
  static final Duration CRASH_RESTART_PERIOD = Duration.ofSeconds(5);

  private final CoreV1Api core;
  private final Faults faults;
  private final PodLogs logs;

  Kubelet(CoreV1Api core, Faults faults, PodLogs logs) {
    this.core = core;
    this.faults = faults;
    this.logs = logs;
  }

  /** Brings the pod's node binding and status up to date; returns the pod as stored. */
  V1Pod sync(V1Pod pod, Supplier<String> readyNode, Instant now) throws ApiException {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    if (pod.getSpec().getNodeName() == null) {
      String node = readyNode.get();
      if (node != null) {
        pod.getSpec().setNodeName(node);
        pod = core.replaceNamespacedPod(name, namespace, pod).execute();
      }
    }
    V1PodStatus desired = statusOf(pod, now);
    if (!JSON.serialize(desired).equals(JSON.serialize(pod.getStatus()))) {
      pod.setStatus(desired);
      pod = core.replaceNamespacedPodStatus(name, namespace, pod).execute();
    }
    if (pod.getSpec().getNodeName() != null) {
      logs.put(namespace, name, started(pod).toInstant(), logContainers(pod));
    }
    return pod;
  }

  /** The pod is gone: its containers and their logs with it. */
  void forget(V1Pod pod) {
    logs.remove(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
  }

  static boolean isReady(V1Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The InternalIP of a simulated node; pods report it as their hostIP. */
  static String nodeIp(String node) {
    int h = node.hashCode();
    return "10.0." + ((h >>> 8) & 0xff) + "." + (1 + (h & 0x7f));
  }

  private V1PodStatus statusOf(V1Pod pod, Instant now) {
    OffsetDateTime started = started(pod);
    String node = pod.getSpec().getNodeName();
    if (node == null) {
      return new V1PodStatus()
          .phase("Pending")
          .conditions(
              List.of(
                  condition(
                      "PodScheduled",
                      false,
                      started,
                      "Unschedulable",
                      "0/0 nodes are available: no Ready node to schedule pods on.")));
    }
    List<V1ContainerStatus> containers = new ArrayList<>();
    List<String> unready = new ArrayList<>();
    boolean pulling = false;
    for (V1Container c : pod.getSpec().getContainers()) {
      V1ContainerStatus status = containerStatus(pod, c, started, now);
      containers.add(status);
      if (!Boolean.TRUE.equals(status.getReady())) {
        unready.add(c.getName());
      }
      pulling |= faults.pullFails(c.getImage());
    }
    boolean ready = unready.isEmpty();
    String notReadyMessage =
        "containers with unready status: " + unready.toString().replace(",", "");
    String podIp = podIp(pod);
    return new V1PodStatus()
        .phase(pulling ? "Pending" : "Running")
        .hostIP(nodeIp(node))
        .podIP(podIp)
        .podIPs(List.of(new V1PodIP().ip(podIp)))
        .startTime(started)
        .conditions(
            List.of(
                condition("PodReadyToStartContainers", true, started, null, null),
                condition("Initialized", true, started, null, null),
                condition(
                    "Ready",
                    ready,
                    started,
                    ready ? null : "ContainersNotReady",
                    ready ? null : notReadyMessage),
                condition(
                    "ContainersReady",
                    ready,
                    started,
                    ready ? null : "ContainersNotReady",
                    ready ? null : notReadyMessage),
                condition("PodScheduled", true, started, null, null)))
        .containerStatuses(containers);
  }

  private V1ContainerStatus containerStatus(
      V1Pod pod, V1Container c, OffsetDateTime started, Instant now) {
    String image = c.getImage();
    V1ContainerStatus status = new V1ContainerStatus().name(c.getName()).image(image);
    if (faults.pullFails(image)) {
      return status
          .imageID("")
          .ready(false)
          .started(false)
          .restartCount(0)
          .state(
              new V1ContainerState()
                  .waiting(
                      new V1ContainerStateWaiting()
                          .reason("ImagePullBackOff")
                          .message("Back-off pulling image \"" + image + "\"")));
    }
    status
        .imageID(imageId(image))
        .containerID("containerd://" + sha256(pod.getMetadata().getUid() + c.getName()));
    if (faults.crashes(image)) {
      int restarts = crashRestarts(started, now);
      OffsetDateTime lastStart = started.plus(CRASH_RESTART_PERIOD.multipliedBy(restarts - 1));
      return status
          .ready(false)
          .started(false)
          .restartCount(restarts)
          .state(
              new V1ContainerState()
                  .waiting(
                      new V1ContainerStateWaiting()
                          .reason("CrashLoopBackOff")
                          .message(
                              "back-off 10s restarting failed container="
                                  + c.getName()
                                  + " pod="
                                  + pod.getMetadata().getName()
                                  + "_"
                                  + pod.getMetadata().getNamespace()
                                  + "("
                                  + pod.getMetadata().getUid()
                                  + ")")))
          .lastState(
              new V1ContainerState()
                  .terminated(
                      new V1ContainerStateTerminated()
                          .exitCode(1)
                          .reason("Error")
                          .startedAt(lastStart)
                          .finishedAt(lastStart.plusSeconds(1))
                          .containerID(status.getContainerID())));
    }
    return status
        .ready(true)
        .started(true)
        .restartCount(0)
        .state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(started)));
  }

  private List<PodLogs.Container> logContainers(V1Pod pod) {
    List<PodLogs.Container> out = new ArrayList<>();
    for (V1Container c : pod.getSpec().getContainers()) {
      PodLogs.Mode mode =
          faults.pullFails(c.getImage())
              ? PodLogs.Mode.PULL_BACKOFF
              : faults.crashes(c.getImage()) ? PodLogs.Mode.CRASH_LOOP : PodLogs.Mode.RUNNING;
      out.add(new PodLogs.Container(c.getName(), c.getImage(), mode));
    }
    return out;
  }

  private static int crashRestarts(OffsetDateTime started, Instant now) {
    long elapsed = Math.max(0, Duration.between(started.toInstant(), now).toMillis());
    return 1 + (int) (elapsed / CRASH_RESTART_PERIOD.toMillis());
  }

  /**
   * Pod start as the kubelet saw it; the API server's creation time, which the mock always sets.
   */
  private static OffsetDateTime started(V1Pod pod) {
    OffsetDateTime created = pod.getMetadata().getCreationTimestamp();
    return created != null ? created : OffsetDateTime.now(ZoneOffset.UTC);
  }

  private static V1PodCondition condition(
      String type, boolean status, OffsetDateTime at, String reason, String message) {
    return new V1PodCondition()
        .type(type)
        .status(status ? "True" : "False")
        .lastTransitionTime(at)
        .reason(reason)
        .message(message);
  }

  private static String podIp(V1Pod pod) {
    int h = pod.getMetadata().getUid().hashCode();
    return "10.244." + ((h >>> 8) & 0xff) + "." + (1 + (h & 0x7f));
  }

  private static String imageId(String image) {
    String repo =
        image.contains("@")
            ? image.substring(0, image.indexOf('@'))
            : image.replaceFirst(":[^:/]+$", "");
    return repo + "@sha256:" + sha256(image);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
