package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.Eventually;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1ContainerState;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStateWaiting;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ManagedFieldsEntry;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSetStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.Watch;
import java.io.StringReader;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;

/** The informers' cache holds what the worker reads of each object, and no more. */
class SlimCacheTest {

  @Test
  void aCachedPodKeepsItsMetadataNodeAndStatusOnly() {
    V1Pod pod =
        new V1Pod()
            .metadata(
                new V1ObjectMeta()
                    .name("web-1")
                    .namespace("astro-user-5")
                    .labels(Map.of(KubeNames.APP_ID_LABEL, "a-1"))
                    .managedFields(List.of(new V1ManagedFieldsEntry().manager("kubectl"))))
            .spec(
                new V1PodSpec()
                    .nodeName("node-1")
                    .containers(List.of(new V1Container().name("app").image("nginx:1.27"))))
            .status(new V1PodStatus().phase("Running"));

    V1Pod cached = SlimCache.pod(pod);

    assertThat(cached.getMetadata().getLabels()).containsEntry(KubeNames.APP_ID_LABEL, "a-1");
    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getSpec().getNodeName()).isEqualTo("node-1");
    assertThat(cached.getSpec().getContainers()).isNullOrEmpty();
    assertThat(cached.getStatus().getPhase()).isEqualTo("Running");
  }

  @Test
  void aCachedPodKeepsOfItsStatusWhatTheAppsStatusReports() {
    V1ContainerStateWaiting crashing =
        new V1ContainerStateWaiting().reason("CrashLoopBackOff").message("back-off 10s");
    V1Pod pod =
        new V1Pod()
            .metadata(new V1ObjectMeta().name("web-1"))
            .status(
                new V1PodStatus()
                    .phase("Running")
                    .podIP("10.0.0.7")
                    .conditions(List.of(new V1PodCondition().type("Ready").status("False")))
                    .containerStatuses(
                        List.of(
                            new V1ContainerStatus()
                                .name("app")
                                .image("nginx:1.27")
                                .imageID("docker.io/library/nginx@sha256:0")
                                .ready(false)
                                .restartCount(3)
                                .state(new V1ContainerState().waiting(crashing))
                                .lastState(
                                    new V1ContainerState()
                                        .terminated(
                                            new V1ContainerStateTerminated()
                                                .exitCode(1)
                                                .message("a long last word"))))));

    V1PodStatus cached = SlimCache.pod(pod).getStatus();

    assertThat(cached.getPhase()).isEqualTo("Running");
    assertThat(cached.getConditions())
        .containsExactly(new V1PodCondition().type("Ready").status("False"));
    assertThat(cached.getPodIP()).isNull();
    assertThat(cached.getContainerStatuses())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getRestartCount()).isEqualTo(3);
              assertThat(c.getReady()).isFalse();
              assertThat(c.getState().getWaiting()).isEqualTo(crashing);
              assertThat(c.getLastState()).isNull();
              assertThat(c.getImageID()).isNull();
            });
  }

  @Test
  void aCachedDeploymentKeepsWhatTheDriftCheckAndTheStatusRead() {
    V1Deployment deployment =
        new V1Deployment()
            .metadata(
                new V1ObjectMeta()
                    .name("web")
                    .namespace("astro-user-5")
                    .generation(4L)
                    .annotations(Map.of(KubeNames.SPEC_HASH_ANNOTATION, "abc"))
                    .managedFields(List.of(new V1ManagedFieldsEntry().manager("astro"))))
            .spec(
                new V1DeploymentSpec()
                    .replicas(2)
                    .selector(new V1LabelSelector().matchLabels(Map.of("app", "web")))
                    .template(template()))
            .status(new V1DeploymentStatus().observedGeneration(4L).readyReplicas(2));

    V1Deployment cached = SlimCache.deployment(deployment);

    assertThat(cached.getMetadata().getAnnotations())
        .containsEntry(KubeNames.SPEC_HASH_ANNOTATION, "abc");
    assertThat(cached.getMetadata().getGeneration()).isEqualTo(4L);
    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getSpec().getReplicas()).isEqualTo(2);
    assertThat(cached.getSpec().getSelector()).isNull();
    assertThat(cached.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(KubeNames.RELEASE_ANNOTATION, "7");
    assertThat(cached.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isNull();
    assertThat(cached.getSpec().getTemplate().getSpec().getContainers())
        .containsExactly(new V1Container().name("app").image("nginx:1.27"));
    assertThat(cached.getStatus()).isEqualTo(deployment.getStatus());
  }

  @Test
  void aCachedReplicaSetKeepsItsMetadataOnly() {
    V1ReplicaSet rs =
        new V1ReplicaSet()
            .metadata(new V1ObjectMeta().name("web-abc").uid("u-1"))
            .spec(new V1ReplicaSetSpec().replicas(2));

    V1ReplicaSet cached = SlimCache.replicaSet(rs);

    assertThat(cached.getMetadata().getUid()).isEqualTo("u-1");
    assertThat(cached.getSpec()).isNull();
  }

  @Test
  void eachKindIsPrunedBeforeDecodingToWhatItsCachedModelKeeps() {
    OffsetDateTime at = OffsetDateTime.parse("2026-12-07T03:00:00Z");
    Supplier<V1ObjectMeta> meta =
        () ->
            new V1ObjectMeta()
                .name("web-abc")
                .namespace("astro-user-5")
                .uid("u-1")
                .resourceVersion("42")
                .generation(3L)
                .creationTimestamp(at)
                .labels(Map.of(KubeNames.APP_ID_LABEL, "a-1"))
                .annotations(Map.of(KubeNames.SPEC_HASH_ANNOTATION, "abc"))
                .ownerReferences(
                    List.of(
                        new V1OwnerReference()
                            .apiVersion("apps/v1")
                            .kind("ReplicaSet")
                            .name("web-abc")
                            .uid("u-0")
                            .controller(true)));
    V1ContainerStatus container =
        new V1ContainerStatus()
            .name("app")
            .image("nginx:1.27")
            .imageID("docker.io/library/nginx@sha256:0")
            .containerID("containerd://0")
            .ready(false)
            .started(true)
            .restartCount(3)
            .state(
                new V1ContainerState()
                    .waiting(new V1ContainerStateWaiting().reason("CrashLoopBackOff")))
            .lastState(
                new V1ContainerState()
                    .terminated(new V1ContainerStateTerminated().exitCode(1).finishedAt(at)));
    V1Pod pod =
        new V1Pod()
            .apiVersion("v1")
            .kind("Pod")
            .metadata(meta.get())
            .spec(template().getSpec().nodeName("node-1"))
            .status(
                new V1PodStatus()
                    .phase("Running")
                    .podIP("10.0.0.7")
                    .startTime(at)
                    .conditions(
                        List.of(
                            new V1PodCondition()
                                .type("Ready")
                                .status("False")
                                .lastTransitionTime(at)))
                    .containerStatuses(List.of(container)));
    V1Deployment deployment =
        new V1Deployment()
            .apiVersion("apps/v1")
            .kind("Deployment")
            .metadata(meta.get())
            .spec(
                new V1DeploymentSpec()
                    .replicas(2)
                    .revisionHistoryLimit(2)
                    .selector(new V1LabelSelector().matchLabels(Map.of("app", "web")))
                    .template(template()))
            .status(
                new V1DeploymentStatus()
                    .observedGeneration(3L)
                    .readyReplicas(1)
                    .conditions(
                        List.of(
                            new V1DeploymentCondition()
                                .type("Available")
                                .status("False")
                                .lastUpdateTime(at))));
    V1ReplicaSet replicaSet =
        new V1ReplicaSet()
            .apiVersion("apps/v1")
            .kind("ReplicaSet")
            .metadata(meta.get())
            .spec(
                new V1ReplicaSetSpec()
                    .replicas(2)
                    .selector(new V1LabelSelector().matchLabels(Map.of("app", "web")))
                    .template(template()))
            .status(new V1ReplicaSetStatus().replicas(2).readyReplicas(1));
    V1Service service =
        new V1Service()
            .apiVersion("v1")
            .kind("Service")
            .metadata(meta.get())
            .spec(
                new V1ServiceSpec()
                    .selector(Map.of("app", "web"))
                    .ports(List.of(new V1ServicePort().port(80))));

    assertPrunedAsCached(SlimCache.PODS, pod);
    assertPrunedAsCached(SlimCache.DEPLOYMENTS, deployment);
    assertPrunedAsCached(SlimCache.REPLICA_SETS, replicaSet);
    assertPrunedAsCached(SlimCache.SERVICES, service);
  }

  /**
   * The pruned JSON decodes to what the whole object (with a server's managedFields) decodes to
   * once trimmed, and is smaller.
   */
  private static <T> void assertPrunedAsCached(SlimCache.Slimming<T> slimming, T object) {
    JsonObject whole = JsonParser.parseString(JSON.serialize(object)).getAsJsonObject();
    whole
        .getAsJsonObject("metadata")
        .add(
            "managedFields",
            JsonParser.parseString(
                "[{\"manager\":\"kubectl\",\"operation\":\"Update\",\"fieldsType\":\"FieldsV1\","
                    + "\"fieldsV1\":{\"f:spec\":{\"f:replicas\":{}}}}]"));
    String json = whole.toString();
    JsonObject pruned = JsonParser.parseString(json).getAsJsonObject();

    T cached = slimming.decode(pruned);

    assertThat(cached).isEqualTo(slimming.model().apply(JSON.deserialize(json, slimming.type())));
    assertThat(pruned.toString().length()).isLessThan(json.length());
  }

  @Test
  void aWatchDecodesEachObjectAsCachedAndAnErrorAsTheClientDoes() throws Exception {
    SlimCache<V1Pod, V1PodList> pods =
        SlimCache.of(new ApiClient(), null, V1PodList.class, V1PodList::getItems, SlimCache.PODS);
    String lines =
        "{\"type\":\"MODIFIED\",\"object\":"
            + JSON.serialize(managedPod("astro-user-5", "web-1"))
            + "}\n"
            + "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
            + "\"status\":\"Failure\",\"code\":410,\"reason\":\"Expired\"}}\n";
    Call neverSent =
        new OkHttpClient().newCall(new Request.Builder().url("http://127.0.0.1/").build());

    try (Watch<V1Pod> watch =
        pods.watching(ResponseBody.create(lines, MediaType.get("application/json")), neverSent)) {
      Watch.Response<V1Pod> modified = watch.next();
      Watch.Response<V1Pod> error = watch.next();

      assertThat(modified.type).isEqualTo("MODIFIED");
      assertThat(modified.object.getSpec().getNodeName()).isEqualTo("node-1");
      assertThat(modified.object.getSpec().getContainers()).isNullOrEmpty();
      assertThat(error.type).isEqualTo("ERROR");
      assertThat(error.status.getCode()).isEqualTo(410);
    }
  }

  @Test
  void theConnectionsPodCacheHoldsSlimPods() throws Exception {
    FakeCluster cluster = FakeCluster.start();
    try {
      CoreV1Api core = new CoreV1Api(cluster.apiClient());
      String ns = "astro-user-5";
      core.createNamespace(
              new V1Namespace()
                  .apiVersion("v1")
                  .kind("Namespace")
                  .metadata(new V1ObjectMeta().name(ns)))
          .execute();
      core.createNamespacedPod(ns, managedPod(ns, "web-1")).execute();
      ApiClient watchClient = cluster.newClient();
      watchClient.setReadTimeout(0);
      try (ClusterConnection connection =
          new ClusterConnection(
              "slim", cluster.newClient(), watchClient, Duration.ZERO, new QuietEvents())) {
        connection.start();
        Eventually.until("informers synced", Duration.ofSeconds(60), connection::synced);
        Eventually.until(
            "the pod is cached", Duration.ofSeconds(30), () -> !connection.podsOf("a-1").isEmpty());

        V1Pod cached = connection.podsOf("a-1").get(0);
        assertThat(cached.getSpec().getNodeName()).isEqualTo("node-1");
        assertThat(cached.getSpec().getContainers()).isNullOrEmpty();
      }
    } finally {
      cluster.faults().unreachable(true);
      cluster.close();
    }
  }

  @Test
  void aListIsSlimmedItemByItemAndKeepsItsResourceVersion() throws Exception {
    FakeCluster cluster = FakeCluster.start();
    try {
      CoreV1Api core = new CoreV1Api(cluster.apiClient());
      String ns = "astro-user-6";
      core.createNamespace(
              new V1Namespace()
                  .apiVersion("v1")
                  .kind("Namespace")
                  .metadata(new V1ObjectMeta().name(ns)))
          .execute();
      for (int i = 0; i < 3; i++) {
        core.createNamespacedPod(ns, managedPod(ns, "web-" + i)).execute();
      }
      SlimCache<V1Pod, V1PodList> pods = podLister(cluster.apiClient(), core);

      V1PodList list = pods.list(new CallGeneratorParams(false, null, null));

      // the watch that follows the list starts from the list's version
      assertThat(list.getMetadata().getResourceVersion()).isNotBlank();
      assertThat(list.getItems())
          .extracting(p -> p.getMetadata().getName())
          .containsExactlyInAnyOrder("web-0", "web-1", "web-2");
      assertThat(list.getItems())
          .allSatisfy(
              p -> {
                assertThat(p.getSpec().getNodeName()).isEqualTo("node-1");
                assertThat(p.getSpec().getContainers()).isNullOrEmpty();
              });
    } finally {
      cluster.close();
    }
  }

  @Test
  void aRefusedListOrWatchIsTheApiServersAnswer() throws Exception {
    FakeCluster cluster = FakeCluster.start();
    try {
      cluster.faults().respond(403, "GET", "/api/v1/pods.*", 1);
      SlimCache<V1Pod, V1PodList> pods =
          podLister(cluster.apiClient(), new CoreV1Api(cluster.apiClient()));
      // the fault front never refuses a watch; a token the server does not know is refused
      ApiClient stranger =
          ClientBuilder.kubeconfig(
                  KubeConfig.loadKubeConfig(
                      new StringReader(
                          cluster.kubeconfig().replaceAll("token: .*", "token: not-a-token"))))
              .build();
      SlimCache<V1Pod, V1PodList> strangers = podLister(stranger, new CoreV1Api(stranger));

      assertThatThrownBy(() -> pods.list(new CallGeneratorParams(false, null, null)))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      assertThatThrownBy(() -> strangers.watch(new CallGeneratorParams(true, null, null)))
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(401);
                assertThat(e.getResponseBody()).contains("Unauthorized");
              });
    } finally {
      cluster.close();
    }
  }

  private static SlimCache<V1Pod, V1PodList> podLister(ApiClient client, CoreV1Api core) {
    return SlimCache.of(
        client,
        p ->
            core.listPodForAllNamespaces()
                .labelSelector(KubeNames.MANAGED_SELECTOR)
                .resourceVersion(p.resourceVersion)
                .watch(p.watch)
                .buildCall(null),
        V1PodList.class,
        V1PodList::getItems,
        SlimCache.PODS);
  }

  /** An app's pod template: labels, a release, and a container with more than the cache keeps. */
  private static V1PodTemplateSpec template() {
    return new V1PodTemplateSpec()
        .metadata(
            new V1ObjectMeta()
                .labels(Map.of("app", "web"))
                .annotations(Map.of(KubeNames.RELEASE_ANNOTATION, "7")))
        .spec(
            new V1PodSpec()
                .automountServiceAccountToken(false)
                .containers(
                    List.of(
                        new V1Container()
                            .name("app")
                            .image("nginx:1.27")
                            .env(List.of(new V1EnvVar().name("A").value("1")))
                            .ports(List.of(new V1ContainerPort().containerPort(8080))))));
  }

  private static V1Pod managedPod(String ns, String name) {
    return new V1Pod()
        .apiVersion("v1")
        .kind("Pod")
        .metadata(
            new V1ObjectMeta()
                .name(name)
                .namespace(ns)
                .labels(
                    Map.of(
                        KubeNames.MANAGED_BY_LABEL,
                        KubeNames.MANAGER,
                        KubeNames.APP_ID_LABEL,
                        "a-1")))
        .spec(
            new V1PodSpec()
                .nodeName("node-1")
                .containers(List.of(new V1Container().name("app").image("nginx:1.27"))));
  }
}
