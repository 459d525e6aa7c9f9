package io.astro.sync.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatus;
import io.astro.common.kube.KubeNames;
import io.astro.sync.reconcile.Manifests;
import io.astro.sync.reconcile.TenantPolicy;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodStatus;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every branch of the mapper: what the informers hold about an app (its Deployment, pods and
 * events) → the status a user sees, or nothing while the cluster has not observed the app's
 * generation.
 */
class DeploymentStatusMapperTest {

  private static final AppCommand APP = app(2, 3, "nginx:1.27");
  private static final String QUOTA_MESSAGE =
      "Error creating: pods \"web-u7-5d9c-x\" is forbidden: exceeded quota: astro-quota";

  /** One row: what the informers hold → what the user sees (empty: nothing is reported). */
  record Row(
      String name,
      V1Deployment deployment,
      List<V1Pod> pods,
      List<CoreV1Event> events,
      AppStatus status,
      String reason,
      String message) {

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> rows() {
    List<Row> rows = new ArrayList<>();
    rows.add(nothing("no Deployment yet", null, List.of()));
    rows.add(
        nothing(
            "a Deployment built from an older generation",
            status(built(app(1, 3, "nginx:1.26")), 1, 1, s -> s.replicas(3).readyReplicas(3)),
            List.of()));
    rows.add(
        nothing(
            "a spec the Deployment controller has not acted on yet",
            status(built(APP), 2, 1, s -> s.replicas(3).updatedReplicas(3).readyReplicas(3)),
            List.of()));
    for (String wait :
        List.of(
            "ImagePullBackOff",
            "ErrImagePull",
            "InvalidImageName",
            "CrashLoopBackOff",
            "CreateContainerConfigError",
            "CreateContainerError",
            "RunContainerError")) {
      rows.add(
          row(
              "a pod waiting with " + wait,
              observed(s -> s.replicas(3).updatedReplicas(3).readyReplicas(2)),
              List.of(pod("web-a", true, null, null), pod("web-b", false, wait, "why: " + wait)),
              List.of(),
              AppStatus.FAILED,
              wait,
              "why: " + wait));
    }
    rows.add(
        row(
            "a ReplicaFailure saying the quota is exceeded",
            observed(
                s ->
                    s.replicas(1)
                        .updatedReplicas(1)
                        .addConditionsItem(condition("ReplicaFailure", "True", "FailedCreate"))),
            List.of(),
            List.of(),
            AppStatus.FAILED,
            "QuotaExceeded",
            QUOTA_MESSAGE));
    rows.add(
        row(
            "another ReplicaFailure",
            observed(
                s ->
                    s.replicas(1)
                        .updatedReplicas(1)
                        .addConditionsItem(
                            condition("ReplicaFailure", "True", "FailedCreate")
                                .message("admission webhook denied the request"))),
            List.of(),
            List.of(),
            AppStatus.FAILED,
            "FailedCreate",
            "admission webhook denied the request"));
    rows.add(
        row(
            "pods missing and a quota event about them",
            observed(s -> s.replicas(1).updatedReplicas(1).readyReplicas(1)),
            List.of(pod("web-a", true, null, null)),
            List.of(event("Warning", "FailedCreate", QUOTA_MESSAGE)),
            AppStatus.FAILED,
            "QuotaExceeded",
            QUOTA_MESSAGE));
    rows.add(
        row(
            "a quota event while every pod exists",
            observed(s -> s.replicas(3).updatedReplicas(3).readyReplicas(3)),
            List.of(),
            List.of(event("Warning", "FailedCreate", QUOTA_MESSAGE)),
            AppStatus.RUNNING,
            null,
            null));
    rows.add(
        row(
            "pods missing and an event that is not about quota",
            observed(s -> s.replicas(1).updatedReplicas(1)),
            List.of(),
            List.of(
                event("Normal", "FailedCreate", QUOTA_MESSAGE),
                event("Warning", "FailedCreate", "some other failure")),
            AppStatus.STARTING,
            null,
            null));
    rows.add(
        row(
            "a rollout past its progress deadline",
            observed(
                s ->
                    s.replicas(3)
                        .updatedReplicas(3)
                        .addConditionsItem(
                            condition("Progressing", "False", "ProgressDeadlineExceeded")
                                .message("ReplicaSet has timed out progressing."))),
            List.of(),
            List.of(),
            AppStatus.FAILED,
            DeploymentStatusMapper.ROLLOUT_FAILED,
            "ReplicaSet has timed out progressing."));
    rows.add(
        row(
            "a rollout that stopped progressing for another reason",
            observed(
                s ->
                    s.replicas(3)
                        .updatedReplicas(3)
                        .readyReplicas(3)
                        .addConditionsItem(
                            condition("Progressing", "False", "FailedCreate")
                                .message("admission webhook denied the ReplicaSet"))),
            List.of(),
            List.of(),
            AppStatus.FAILED,
            "FailedCreate",
            "admission webhook denied the ReplicaSet"));
    rows.add(
        row(
            "a spec without replicas runs one",
            replicasUnset(s -> s.replicas(1).updatedReplicas(1).readyReplicas(1)),
            List.of(),
            List.of(),
            AppStatus.RUNNING,
            null,
            null));
    rows.add(
        row(
            "stopped, and its pods are gone",
            statusOf(app(2, 0, "nginx:1.27"), s -> s),
            List.of(),
            List.of(),
            AppStatus.STOPPED,
            null,
            null));
    rows.add(
        nothing(
            "stopped while its pods still shut down",
            statusOf(app(2, 0, "nginx:1.27"), s -> s.replicas(1)),
            List.of(pod("web-a", true, null, null))));
    rows.add(
        row(
            "pods of an older template still there",
            observed(s -> s.replicas(4).updatedReplicas(2).readyReplicas(3)),
            List.of(),
            List.of(),
            AppStatus.RESTARTING,
            null,
            null));
    rows.add(
        row(
            "every replica updated and ready",
            observed(s -> s.replicas(3).updatedReplicas(3).readyReplicas(3)),
            List.of(),
            List.of(),
            AppStatus.RUNNING,
            null,
            null));
    rows.add(
        row(
            "ready replicas still missing",
            observed(s -> s.replicas(3).updatedReplicas(3).readyReplicas(1)),
            List.of(pod("web-a", false, "ContainerCreating", null)),
            List.of(),
            AppStatus.STARTING,
            null,
            null));
    rows.add(
        row(
            "a Deployment without a status yet",
            observedWithoutStatus(),
            List.of(),
            List.of(),
            AppStatus.STARTING,
            null,
            null));
    return rows.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void maps(Row row) {
    Optional<AppState> state =
        DeploymentStatusMapper.map(APP, row.deployment, row.pods, row.events);

    if (row.status == null) {
      assertThat(state).as(row.name).isEmpty();
      return;
    }
    assertThat(state).as(row.name).isPresent();
    assertThat(state.get().status()).as(row.name).isEqualTo(row.status);
    assertThat(state.get().reason()).as(row.name).isEqualTo(row.reason);
    assertThat(state.get().message()).as(row.name).isEqualTo(row.message);
    assertThat(state.get().observedGeneration()).as(row.name).isEqualTo(APP.generation());
    assertThat(state.get().pods()).as(row.name).hasSize(row.pods.size());
  }

  /** Release 2 of the app, its Deployment observed with {@code status}. */
  private static final AppCommand RELEASE_2 = withRelease(APP, 2);

  @Test
  void pods_of_the_previous_release_still_serving_make_the_app_updating() {
    Optional<AppState> state =
        DeploymentStatusMapper.map(
            RELEASE_2,
            statusOf(RELEASE_2, s -> s.replicas(4).updatedReplicas(1).readyReplicas(3)),
            List.of(
                released(pod("web-old-a", true, null, null), 1),
                released(pod("web-old-b", true, null, null), 1),
                released(pod("web-old-c", true, null, null), 1),
                released(pod("web-new-a", false, "ContainerCreating", null), 2)),
            List.of());

    assertThat(state.get().status()).isEqualTo(AppStatus.UPDATING);
    assertThat(state.get().observedRelease()).isEqualTo(1);
  }

  @Test
  void a_new_release_crashing_while_the_previous_one_serves_is_updating_until_the_deadline() {
    List<V1Pod> pods =
        List.of(
            released(pod("web-old", true, null, null), 1),
            released(pod("web-new", false, "CrashLoopBackOff", "back-off 10s restarting"), 2));

    AppState before =
        DeploymentStatusMapper.map(
                RELEASE_2,
                statusOf(RELEASE_2, s -> s.replicas(2).updatedReplicas(1).readyReplicas(1)),
                pods,
                List.of())
            .orElseThrow();
    AppState after =
        DeploymentStatusMapper.map(
                RELEASE_2,
                statusOf(
                    RELEASE_2,
                    s ->
                        s.replicas(2)
                            .updatedReplicas(1)
                            .readyReplicas(1)
                            .addConditionsItem(
                                condition("Progressing", "False", "ProgressDeadlineExceeded"))),
                pods,
                List.of())
            .orElseThrow();

    assertThat(before.status()).isEqualTo(AppStatus.UPDATING);
    assertThat(before.reason()).isEqualTo("CrashLoopBackOff");
    assertThat(after.status()).isEqualTo(AppStatus.FAILED);
    assertThat(after.reason()).isEqualTo("RolloutFailed");
    assertThat(after.message()).isEqualTo("CrashLoopBackOff: back-off 10s restarting");
    assertThat(after.observedRelease()).as("the previous release serves").isEqualTo(1);
    assertThat(after.readyReplicas()).isEqualTo(1);
  }

  @Test
  void an_old_release_crashing_while_a_new_one_rolls_is_updating_without_its_reason() {
    AppState state =
        DeploymentStatusMapper.map(
                RELEASE_2,
                statusOf(RELEASE_2, s -> s.replicas(2).updatedReplicas(1)),
                List.of(
                    released(pod("web-old", false, "CrashLoopBackOff", "the old bug"), 1),
                    released(pod("web-new", false, "ContainerCreating", null), 2)),
                List.of())
            .orElseThrow();

    assertThat(state.status()).isEqualTo(AppStatus.UPDATING);
    assertThat(state.reason()).isNull();
    assertThat(state.observedRelease()).isZero();
  }

  @Test
  void a_release_never_ready_without_a_waiting_reason_fails_with_the_pods_readiness() {
    V1Pod unready = released(pod("web-new", false, null, null), 2);
    unready
        .getStatus()
        .getConditions()
        .get(0)
        .reason("ContainersNotReady")
        .message("containers with unready status: [app]");

    AppState state =
        DeploymentStatusMapper.map(
                RELEASE_2,
                statusOf(
                    RELEASE_2,
                    s ->
                        s.replicas(2)
                            .updatedReplicas(1)
                            .readyReplicas(1)
                            .addConditionsItem(
                                condition("Progressing", "False", "ProgressDeadlineExceeded"))),
                List.of(released(pod("web-old", true, null, null), 1), unready),
                List.of())
            .orElseThrow();

    assertThat(state.reason()).isEqualTo("RolloutFailed");
    assertThat(state.message())
        .isEqualTo("ContainersNotReady: containers with unready status: [app]");
  }

  @Test
  void every_pod_on_the_new_release_and_ready_is_running_that_release() {
    AppState state =
        DeploymentStatusMapper.map(
                RELEASE_2,
                statusOf(RELEASE_2, s -> s.replicas(3).updatedReplicas(3).readyReplicas(3)),
                List.of(
                    released(pod("web-new-a", true, null, null), 2),
                    released(pod("web-new-b", true, null, null), 2),
                    released(pod("web-new-c", true, null, null), 2)),
                List.of())
            .orElseThrow();

    assertThat(state.status()).isEqualTo(AppStatus.RUNNING);
    assertThat(state.observedRelease()).isEqualTo(2);
  }

  @Test
  void the_observed_release_is_the_oldest_of_the_ready_pods_and_0_without_any() {
    assertThat(
            DeploymentStatusMapper.observedRelease(
                List.of(
                    released(pod("a", true, null, null), 3),
                    released(pod("b", true, null, null), 2),
                    released(pod("c", false, null, null), 1))))
        .isEqualTo(2);
    assertThat(
            DeploymentStatusMapper.observedRelease(
                List.of(released(pod("c", false, null, null), 1))))
        .isZero();
    assertThat(DeploymentStatusMapper.observedRelease(List.of(pod("old", true, null, null))))
        .as("a pod from before releases")
        .isZero();
  }

  @Test
  void warnings_are_the_newest_warning_events_with_count_and_last_seen_bounded() {
    List<CoreV1Event> events = new ArrayList<>();
    OffsetDateTime t0 = OffsetDateTime.of(2026, 12, 4, 10, 0, 0, 0, ZoneOffset.UTC);
    for (int i = 0; i < AppState.MAX_WARNINGS + 3; i++) {
      events.add(
          event("Warning", "BackOff", "back-off " + i)
              .count(i + 1)
              .lastTimestamp(t0.plusMinutes(i)));
    }
    events.add(event("Normal", "Pulled", "pulled").lastTimestamp(t0.plusHours(1)));

    List<AppState.Warning> warnings = DeploymentStatusMapper.warnings(events);

    assertThat(warnings).hasSize(AppState.MAX_WARNINGS);
    int newest = AppState.MAX_WARNINGS + 2;
    assertThat(warnings.get(0))
        .isEqualTo(
            new AppState.Warning(
                "BackOff", "back-off " + newest, newest + 1, t0.plusMinutes(newest).toInstant()));
    assertThat(warnings).extracting(AppState.Warning::reason).containsOnly("BackOff");
    AppState state =
        DeploymentStatusMapper.map(
                APP,
                observed(s -> s.replicas(3).updatedReplicas(3).readyReplicas(3)),
                List.of(),
                events)
            .orElseThrow();
    assertThat(state.warnings()).isEqualTo(warnings);
  }

  private static V1Pod released(V1Pod pod, long release) {
    pod.getMetadata().putAnnotationsItem(KubeNames.RELEASE_ANNOTATION, Long.toString(release));
    return pod;
  }

  private static AppCommand withRelease(AppCommand app, long release) {
    return new AppCommand(
        app.command(),
        app.appId(),
        app.userId(),
        app.name(),
        app.cluster(),
        app.namespace(),
        app.k8sName(),
        app.generation(),
        new AppCommand.Desired(
            app.desired().image(),
            app.desired().replicas(),
            app.desired().port(),
            false,
            null,
            false,
            new AppCommand.Release(
                release, new TreeMap<>(), List.of(), null, null, null, null, null, null)));
  }

  private static Row row(
      String name,
      V1Deployment deployment,
      List<V1Pod> pods,
      List<CoreV1Event> events,
      AppStatus status,
      String reason,
      String message) {
    return new Row(name, deployment, pods, events, status, reason, message);
  }

  private static Row nothing(String name, V1Deployment deployment, List<V1Pod> pods) {
    return new Row(name, deployment, pods, List.of(), null, null, null);
  }

  private static AppCommand app(long generation, int replicas, String image) {
    return new AppCommand(
        AppCommand.Command.SCALE,
        "0b6f8a36-2f7e-4f5e-9a55-6b3c1b3c9d01",
        7,
        "web",
        "default",
        KubeNames.namespace(7),
        KubeNames.objectName("web", 7),
        generation,
        new AppCommand.Desired(
            image, replicas, null, false, null, false, AppCommand.Release.BEFORE_RELEASES));
  }

  private static V1Deployment built(AppCommand app) {
    return new Manifests(TenantPolicy.defaults()).deployment(app);
  }

  /** The Deployment of {@link #APP}, observed by its controller, with this status. */
  private static V1Deployment observed(UnaryOperator<V1DeploymentStatus> status) {
    return statusOf(APP, status);
  }

  private static V1Deployment statusOf(
      AppCommand builtFrom, UnaryOperator<V1DeploymentStatus> status) {
    return status(built(builtFrom), 1, 1, status);
  }

  private static V1Deployment status(
      V1Deployment d, long generation, long observed, UnaryOperator<V1DeploymentStatus> status) {
    d.getMetadata().setGeneration(generation);
    return d.status(status.apply(new V1DeploymentStatus().observedGeneration(observed)));
  }

  /** The Deployment of {@link #APP} without {@code spec.replicas}: Kubernetes defaults it to 1. */
  private static V1Deployment replicasUnset(UnaryOperator<V1DeploymentStatus> status) {
    V1Deployment d = observed(status);
    d.getSpec().setReplicas(null);
    return d;
  }

  private static V1Deployment observedWithoutStatus() {
    V1Deployment d = built(APP);
    d.getMetadata().setGeneration(null);
    return d;
  }

  private static V1DeploymentCondition condition(String type, String value, String reason) {
    return new V1DeploymentCondition()
        .type(type)
        .status(value)
        .reason(reason)
        .message(QUOTA_MESSAGE);
  }

  private static V1Pod pod(String name, boolean ready, String waiting, String message) {
    V1ContainerStatus container =
        new V1ContainerStatus().name("app").ready(ready).restartCount(0).image("nginx:1.27");
    if (waiting != null) {
      container.state(
          new V1ContainerState()
              .waiting(new V1ContainerStateWaiting().reason(waiting).message(message)));
    }
    return new V1Pod()
        .metadata(new V1ObjectMeta().name(name).namespace(APP.namespace()))
        .status(
            new V1PodStatus()
                .phase(ready ? "Running" : "Pending")
                .addConditionsItem(
                    new V1PodCondition().type("Ready").status(ready ? "True" : "False"))
                .addContainerStatusesItem(container));
  }

  private static CoreV1Event event(String type, String reason, String message) {
    return new CoreV1Event()
        .metadata(new V1ObjectMeta().name("web-u7.1").namespace(APP.namespace()))
        .type(type)
        .reason(reason)
        .message(message);
  }
}
