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
import io.kubernetes.client.openapi.models.V1Probe;
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
import java.util.Optional;
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

  /**
   * Brings the pod's node binding and status up to date, in place: the pod ends as stored, at the
   * version its writes left.
   */
  void sync(V1Pod pod, Supplier<String> readyNode, Instant now) throws ApiException {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    if (pod.getSpec().getNodeName() == null) {
      String node = readyNode.get();
      if (node != null) {
        pod.getSpec().setNodeName(node);
        Written.send(core.replaceNamespacedPod(name, namespace, pod).buildCall(null))
            .applyTo(pod.getMetadata());
      }
    }
    V1PodStatus desired = statusOf(pod, now);
    boolean changed = !JSON.serialize(desired).equals(JSON.serialize(pod.getStatus()));
    pod.setStatus(desired);
    // The containers change before their status is written, as on a real node: whoever sees a
    // status (a crash loop, say) can already read the logs that go with it.
    if (pod.getSpec().getNodeName() != null) {
      logs.put(namespace, name, started(pod).toInstant(), logContainers(pod));
    }
    if (changed) {
      Written.send(core.replaceNamespacedPodStatus(name, namespace, pod).buildCall(null))
          .applyTo(pod.getMetadata());
    }
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
    boolean waitingToStart = false;
    for (V1Container c : pod.getSpec().getContainers()) {
      V1ContainerStatus status = containerStatus(pod, c, started, now);
      containers.add(status);
      if (!Boolean.TRUE.equals(status.getReady())) {
        unready.add(c.getName());
      }
      String reason =
          status.getState().getWaiting() == null
              ? null
              : status.getState().getWaiting().getReason();
      waitingToStart |=
          "ContainerCreating".equals(reason)
              || "ErrImagePull".equals(reason)
              || "ImagePullBackOff".equals(reason)
              || "CreateContainerConfigError".equals(reason);
    }
    boolean ready = unready.isEmpty();
    String notReadyMessage =
        "containers with unready status: " + unready.toString().replace(",", "");
    String podIp = podIp(pod);
    return new V1PodStatus()
        .phase(waitingToStart ? "Pending" : "Running")
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

  /**
   * One step of the container's life, from what the pod's stored status shows now: a new container
   * is {@code ContainerCreating}; then, if its image cannot be pulled, {@code ErrImagePull} and
   * from the next sync on {@code ImagePullBackOff}; otherwise it runs — or crash-loops, when a
   * fault says so or its image needs a capability its security context took away. Each sync moves
   * one step, so every state is written (and watchable) once on the way.
   */
  private V1ContainerStatus containerStatus(
      V1Pod pod, V1Container c, OffsetDateTime started, Instant now) {
    String image = c.getImage();
    V1ContainerStatus status = new V1ContainerStatus().name(c.getName()).image(image);
    String before = waitingReason(pod, c.getName());
    Optional<String> pullError = pullError(image);
    if (!hasStatus(pod, c.getName())) {
      return waiting(status, "ContainerCreating", null);
    }
    if (pullError.isPresent()) {
      return "ContainerCreating".equals(before)
          ? waiting(
              status, "ErrImagePull", "Failed to pull image \"" + image + "\": " + pullError.get())
          : waiting(status, "ImagePullBackOff", "Back-off pulling image \"" + image + "\"");
    }
    Optional<String> configError = nonRootViolation(pod, c);
    if (configError.isPresent()) {
      return waiting(status, "CreateContainerConfigError", configError.get());
    }
    status
        .imageID(imageId(image))
        .containerID("containerd://" + sha256(pod.getMetadata().getUid() + c.getName()));
    Optional<List<String>> startup = ImageCatalogue.startupFailure(c);
    if (faults.crashes(image) || startup.isPresent()) {
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
                          .message(startup.map(lines -> lines.get(lines.size() - 1)).orElse(null))
                          .startedAt(lastStart)
                          .finishedAt(lastStart.plusSeconds(1))
                          .containerID(status.getContainerID())));
    }
    // probes: a container with a startup or readiness probe is neither started nor ready before the
    // probe's initialDelaySeconds, nor ever when its image does not answer its health checks (the
    // simulator does not restart it for a failing liveness probe)
    boolean answers =
        !faults.probesFail(image) && !now.isBefore(started.toInstant().plus(probeDelay(c)));
    boolean probed = c.getStartupProbe() != null || c.getReadinessProbe() != null;
    boolean ready = !probed || answers;
    return status
        .ready(ready)
        .started(ready)
        .restartCount(0)
        .state(new V1ContainerState().running(new V1ContainerStateRunning().startedAt(started)));
  }

  /**
   * The kubelet's verifyRunAsNonRoot (pkg/kubelet/kuberuntime/security_context_others.go), before
   * it creates the container: with {@code runAsNonRoot} (the container's, else the pod's), a {@code
   * runAsUser} of 0, or none and an image the {@link ImageCatalogue} knows runs as root, stops the
   * container from being created. An image whose user is not known here passes, as one with a
   * non-root numeric user does.
   */
  static Optional<String> nonRootViolation(V1Pod pod, V1Container c) {
    var podSecurity = pod.getSpec().getSecurityContext();
    var security = c.getSecurityContext();
    Boolean nonRoot =
        (security != null && security.getRunAsNonRoot() != null)
            ? security.getRunAsNonRoot()
            : (podSecurity == null ? null : podSecurity.getRunAsNonRoot());
    if (!Boolean.TRUE.equals(nonRoot)) {
      return Optional.empty();
    }
    Long runAsUser =
        (security != null && security.getRunAsUser() != null)
            ? security.getRunAsUser()
            : (podSecurity == null ? null : podSecurity.getRunAsUser());
    String where =
        " (pod: \""
            + pod.getMetadata().getName()
            + "_"
            + pod.getMetadata().getNamespace()
            + "("
            + pod.getMetadata().getUid()
            + ")\", container: "
            + c.getName()
            + ")";
    if (runAsUser != null) {
      return runAsUser == 0
          ? Optional.of("container's runAsUser breaks non-root policy" + where)
          : Optional.empty();
    }
    return ImageCatalogue.user(c.getImage())
        .filter(uid -> uid == 0)
        .map(uid -> "container has runAsNonRoot and image will run as root" + where);
  }

  /** When the first probe runs: the startup probe's delay, else the readiness probe's. */
  private static Duration probeDelay(V1Container c) {
    V1Probe first = c.getStartupProbe() != null ? c.getStartupProbe() : c.getReadinessProbe();
    Integer seconds = first == null ? null : first.getInitialDelaySeconds();
    return Duration.ofSeconds(seconds == null ? 0 : seconds);
  }

  private static V1ContainerStatus waiting(
      V1ContainerStatus status, String reason, String message) {
    return status
        .imageID("")
        .ready(false)
        .started(false)
        .restartCount(0)
        .state(
            new V1ContainerState()
                .waiting(new V1ContainerStateWaiting().reason(reason).message(message)));
  }

  /**
   * Why the node cannot pull the image, worded as containerd reports it through the kubelet; empty
   * when it can. A test's {@link Faults#failImage} is a missing image; a registry under a reserved
   * name or at a private, loopback or link-local address cannot be reached.
   */
  private Optional<String> pullError(String image) {
    ImageReference ref = ImageReference.parse(image);
    String canonical = ref.canonical();
    String prefix =
        "failed to pull and unpack image \""
            + canonical
            + "\": failed to resolve reference \""
            + canonical
            + "\": ";
    if (faults.pullFails(image)) {
      return Optional.of("rpc error: code = NotFound desc = " + prefix + canonical + ": not found");
    }
    return ref.unreachable()
        .map(
            reason ->
                "rpc error: code = Unknown desc = "
                    + prefix
                    + "failed to do request: Head \"https://"
                    + ref.registry()
                    + "/v2/"
                    + ref.repository()
                    + "/manifests/"
                    + (ref.digest() != null ? ref.digest() : ref.tag())
                    + "\": "
                    + reason);
  }

  private static boolean hasStatus(V1Pod pod, String container) {
    return storedStatus(pod, container) != null;
  }

  private static String waitingReason(V1Pod pod, String container) {
    V1ContainerStatus s = storedStatus(pod, container);
    return s == null || s.getState() == null || s.getState().getWaiting() == null
        ? null
        : s.getState().getWaiting().getReason();
  }

  private static V1ContainerStatus storedStatus(V1Pod pod, String container) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return null;
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> container.equals(s.getName()))
        .findFirst()
        .orElse(null);
  }

  private List<PodLogs.Container> logContainers(V1Pod pod) {
    List<PodLogs.Container> out = new ArrayList<>();
    for (V1Container c : pod.getSpec().getContainers()) {
      String reason = waitingReason(pod, c.getName());
      Optional<List<String>> startup = ImageCatalogue.startupFailure(c);
      PodLogs.Mode mode;
      if ("ContainerCreating".equals(reason) || !hasStatus(pod, c.getName())) {
        mode = PodLogs.Mode.CREATING;
      } else if ("ErrImagePull".equals(reason) || "ImagePullBackOff".equals(reason)) {
        mode = PodLogs.Mode.PULL_BACKOFF;
      } else if ("CreateContainerConfigError".equals(reason)) {
        mode = PodLogs.Mode.CONFIG_ERROR;
      } else if (faults.crashes(c.getImage()) || startup.isPresent()) {
        mode = PodLogs.Mode.CRASH_LOOP;
      } else {
        mode = PodLogs.Mode.RUNNING;
      }
      out.add(new PodLogs.Container(c.getName(), c.getImage(), mode, startup.orElse(List.of())));
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
