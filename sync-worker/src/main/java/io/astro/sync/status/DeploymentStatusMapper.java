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
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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

  public static Optional<AppState> map(
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

    Optional<AppState.Pod> failing =
        summary.stream()
            .filter(p -> p.waitingReason() != null && FAILING_WAITS.contains(p.waitingReason()))
            .findFirst();
    if (failing.isPresent()) {
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
    Optional<V1DeploymentCondition> stalled = condition(s, "Progressing", "False");
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
    if (total > updated) {
      // pods of an older template are still there: a rolling restart or update
      return Optional.of(AppState.of(AppStatus.RESTARTING, desired, ready, summary, generation));
    }
    if (ready >= desired && updated >= desired) {
      return Optional.of(AppState.of(AppStatus.RUNNING, desired, ready, summary, generation));
    }
    return Optional.of(AppState.of(AppStatus.STARTING, desired, ready, summary, generation));
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
    boolean ready =
        pod.getStatus() != null
            && pod.getStatus().getConditions() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
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
