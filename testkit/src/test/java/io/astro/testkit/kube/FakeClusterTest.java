package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.reflect.TypeToken;
import io.astro.testkit.Eventually;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1APIResource;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentList;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetCondition;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1RollingUpdateDeployment;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.openapi.models.V1TCPSocketAction;
import io.kubernetes.client.util.Config;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import java.io.StringReader;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the fake cluster is good enough to test Astro's sync-worker against: every check goes
 * through the official client over HTTP, as production code does, and would fail if a piece were
 * stubbed out.
 */
class FakeClusterTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static FakeCluster cluster;
  private static AppsV1Api apps;
  private static CoreV1Api core;

  @BeforeAll
  static void startCluster() {
    cluster = FakeCluster.start();
    apps = new AppsV1Api(cluster.apiClient());
    core = new CoreV1Api(cluster.apiClient());
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @AfterEach
  void healSimulator() {
    cluster.simulator().clearFailures();
  }

  @Test
  void informerGetsAddAndStatusUpdateFromAStreamingWatchNotFromReListing() throws Exception {
    String ns = namespace("informer");
    String listPath = "/apis/apps/v1/namespaces/" + ns + "/deployments";
    SharedInformerFactory factory = new SharedInformerFactory(cluster.apiClient());
    try {
      SharedIndexInformer<V1Deployment> informer =
          factory.sharedIndexInformerFor(
              new GenericKubernetesApi<>(
                  V1Deployment.class,
                  V1DeploymentList.class,
                  "apps",
                  "v1",
                  "deployments",
                  cluster.apiClient()),
              V1Deployment.class,
              0,
              ns);
      CompletableFuture<V1Deployment> added = new CompletableFuture<>();
      CompletableFuture<V1Deployment> becameReady = new CompletableFuture<>();
      informer.addEventHandler(
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(V1Deployment d) {
              added.complete(d);
            }

            @Override
            public void onUpdate(V1Deployment before, V1Deployment after) {
              if (after.getStatus() != null
                  && Integer.valueOf(2).equals(after.getStatus().getReadyReplicas())) {
                becameReady.complete(after);
              }
            }

            @Override
            public void onDelete(V1Deployment d, boolean finalStateUnknown) {}
          });
      factory.startAllRegisteredInformers();
      Eventually.await("informer synced", WAIT, informer::hasSynced, Boolean::booleanValue);
      long listsBefore = cluster.traffic().requests("GET", listPath);

      apps.createNamespacedDeployment(ns, deployment(ns, "streamed", "nginx:1.27", 2)).execute();

      assertThat(added.get(10, TimeUnit.SECONDS).getMetadata().getName()).isEqualTo("streamed");
      V1Deployment ready = becameReady.get(20, TimeUnit.SECONDS);
      assertThat(ready.getStatus().getObservedGeneration())
          .isEqualTo(ready.getMetadata().getGeneration());
      // Both events came while no further list was made: they were streamed over the open watch.
      assertThat(cluster.traffic().requests("GET", listPath)).isEqualTo(listsBefore);
      assertThat(cluster.traffic().watchesOpened(listPath)).isPositive();
      assertThat(cluster.traffic().openWatches()).isPositive();
      assertThat(informer.getIndexer().getByKey(ns + "/streamed")).isNotNull();
    } finally {
      factory.stopAllRegisteredInformers(true);
    }
  }

  @Test
  void labelSelectedPodInformerSeesOnlyMatchingPods() throws Exception {
    String ns = namespace("selected");
    String selector = "app.kubernetes.io/managed-by=astro";
    SharedInformerFactory factory = new SharedInformerFactory(cluster.apiClient());
    try {
      SharedIndexInformer<V1Pod> pods =
          factory.sharedIndexInformerFor(
              params ->
                  core.listNamespacedPod(ns)
                      .labelSelector(selector)
                      .resourceVersion(params.resourceVersion)
                      .timeoutSeconds(params.timeoutSeconds)
                      .watch(params.watch)
                      .buildCall(null),
              V1Pod.class,
              V1PodList.class);
      factory.startAllRegisteredInformers();
      Eventually.await("pod informer synced", WAIT, pods::hasSynced, Boolean::booleanValue);

      V1Deployment theirs = deployment(ns, "theirs", "nginx:1.27", 1);
      theirs.getMetadata().setLabels(Map.of("app", "theirs"));
      theirs.getSpec().getSelector().setMatchLabels(Map.of("app", "theirs"));
      theirs.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "theirs"));
      apps.createNamespacedDeployment(ns, theirs).execute();
      apps.createNamespacedDeployment(ns, deployment(ns, "mine", "nginx:1.27", 2)).execute();
      awaitReady(ns, "theirs", 1);
      awaitReady(ns, "mine", 2);

      List<V1Pod> seen =
          Eventually.await(
              "informer holding the two ready astro pods",
              WAIT,
              pods.getIndexer()::list,
              list -> list.size() == 2 && list.stream().allMatch(Kubelet::isReady));
      assertThat(seen).allMatch(p -> "mine".equals(p.getMetadata().getLabels().get("app")));
      assertThat(cluster.traffic().watchesOpened("/api/v1/namespaces/" + ns + "/pods"))
          .isPositive();
    } finally {
      factory.stopAllRegisteredInformers(true);
    }
  }

  @Test
  void watchFromAResourceVersionStreamsOnlyLaterChanges() throws Exception {
    String ns = namespace("watching");
    core.createNamespacedConfigMap(ns, configMap(ns, "before")).execute();
    String listedAt = core.listNamespacedConfigMap(ns).execute().getMetadata().getResourceVersion();

    try (Watch<V1ConfigMap> watch =
        Watch.createWatch(
            cluster.apiClient(),
            core.listNamespacedConfigMap(ns).watch(true).resourceVersion(listedAt).buildCall(null),
            new TypeToken<Watch.Response<V1ConfigMap>>() {}.getType())) {
      CompletableFuture<Watch.Response<V1ConfigMap>> first =
          CompletableFuture.supplyAsync(watch::next);
      core.createNamespacedConfigMap(ns, configMap(ns, "after")).execute();

      Watch.Response<V1ConfigMap> event = first.get(10, TimeUnit.SECONDS);
      assertThat(event.type).isEqualTo("ADDED");
      assertThat(event.object.getMetadata().getName()).isEqualTo("after");
    }
  }

  @Test
  void simulatorRunsScalesRollsAndDeletesADeployment() throws Exception {
    String ns = namespace("lifecycle");
    V1Deployment created =
        apps.createNamespacedDeployment(ns, deployment(ns, "web", "nginx:1.27", 2)).execute();

    V1Deployment ready = awaitReady(ns, "web", 2);
    assertThat(condition(ready, "Available").getStatus()).isEqualTo("True");
    assertThat(condition(ready, "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
    List<V1ReplicaSet> sets = apps.listNamespacedReplicaSet(ns).execute().getItems();
    assertThat(sets).hasSize(1);
    V1ReplicaSet rs = sets.get(0);
    String hash = rs.getMetadata().getLabels().get("pod-template-hash");
    assertThat(rs.getMetadata().getName()).isEqualTo("web-" + hash);
    assertThat(controllerOf(rs.getMetadata()).getUid()).isEqualTo(created.getMetadata().getUid());
    List<V1Pod> pods = awaitPods(ns, "app=web", 2);
    for (V1Pod pod : pods) {
      assertThat(pod.getMetadata().getName()).matches("web-" + hash + "-[a-z0-9]{5}");
      assertThat(pod.getMetadata().getLabels())
          .containsEntry("app", "web")
          .containsEntry("pod-template-hash", hash);
      assertThat(controllerOf(pod.getMetadata()).getName()).isEqualTo(rs.getMetadata().getName());
      assertThat(pod.getSpec().getNodeName()).startsWith("node-");
      assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
      V1ContainerStatus container = pod.getStatus().getContainerStatuses().get(0);
      assertThat(container.getReady()).isTrue();
      assertThat(container.getState().getRunning()).isNotNull();
    }

    // Steady state: a full resync writes nothing (no hidden write loop that would flood watchers).
    String rvBefore =
        apps.readNamespacedDeployment("web", ns).execute().getMetadata().getResourceVersion();
    cluster.simulator().resync().get(10, TimeUnit.SECONDS);
    cluster.simulator().resync().get(10, TimeUnit.SECONDS);
    assertThat(
            apps.readNamespacedDeployment("web", ns).execute().getMetadata().getResourceVersion())
        .isEqualTo(rvBefore);

    // As on a real server, replacing the object leaves its status alone (status is a subresource).
    V1Deployment withoutStatus = apps.readNamespacedDeployment("web", ns).execute();
    withoutStatus.setStatus(null);
    assertThat(
            apps.replaceNamespacedDeployment("web", ns, withoutStatus)
                .execute()
                .getStatus()
                .getReadyReplicas())
        .isEqualTo(2);

    mergePatch(ns, "web", "{\"spec\":{\"replicas\":0}}");
    awaitPods(ns, "app=web", 0);
    V1Deployment scaledDown =
        Eventually.await(
            "status of web scaled to 0",
            WAIT,
            () -> apps.readNamespacedDeployment("web", ns).execute(),
            d ->
                d.getStatus().getObservedGeneration().equals(d.getMetadata().getGeneration())
                    && d.getStatus().getReplicas() == null);
    assertThat(scaledDown.getStatus().getReadyReplicas()).isNull();

    V1Deployment current = apps.readNamespacedDeployment("web", ns).execute();
    current.getSpec().setReplicas(3);
    apps.replaceNamespacedDeployment("web", ns, current).execute();
    awaitReady(ns, "web", 3);
    Set<String> before = names(awaitPods(ns, "app=web", 3));

    mergePatch(
        ns,
        "web",
        "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":"
            + "{\"kubectl.kubernetes.io/restartedAt\":\"2026-11-22T10:00:00Z\"}}}}}");
    List<V1Pod> rolled =
        Eventually.await(
            "pods replaced by the rolling restart",
            WAIT,
            () -> core.listNamespacedPod(ns).labelSelector("app=web").execute().getItems(),
            list -> list.size() == 3 && names(list).stream().noneMatch(before::contains));
    String newHash = rolled.get(0).getMetadata().getLabels().get("pod-template-hash");
    assertThat(newHash).isNotEqualTo(hash);
    assertThat(rolled.get(0).getMetadata().getAnnotations())
        .containsEntry("kubectl.kubernetes.io/restartedAt", "2026-11-22T10:00:00Z");
    awaitReady(ns, "web", 3);
    assertThat(apps.readNamespacedReplicaSet("web-" + hash, ns).execute().getSpec().getReplicas())
        .isZero();

    V1Status deleted = apps.deleteNamespacedDeployment("web", ns).execute();
    assertThat(deleted.getStatus()).isEqualTo("Success");
    awaitPods(ns, "app=web", 0);
    Eventually.await(
        "replica sets of web removed",
        WAIT,
        () -> apps.listNamespacedReplicaSet(ns).execute().getItems(),
        List::isEmpty);
  }

  @Test
  void aCompleteRolloutKeepsRevisionHistoryLimitOldReplicaSetsAndDropsTheOldestBeyond()
      throws Exception {
    String ns = namespace("history");
    V1Deployment d = deployment(ns, "web", "nginx:1.27", 1);
    d.getSpec().setRevisionHistoryLimit(1);
    apps.createNamespacedDeployment(ns, d).execute();
    awaitReady(ns, "web", 1);
    String first = onlyReplicaSet(ns).getMetadata().getName();

    restartOneReplica(ns, "web", "2026-11-22T10:00:00Z");
    restartOneReplica(ns, "web", "2026-11-22T11:00:00Z");
    // the current ReplicaSet and one old one (revision 2); revision 1 went
    List<V1ReplicaSet> kept =
        Eventually.await(
            "two replica sets of web",
            WAIT,
            () -> apps.listNamespacedReplicaSet(ns).execute().getItems(),
            list -> list.size() == 2);
    assertThat(kept)
        .extracting(rs -> rs.getMetadata().getAnnotations().get(DeploymentController.REVISION))
        .containsExactlyInAnyOrder("2", "3");
    assertThat(kept).extracting(rs -> rs.getMetadata().getName()).doesNotContain(first);
  }

  /**
   * As the real ReplicaSet controller, the simulator writes a ReplicaSet's status when it changes:
   * an old ReplicaSet scaled to zero is not written again by the passes of later rollouts.
   */
  @Test
  void anOldReplicaSetsStatusIsNotWrittenAgainOnceItIsScaledDown() throws Exception {
    String ns = namespace("rs-status");
    apps.createNamespacedDeployment(ns, deployment(ns, "web", "nginx:1.27", 1)).execute();
    awaitReady(ns, "web", 1);
    String first = onlyReplicaSet(ns).getMetadata().getName();
    String status = "/apis/apps/v1/namespaces/" + ns + "/replicasets/" + first + "/status";
    restartOneReplica(ns, "web", "2026-11-22T10:00:00Z");
    Eventually.await(
        "the first replica set scaled to zero",
        WAIT,
        () -> apps.readNamespacedReplicaSet(first, ns).execute().getStatus(),
        s -> s != null && Integer.valueOf(0).equals(s.getReplicas()));
    long written = cluster.traffic().requests("PUT", status);

    restartOneReplica(ns, "web", "2026-11-22T11:00:00Z");
    restartOneReplica(ns, "web", "2026-11-22T12:00:00Z");

    assertThat(cluster.traffic().requests("PUT", status)).isEqualTo(written);
  }

  /** Restarts a one-replica Deployment and waits for its rollout to complete. */
  private static void restartOneReplica(String ns, String name, String at) throws Exception {
    mergePatch(
        ns,
        name,
        "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":"
            + "{\"kubectl.kubernetes.io/restartedAt\":\""
            + at
            + "\"}}}}}");
    Eventually.await(
        name + " restarted at " + at,
        WAIT,
        () -> apps.readNamespacedDeployment(name, ns).execute(),
        w ->
            w.getStatus() != null
                && w.getMetadata().getGeneration().equals(w.getStatus().getObservedGeneration())
                && Integer.valueOf(1).equals(w.getStatus().getUpdatedReplicas())
                && Integer.valueOf(1).equals(w.getStatus().getReplicas()));
  }

  private static V1ReplicaSet onlyReplicaSet(String ns) throws ApiException {
    List<V1ReplicaSet> sets = apps.listNamespacedReplicaSet(ns).execute().getItems();
    assertThat(sets).hasSize(1);
    return sets.get(0);
  }

  /**
   * As the real Deployment controller works from its informer's cache, a pass an event brought
   * works from the Deployment that event delivered: creating, running and deleting one reads it
   * from the API server not once (this test waits with lists, not reads, to leave the count to the
   * simulator).
   */
  @Test
  void theSimulatorWorksADeploymentFromItsWatchWithoutReadingItPerPass() throws Exception {
    String ns = namespace("from-watch");
    String path = "/apis/apps/v1/namespaces/" + ns + "/deployments/web";
    apps.createNamespacedDeployment(ns, deployment(ns, "web", "nginx:1.27", 2)).execute();

    Eventually.await(
        "web ready with 2 replicas",
        WAIT,
        () -> apps.listNamespacedDeployment(ns).execute().getItems(),
        list ->
            list.size() == 1
                && list.get(0).getStatus() != null
                && Integer.valueOf(2).equals(list.get(0).getStatus().getReadyReplicas())
                && Integer.valueOf(2).equals(list.get(0).getStatus().getUpdatedReplicas()));
    apps.deleteNamespacedDeployment("web", ns).execute();
    awaitPods(ns, "app=web", 0);
    Eventually.await(
        "replica sets of web removed",
        WAIT,
        () -> apps.listNamespacedReplicaSet(ns).execute().getItems(),
        List::isEmpty);

    assertThat(cluster.traffic().requests("GET", path)).isZero();
  }

  @Test
  void podLogsAreServedThroughTheOfficialClient() throws Exception {
    String ns = namespace("logs");
    apps.createNamespacedDeployment(ns, deployment(ns, "talker", "ghcr.io/astro/talker:2", 1))
        .execute();
    awaitReady(ns, "talker", 1);
    String pod = awaitPods(ns, "app=talker", 1).get(0).getMetadata().getName();

    String log = core.readNamespacedPodLog(pod, ns).execute();
    assertThat(log).contains("starting app from image ghcr.io/astro/talker:2").contains("ready");
    String tail = core.readNamespacedPodLog(pod, ns).container("app").tailLines(1).execute();
    assertThat(tail.lines()).hasSize(1);
    assertThat(log).endsWith(tail);

    assertThatThrownBy(() -> core.readNamespacedPodLog("no-such-pod", ns).execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThatThrownBy(() -> core.readNamespacedPodLog(pod, ns).previous(true).execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(400));
  }

  @Test
  void failedImagePullShowsImagePullBackOffAndRecoversWhenHealed() throws Exception {
    String ns = namespace("pull");
    String image = "registry.example.com/missing:404";
    cluster.simulator().failImage(image);
    V1Deployment d = deployment(ns, "broken", image, 1);
    d.getSpec().setProgressDeadlineSeconds(1);
    apps.createNamespacedDeployment(ns, d).execute();

    V1Pod pod =
        Eventually.await(
                "pod waiting in ImagePullBackOff",
                WAIT,
                () -> core.listNamespacedPod(ns).labelSelector("app=broken").execute().getItems(),
                pods -> pods.size() == 1 && "ImagePullBackOff".equals(waitingReason(pods.get(0))))
            .get(0);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getMessage())
        .isEqualTo("Back-off pulling image \"" + image + "\"");
    V1Deployment stuck =
        Eventually.await(
            "progress deadline exceeded",
            WAIT,
            () -> apps.readNamespacedDeployment("broken", ns).execute(),
            dep -> "ProgressDeadlineExceeded".equals(condition(dep, "Progressing").getReason()));
    assertThat(condition(stuck, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(stuck, "Available").getStatus()).isEqualTo("False");
    assertThat(stuck.getStatus().getReadyReplicas()).isNull();
    assertThatThrownBy(() -> core.readNamespacedPodLog(pod.getMetadata().getName(), ns).execute())
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.getResponseBody())
                    .contains("is waiting to start: trying and failing to pull image"));

    cluster.simulator().clearFailures();
    awaitReady(ns, "broken", 1);
  }

  @Test
  void crashingImageShowsCrashLoopBackOffWithRestarts() throws Exception {
    String ns = namespace("crash");
    String image = "ghcr.io/astro/crasher:1";
    cluster.simulator().crashImage(image);
    apps.createNamespacedDeployment(ns, deployment(ns, "crasher", image, 1)).execute();

    V1Pod pod =
        Eventually.await(
                "pod in CrashLoopBackOff",
                WAIT,
                () -> core.listNamespacedPod(ns).labelSelector("app=crasher").execute().getItems(),
                pods -> pods.size() == 1 && "CrashLoopBackOff".equals(waitingReason(pods.get(0))))
            .get(0);
    V1ContainerStatus container = pod.getStatus().getContainerStatuses().get(0);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    assertThat(container.getReady()).isFalse();
    assertThat(container.getRestartCount()).isPositive();
    assertThat(container.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(core.readNamespacedPodLog(pod.getMetadata().getName(), ns).previous(true).execute())
        .contains("exiting with code 1");
    V1Deployment d =
        Eventually.await(
            "crasher counted unavailable",
            WAIT,
            () -> apps.readNamespacedDeployment("crasher", ns).execute(),
            dep ->
                dep.getStatus() != null
                    && Integer.valueOf(1).equals(dep.getStatus().getUnavailableReplicas()));
    assertThat(d.getStatus().getReadyReplicas()).isNull();
    assertThat(condition(d, "Available").getStatus()).isEqualTo("False");
  }

  @Test
  void exceededQuotaFailsReplicaSetWithWarningEventAndNoPods() throws Exception {
    String ns = namespace("quota");
    core.createNamespacedResourceQuota(
            ns,
            new V1ResourceQuota()
                .apiVersion("v1")
                .kind("ResourceQuota")
                .metadata(new V1ObjectMeta().name("compute").namespace(ns))
                .spec(new V1ResourceQuotaSpec().hard(Map.of("pods", Quantity.fromString("0")))))
        .execute();
    apps.createNamespacedDeployment(ns, deployment(ns, "blocked", "nginx:1.27", 2)).execute();

    V1ReplicaSet rs =
        Eventually.await(
                "ReplicaFailure on the replica set",
                WAIT,
                () -> apps.listNamespacedReplicaSet(ns).execute().getItems(),
                list ->
                    list.size() == 1
                        && list.get(0).getStatus() != null
                        && list.get(0).getStatus().getConditions() != null)
            .get(0);
    V1ReplicaSetCondition failure = rs.getStatus().getConditions().get(0);
    assertThat(failure.getType()).isEqualTo("ReplicaFailure");
    assertThat(failure.getReason()).isEqualTo("FailedCreate");
    assertThat(failure.getMessage())
        .matches(
            "pods \"blocked-[a-z0-9]+-[a-z0-9]{5}\" is forbidden: "
                + "exceeded quota: compute, .*");
    List<CoreV1Event> events =
        Eventually.await(
            "FailedCreate event",
            WAIT,
            () -> core.listNamespacedEvent(ns).execute().getItems(),
            list -> !list.isEmpty());
    assertThat(events.get(0).getType()).isEqualTo("Warning");
    assertThat(events.get(0).getReason()).isEqualTo("FailedCreate");
    assertThat(events.get(0).getInvolvedObject().getName()).isEqualTo(rs.getMetadata().getName());
    V1Deployment d =
        Eventually.await(
            "ReplicaFailure on the deployment",
            WAIT,
            () -> apps.readNamespacedDeployment("blocked", ns).execute(),
            dep -> condition(dep, "ReplicaFailure") != null);
    // each retry tries a pod of a new random name, so the two copies may name different pods
    assertThat(condition(d, "ReplicaFailure").getMessage())
        .matches(
            "pods \"blocked-[a-z0-9]+-[a-z0-9]{5}\" is forbidden: "
                + "exceeded quota: compute, requested: pods=1, used: pods=0, limited: pods=0");
    assertThat(core.listNamespacedPod(ns).execute().getItems()).isEmpty();
  }

  @Test
  void clustersAreIndependentAndEachChecksItsOwnToken() throws Exception {
    List<FakeCluster> two = KubeClusters.startFakes(2);
    try {
      FakeCluster first = two.get(0);
      FakeCluster second = two.get(1);
      new CoreV1Api(first.apiClient())
          .createNamespacedConfigMap("default", configMap("default", "only-in-first"))
          .execute();
      apps.createNamespacedDeployment(
              "default", deployment("default", "only-here", "nginx:1.27", 1))
          .execute();
      CoreV1Api secondCore = new CoreV1Api(second.apiClient());

      assertThat(first.url()).isNotEqualTo(second.url());
      assertThatThrownBy(
              () -> secondCore.readNamespacedConfigMap("only-in-first", "default").execute())
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
      assertThatThrownBy(() -> core.readNamespacedConfigMap("only-in-first", "default").execute())
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
      awaitReady("default", "only-here", 1);
      assertThat(secondCore.listPodForAllNamespaces().execute().getItems()).isEmpty();
      assertThat(secondCore.listNode().execute().getItems()).hasSize(2);

      ApiClient firstTokenAtSecond =
          Config.fromConfig(new StringReader(first.kubeconfig())).setBasePath(second.url());
      assertThatThrownBy(() -> new CoreV1Api(firstTokenAtSecond).listNode().execute())
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(401));
    } finally {
      two.forEach(FakeCluster::close);
    }
  }

  @Test
  void theControlPlanesPlainPortServesTheClustersOwnTokenAlone() throws Exception {
    String controlPlane = cluster.internalClient().getBasePath();
    assertThat(controlPlane).startsWith("http://127.0.0.1:");
    assertThat(new CoreV1Api(cluster.internalClient()).listNode().execute().getItems()).hasSize(2);

    ApiClient kubeconfigTokenInPlain =
        Config.fromConfig(new StringReader(cluster.kubeconfig())).setBasePath(controlPlane);
    assertThatThrownBy(() -> new CoreV1Api(kubeconfigTokenInPlain).listNode().execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(401));
  }

  @Test
  void versionDiscoveryAndKubeconfigWorkWithTheOfficialClient() throws Exception {
    assertThat(new VersionApi(cluster.apiClient()).getCode().execute().getGitVersion())
        .isEqualTo("v1.31.0");
    assertThat(core.getAPIResources().execute().getResources())
        .extracting(V1APIResource::getName)
        .contains(
            "pods", "pods/log", "namespaces", "nodes", "events", "resourcequotas", "limitranges");
    assertThat(apps.getAPIResources().execute().getResources())
        .extracting(V1APIResource::getName)
        .contains("deployments", "deployments/status", "replicasets");

    ApiClient fromKubeconfig = Config.fromConfig(new StringReader(cluster.kubeconfig()));
    assertThat(fromKubeconfig.getBasePath()).isEqualTo(cluster.url());
    List<V1Node> nodes = new CoreV1Api(fromKubeconfig).listNode().execute().getItems();
    assertThat(nodes).hasSize(2);
    assertThat(nodes.get(0).getStatus().getCapacity()).containsKeys("cpu", "memory");
    assertThat(nodes.get(0).getStatus().getConditions())
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Test
  void resourceVersionsAreIntegersThatGrowWithEachWriteAsKubernetesGuarantees() throws Exception {
    // KEP-5504 (GA in 1.35): well-formed positive integers, a later write's the larger; the
    // sync-worker's write-through relies on it
    V1ConfigMap created =
        core.createNamespacedConfigMap("default", configMap("default", "ordered")).execute();
    V1ConfigMap replaced =
        core.replaceNamespacedConfigMap("ordered", "default", created.data(Map.of("k", "v2")))
            .execute();
    String listed =
        core.listNamespacedConfigMap("default").execute().getMetadata().getResourceVersion();

    List<String> versions =
        List.of(
            created.getMetadata().getResourceVersion(),
            replaced.getMetadata().getResourceVersion(),
            listed);
    assertThat(versions).allMatch(v -> v.matches("[1-9][0-9]*"));
    List<BigInteger> numbers = versions.stream().map(BigInteger::new).toList();
    assertThat(numbers.get(1)).isGreaterThan(numbers.get(0));
    // a list is as of a revision at least as late as every object in it
    assertThat(numbers.get(2)).isGreaterThanOrEqualTo(numbers.get(1));
  }

  @Test
  void writesBehaveAsTheMockDoes() throws Exception {
    // Documented mock behaviour: a body without apiVersion/kind is refused (a real server would
    // infer them).
    V1ConfigMap bare = configMap("default", "bare").apiVersion(null).kind(null);
    assertThatThrownBy(() -> core.createNamespacedConfigMap("default", bare).execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(422));

    V1ConfigMap created =
        core.createNamespacedConfigMap("default", configMap("default", "versioned")).execute();
    V1ConfigMap changed =
        core.replaceNamespacedConfigMap("versioned", "default", created.data(Map.of("k", "v2")))
            .execute();
    assertThat(changed.getMetadata().getResourceVersion())
        .isNotEqualTo(created.getMetadata().getResourceVersion());
    V1ConfigMap stale = changed.data(Map.of("k", "v3"));
    stale.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
    assertThatThrownBy(
            () -> core.replaceNamespacedConfigMap("versioned", "default", stale).execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(409));

    V1ConfigMap patched =
        PatchUtils.patch(
            V1ConfigMap.class,
            () ->
                core.patchNamespacedConfigMap(
                        "versioned", "default", new V1Patch("{\"data\":{\"added\":\"yes\"}}"))
                    .buildCall(null),
            V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
            cluster.apiClient());
    assertThat(patched.getData()).containsEntry("k", "v2").containsEntry("added", "yes");
  }

  @Test
  void aRollingUpdateWithMaxSurge1AndMaxUnavailable0AddsOnePodAtATimeAndKeepsAllAvailable()
      throws Exception {
    String ns = namespace("surge");
    V1Deployment d = surgeOne(deployment(ns, "steady", "registry.example.com/web:1", 3));
    apps.createNamespacedDeployment(ns, d).execute();
    awaitReady(ns, "steady", 3);
    String listedAt = core.listNamespacedPod(ns).execute().getMetadata().getResourceVersion();
    Map<String, V1Pod> pods = new HashMap<>();
    core.listNamespacedPod(ns).execute().getItems().forEach(p -> pods.put(name(p), p));
    List<Watch.Response<V1Pod>> events = new CopyOnWriteArrayList<>();

    try (Watch<V1Pod> watch =
        Watch.createWatch(
            cluster.apiClient(),
            core.listNamespacedPod(ns).watch(true).resourceVersion(listedAt).buildCall(null),
            new TypeToken<Watch.Response<V1Pod>>() {}.getType())) {
      CompletableFuture<Void> reading =
          CompletableFuture.runAsync(
              () -> {
                try {
                  watch.forEach(events::add);
                } catch (RuntimeException closed) {
                  // the watch is closed once the rollout is done
                }
              });
      setImage(ns, "steady", "registry.example.com/web:2");
      List<V1Pod> rolled =
          Eventually.await(
              "every pod replaced by web:2 and ready",
              Duration.ofSeconds(90),
              () -> core.listNamespacedPod(ns).execute().getItems(),
              list ->
                  list.size() == 3
                      && list.stream()
                          .allMatch(
                              p ->
                                  Kubelet.isReady(p)
                                      && "registry.example.com/web:2"
                                          .equals(p.getSpec().getContainers().get(0).getImage())));
      Set<String> end = names(rolled);
      Eventually.until(
          "the watch saw the rollout end",
          WAIT,
          () -> replay(new HashMap<>(pods), events).keySet().equals(end));
      reading.cancel(true);
    }

    // every state the watch went through: never more than 3 + maxSurge pods, never fewer than 3
    // ready (maxUnavailable 0), and one new pod at a time
    Map<String, V1Pod> state = new HashMap<>(pods);
    int most = 0;
    for (Watch.Response<V1Pod> event : events) {
      apply(state, event);
      assertThat(state.size())
          .as("pods after %s %s", event.type, name(event.object))
          .isLessThanOrEqualTo(4);
      assertThat(state.values().stream().filter(Kubelet::isReady).count())
          .as("ready pods after %s %s", event.type, name(event.object))
          .isGreaterThanOrEqualTo(3);
      long unready =
          state.values().stream()
              .filter(p -> p.getSpec().getContainers().get(0).getImage().endsWith(":2"))
              .filter(p -> !Kubelet.isReady(p))
              .count();
      most = (int) Math.max(most, unready);
    }
    assertThat(most).as("new pods starting at once").isEqualTo(1);
  }

  @Test
  void aCrashingRolloutSurgesOnePodKeepsTheOldOnesAndTimesOut() throws Exception {
    String ns = namespace("stuck");
    String image = "registry.example.com/crash:2";
    cluster.simulator().crashImage(image);
    V1Deployment d = surgeOne(deployment(ns, "held", "registry.example.com/web:1", 3));
    d.getSpec().setProgressDeadlineSeconds(2);
    apps.createNamespacedDeployment(ns, d).execute();
    awaitReady(ns, "held", 3);

    setImage(ns, "held", image);
    V1Deployment stuck =
        Eventually.await(
            "progress deadline exceeded",
            WAIT,
            () -> apps.readNamespacedDeployment("held", ns).execute(),
            dep ->
                condition(dep, "Progressing") != null
                    && "ProgressDeadlineExceeded"
                        .equals(condition(dep, "Progressing").getReason()));

    assertThat(stuck.getStatus().getReplicas()).isEqualTo(4);
    assertThat(stuck.getStatus().getUpdatedReplicas()).isEqualTo(1);
    assertThat(stuck.getStatus().getAvailableReplicas()).isEqualTo(3);
    assertThat(condition(stuck, "Available").getStatus()).isEqualTo("True");
    List<V1Pod> pods = core.listNamespacedPod(ns).execute().getItems();
    assertThat(pods).filteredOn(Kubelet::isReady).hasSize(3);
    assertThat(pods)
        .filteredOn(p -> "CrashLoopBackOff".equals(waitingReason(p)))
        .singleElement()
        .satisfies(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo(image));
  }

  @Test
  void probesHoldReadinessBackForTheirDelayAndAnImageFailingThemIsNotReadyUntilHealed()
      throws Exception {
    String ns = namespace("probes");
    String silent = "registry.example.com/silent:1";
    cluster.simulator().failProbes(silent);
    V1Deployment late = deployment(ns, "late", "registry.example.com/web:1", 1);
    late.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .startupProbe(
            new V1Probe()
                .tcpSocket(new V1TCPSocketAction().port(new IntOrString(80)))
                .initialDelaySeconds(3600));
    V1Deployment mute = deployment(ns, "mute", silent, 1);
    mute.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .readinessProbe(new V1Probe().tcpSocket(new V1TCPSocketAction().port(new IntOrString(80))));
    apps.createNamespacedDeployment(ns, late).execute();
    apps.createNamespacedDeployment(ns, mute).execute();

    V1Pod running =
        Eventually.await(
                "late's container running",
                WAIT,
                () -> core.listNamespacedPod(ns).labelSelector("app=late").execute().getItems(),
                pods ->
                    pods.size() == 1
                        && pods.get(0).getStatus().getContainerStatuses() != null
                        && pods.get(0)
                                .getStatus()
                                .getContainerStatuses()
                                .get(0)
                                .getState()
                                .getRunning()
                            != null)
            .get(0);
    cluster.simulator().resync().get(10, TimeUnit.SECONDS);
    // running, and its start-up probe's delay (an hour) is not up: neither started nor ready
    V1Pod waiting = core.readNamespacedPod(running.getMetadata().getName(), ns).execute();
    assertThat(waiting.getStatus().getContainerStatuses().get(0).getStarted()).isFalse();
    assertThat(Kubelet.isReady(waiting)).isFalse();

    V1Pod unready =
        Eventually.await(
                "mute's container running",
                WAIT,
                () -> core.listNamespacedPod(ns).labelSelector("app=mute").execute().getItems(),
                pods ->
                    pods.size() == 1
                        && pods.get(0).getStatus().getContainerStatuses() != null
                        && pods.get(0)
                                .getStatus()
                                .getContainerStatuses()
                                .get(0)
                                .getState()
                                .getRunning()
                            != null)
            .get(0);
    assertThat(unready.getStatus().getPhase()).isEqualTo("Running");
    assertThat(unready.getStatus().getContainerStatuses().get(0).getReady()).isFalse();
    assertThat(unready.getStatus().getConditions())
        .filteredOn(c -> "Ready".equals(c.getType()))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("ContainersNotReady");
            });
    cluster.simulator().clearFailures();
    awaitReady(ns, "mute", 1);
  }

  private static void setImage(String ns, String name, String image) throws ApiException {
    V1Deployment d = apps.readNamespacedDeployment(name, ns).execute();
    d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
    apps.replaceNamespacedDeployment(name, ns, d).execute();
  }

  private static V1Deployment surgeOne(V1Deployment d) {
    d.getSpec()
        .strategy(
            new V1DeploymentStrategy()
                .type("RollingUpdate")
                .rollingUpdate(
                    new V1RollingUpdateDeployment()
                        .maxSurge(new IntOrString(1))
                        .maxUnavailable(new IntOrString(0))));
    return d;
  }

  private static Map<String, V1Pod> replay(
      Map<String, V1Pod> state, List<Watch.Response<V1Pod>> events) {
    for (Watch.Response<V1Pod> event : events) {
      apply(state, event);
    }
    return state;
  }

  private static void apply(Map<String, V1Pod> state, Watch.Response<V1Pod> event) {
    if ("DELETED".equals(event.type)) {
      state.remove(name(event.object));
    } else if (event.object != null) {
      state.put(name(event.object), event.object);
    }
  }

  private static String name(V1Pod pod) {
    return pod == null ? "" : pod.getMetadata().getName();
  }

  private static V1Deployment deployment(String ns, String name, String image, int replicas) {
    Map<String, String> labels = Map.of("app", name, "app.kubernetes.io/managed-by", "astro");
    return new V1Deployment()
        .apiVersion("apps/v1")
        .kind("Deployment")
        .metadata(new V1ObjectMeta().name(name).namespace(ns).labels(labels))
        .spec(
            new V1DeploymentSpec()
                .replicas(replicas)
                .selector(new V1LabelSelector().matchLabels(labels))
                .template(
                    new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels))
                        .spec(
                            new V1PodSpec()
                                .containers(List.of(new V1Container().name("app").image(image))))));
  }

  private static V1ConfigMap configMap(String ns, String name) {
    return new V1ConfigMap()
        .apiVersion("v1")
        .kind("ConfigMap")
        .metadata(new V1ObjectMeta().name(name).namespace(ns))
        .data(Map.of("k", "v1"));
  }

  private static void mergePatch(String ns, String name, String patch) throws ApiException {
    PatchUtils.patch(
        V1Deployment.class,
        () -> apps.patchNamespacedDeployment(name, ns, new V1Patch(patch)).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
        cluster.apiClient());
  }

  private static V1Deployment awaitReady(String ns, String name, int replicas) {
    return Eventually.await(
        name + " ready with " + replicas + " replicas",
        WAIT,
        () -> apps.readNamespacedDeployment(name, ns).execute(),
        d ->
            d.getStatus() != null
                && d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())
                && Integer.valueOf(replicas).equals(d.getStatus().getReadyReplicas())
                && Integer.valueOf(replicas).equals(d.getStatus().getReplicas())
                && Integer.valueOf(replicas).equals(d.getStatus().getUpdatedReplicas()));
  }

  private static List<V1Pod> awaitPods(String ns, String selector, int count) {
    return Eventually.await(
        count + " pods " + selector,
        WAIT,
        () -> core.listNamespacedPod(ns).labelSelector(selector).execute().getItems(),
        pods -> pods.size() == count && pods.stream().allMatch(Kubelet::isReady));
  }

  private static V1DeploymentCondition condition(V1Deployment d, String type) {
    if (d.getStatus() == null || d.getStatus().getConditions() == null) {
      return null;
    }
    return d.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private static String waitingReason(V1Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return null;
    }
    V1ContainerStatus c = pod.getStatus().getContainerStatuses().get(0);
    return c.getState() == null || c.getState().getWaiting() == null
        ? null
        : c.getState().getWaiting().getReason();
  }

  private static V1OwnerReference controllerOf(V1ObjectMeta meta) {
    return meta.getOwnerReferences().stream()
        .filter(o -> Boolean.TRUE.equals(o.getController()))
        .findFirst()
        .orElseThrow();
  }

  private static Set<String> names(List<V1Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
  }

  /** Creates the namespace, as content can only be created in one that exists. */
  private static String namespace(String ns) {
    try {
      new CoreV1Api(cluster.internalClient())
          .createNamespace(
              new io.kubernetes.client.openapi.models.V1Namespace()
                  .apiVersion("v1")
                  .kind("Namespace")
                  .metadata(new V1ObjectMeta().name(ns)))
          .execute();
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw new IllegalStateException(e.getResponseBody(), e);
      }
    }
    return ns;
  }
}
