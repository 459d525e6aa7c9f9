package io.astro.sync.status;

import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatus;
import io.astro.common.kube.KubeNames;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Turns what the informers hold about one app — its Deployment, pods and events — into the status a
 * user sees (the statuses of the README's Apps section). Empty when the cluster has not yet
 * observed the app's current generation: a status is never reported for a generation as if it were
 * current before the Deployment controller has seen it.
 */
public final class DeploymentStatusMapper {

  private static final Set<String> FAILING_WAITS =
      Set.of(
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CrashLoopBackOff",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  private DeploymentStatusMapper() {}

  /** The reason of a release whose pods did not become available by the progress deadline. */
  public static final String ROLLOUT_FAILED = "RolloutFailed";

  private static final String DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

  public static Optional<AppState> map(
      AppCommand app, V1Deployment deployment, List<V1Pod> pods, List<CoreV1Event> events) {
    return state(app, deployment, pods, events)
        .map(state -> state.withRelease(observedRelease(pods)).withWarnings(warnings(events)));
  }

  private static Optional<AppState> state(
      AppCommand app, V1Deployment deployment, List<V1Pod> pods, List<CoreV1Event> events) {
    if (deployment == null || !observed(app, deployment)) {
      return Optional.empty();
    }
    V1DeploymentStatus s =
        Objects.requireNonNullElseGet(deployment.getStatus(), V1DeploymentStatus::new);
    int desired =
        deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
    int ready = orZero(s.getReadyReplicas());
    int total = orZero(s.getReplicas());
    int updated = orZero(s.getUpdatedReplicas());
    List<AppState.Pod> summary =
        pods.stream()
            .map(DeploymentStatusMapper::pod)
            .sorted(Comparator.comparing(AppState.Pod::name))
            .toList();
    long generation = app.generation();
    long release = release(deployment.getSpec().getTemplate().getMetadata());
    // pods of another release still there: the new release is rolling (or failed to)
    boolean rolling = pods.stream().anyMatch(p -> release(p.getMetadata()) != release);

    Optional<AppState.Pod> failing = failing(summary, pods, p -> true);
    // during a rollout only the new release's pods say how it goes: the old ones are on their way
    // out
    Optional<AppState.Pod> failingNew =
        failing(summary, pods, p -> release(p.getMetadata()) == release);
    Optional<V1DeploymentCondition> stalled = condition(s, "Progressing", "False");
    if (stalled.isPresent() && DEADLINE_EXCEEDED.equals(stalled.get().getReason())) {
      // the previous release (if any) still serves; say why the new pods are not available
      return Optional.of(
          AppState.of(AppStatus.FAILED, desired, ready, summary, generation)
              .withReason(ROLLOUT_FAILED, podsReason(pods, failingNew, release, stalled.get())));
    }
    if (rolling && failingNew.isPresent()) {
      // not failed yet: the progress deadline decides, and the previous release serves meanwhile
      String reason = failingNew.get().waitingReason();
      return Optional.of(
          AppState.of(AppStatus.UPDATING, desired, ready, summary, generation)
              .withReason(reason, waitingMessage(pods, failingNew.get().name())));
    }
    if (!rolling && failing.isPresent()) {
      String reason = failing.get().waitingReason();
      return Optional.of(
          AppState.of(AppStatus.FAILED, desired, ready, summary, generation)
              .withReason(reason, waitingMessage(pods, failing.get().name())));
    }
    Optional<V1DeploymentCondition> replicaFailure = condition(s, "ReplicaFailure", "True");
    if (replicaFailure.isPresent()) {
      String message = replicaFailure.get().getMessage();
      boolean quota = message != null && message.contains("exceeded quota");
      return Optional.of(
          AppState.of(AppStatus.FAILED, desired, ready, summary, generation)
              .withReason(quota ? "QuotaExceeded" : replicaFailure.get().getReason(), message));
    }
    Optional<CoreV1Event> quotaEvent =
        events.stream()
            .filter(
                e ->
                    "Warning".equals(e.getType())
                        && "FailedCreate".equals(e.getReason())
                        && e.getMessage() != null
                        && e.getMessage().contains("exceeded quota"))
            .findFirst();
    // pods missing, and the ReplicaSet controller said why (a real server may show the event before
    // the condition)
    if (quotaEvent.isPresent() && total < desired) {
      return Optional.of(
          AppState.of(AppStatus.FAILED, desired, ready, summary, generation)
              .withReason("QuotaExceeded", quotaEvent.get().getMessage()));
    }
    if (stalled.isPresent()) {
      return Optional.of(
          AppState.of(AppStatus.FAILED, desired, ready, summary, generation)
              .withReason(stalled.get().getReason(), stalled.get().getMessage()));
    }
    if (desired == 0) {
      // pods still shutting down: not stopped yet, and nothing new to say until they are gone
      return summary.isEmpty()
          ? Optional.of(AppState.of(AppStatus.STOPPED, 0, 0, summary, generation))
          : Optional.empty();
    }
    if (rolling) {
      return Optional.of(AppState.of(AppStatus.UPDATING, desired, ready, summary, generation));
    }
    if (total > updated) {
      // pods of an older template of the same release are still there: a rolling restart
      return Optional.of(AppState.of(AppStatus.RESTARTING, desired, ready, summary, generation));
    }
    if (ready >= desired && updated >= desired) {
      return Optional.of(AppState.of(AppStatus.RUNNING, desired, ready, summary, generation));
    }
    return Optional.of(AppState.of(AppStatus.STARTING, desired, ready, summary, generation));
  }

  /** The first pod (by name) of those {@code which} picks whose container waits on a failure. */
  private static Optional<AppState.Pod> failing(
      List<AppState.Pod> summary, List<V1Pod> pods, Predicate<V1Pod> which) {
    Set<String> names =
        pods.stream().filter(which).map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    return summary.stream()
        .filter(p -> names.contains(p.name()))
        .filter(p -> p.waitingReason() != null && FAILING_WAITS.contains(p.waitingReason()))
        .findFirst();
  }

  /**
   * The release the available pods run: that of the ready pods, the oldest while a rollout has made
   * only some of them new; 0 when no pod is ready.
   */
  static long observedRelease(List<V1Pod> pods) {
    return pods.stream()
        .filter(DeploymentStatusMapper::ready)
        .mapToLong(p -> release(p.getMetadata()))
        .min()
        .orElse(0);
  }

  /**
   * The app's recent Warning events (the informer keeps only Warnings about its objects), newest
   * first, at most {@link AppState#MAX_WARNINGS}.
   */
  static List<AppState.Warning> warnings(List<CoreV1Event> events) {
    return events.stream()
        .filter(e -> "Warning".equals(e.getType()) && e.getReason() != null)
        .sorted(
            Comparator.comparing(
                    DeploymentStatusMapper::lastSeen,
                    Comparator.nullsFirst(Comparator.naturalOrder()))
                .reversed())
        .limit(AppState.MAX_WARNINGS)
        .map(
            e ->
                new AppState.Warning(
                    e.getReason(), e.getMessage(), Math.max(1, count(e)), lastSeen(e)))
        .toList();
  }

  private static int count(CoreV1Event e) {
    if (e.getSeries() != null && e.getSeries().getCount() != null) {
      return e.getSeries().getCount();
    }
    return orZero(e.getCount());
  }

  private static Instant lastSeen(CoreV1Event e) {
    OffsetDateTime at = e.getLastTimestamp();
    if (at == null && e.getSeries() != null) {
      at = e.getSeries().getLastObservedTime();
    }
    if (at == null) {
      at = e.getEventTime();
    }
    if (at == null && e.getMetadata() != null) {
      at = e.getMetadata().getCreationTimestamp();
    }
    return at == null ? null : at.toInstant().truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * Why a release's pods are not available: the first new pod's waiting reason and message ({@code
   * CrashLoopBackOff: back-off ...}), else its readiness condition, else the Deployment's word.
   */
  private static String podsReason(
      List<V1Pod> pods,
      Optional<AppState.Pod> failing,
      long release,
      V1DeploymentCondition stalled) {
    if (failing.isPresent()) {
      String message = waitingMessage(pods, failing.get().name());
      return failing.get().waitingReason() + (message == null ? "" : ": " + message);
    }
    return pods.stream()
        .filter(p -> release(p.getMetadata()) == release && !ready(p))
        .flatMap(
            p ->
                p.getStatus() == null || p.getStatus().getConditions() == null
                    ? java.util.stream.Stream.<V1PodCondition>empty()
                    : p.getStatus().getConditions().stream())
        .filter(c -> "Ready".equals(c.getType()) && c.getReason() != null)
        .map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
        .findFirst()
        .orElse(stalled.getMessage());
  }

  /** The release a pod template (or a pod made from it) was stamped with; 0 for none. */
  static long release(V1ObjectMeta meta) {
    Map<String, String> annotations = meta == null ? null : meta.getAnnotations();
    String value = annotations == null ? null : annotations.get(KubeNames.RELEASE_ANNOTATION);
    if (value == null) {
      return 0;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0; // edited by hand: not a release Astro knows
    }
  }

  private static boolean ready(V1Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The Deployment carries this generation of the app and its controller has acted on it. */
  private static boolean observed(AppCommand app, V1Deployment deployment) {
    Map<String, String> annotations = deployment.getMetadata().getAnnotations();
    String built = annotations == null ? null : annotations.get(KubeNames.GENERATION_ANNOTATION);
    Long metaGeneration = deployment.getMetadata().getGeneration();
    Long controllerSaw =
        deployment.getStatus() == null ? null : deployment.getStatus().getObservedGeneration();
    return Long.toString(app.generation()).equals(built)
        && (metaGeneration == null || (controllerSaw != null && controllerSaw >= metaGeneration));
  }

  private static AppState.Pod pod(V1Pod pod) {
    List<V1ContainerStatus> containers =
        pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
            ? List.of()
            : pod.getStatus().getContainerStatuses();
    boolean ready = ready(pod);
    int restarts = containers.stream().mapToInt(c -> orZero(c.getRestartCount())).sum();
    String waiting =
        containers.stream()
            .filter(c -> c.getState() != null && c.getState().getWaiting() != null)
            .map(c -> c.getState().getWaiting().getReason())
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(null);
    String phase =
        pod.getStatus() == null || pod.getStatus().getPhase() == null
            ? "Pending"
            : pod.getStatus().getPhase();
    return new AppState.Pod(
        pod.getMetadata().getName(),
        phase,
        ready,
        restarts,
        pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
        waiting);
  }

  private static String waitingMessage(List<V1Pod> pods, String podName) {
    return pods.stream()
        .filter(p -> p.getMetadata().getName().equals(podName))
        .flatMap(p -> p.getStatus().getContainerStatuses().stream())
        .filter(c -> c.getState() != null && c.getState().getWaiting() != null)
        .map(c -> c.getState().getWaiting().getMessage())
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  private static Optional<V1DeploymentCondition> condition(
      V1DeploymentStatus status, String type, String value) {
    return status.getConditions() == null
        ? Optional.empty()
        : status.getConditions().stream()
            .filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()))
            .findFirst();
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
