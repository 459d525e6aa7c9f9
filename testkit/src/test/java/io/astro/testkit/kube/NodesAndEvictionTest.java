package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.testkit.Eventually;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.PolicyV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1Eviction;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudgetSpec;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.util.PatchUtils;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.Call;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nodes as operators change them (labels, taints, cordon) and evictions as drains make them: the
 * fake refuses what the API server refuses and the scheduler simulation respects what it accepts.
 */
class NodesAndEvictionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static FakeCluster cluster;
  private static ApiClient client;
  private static CoreV1Api core;

  @BeforeAll
  static void start() {
    cluster = FakeCluster.start();
    client = cluster.apiClient();
    core = new CoreV1Api(client);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void nodeTaintsAndLabelsAreRefusedAsTheApiServerRefusesThem() {
    assertThatThrownBy(
            () ->
                patchNode(
                    "node-1",
                    "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"value\":\"gpu\","
                        + "\"effect\":\"Sometimes\"}]}}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(new JsonObject(e.getResponseBody()).getString("message"))
                  .contains(
                      "spec.taints[0].effect: Unsupported value: \"Sometimes\": supported values:"
                          + " \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
            });
    assertThatThrownBy(
            () ->
                patchNode(
                    "node-1",
                    "{\"spec\":{\"taints\":[{\"key\":\"a\",\"effect\":\"NoSchedule\"},"
                        + "{\"key\":\"a\",\"value\":\"b\",\"effect\":\"NoSchedule\"},"
                        + "{\"key\":\"-bad\",\"effect\":\"\"}]}}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              String message = new JsonObject(e.getResponseBody()).getString("message");
              assertThat(message)
                  .contains("spec.taints[1]: Duplicate value: core.Taint{Key:\"a\"")
                  .contains("taints must be unique by key and effect pair")
                  .contains("spec.taints[2].key: Invalid value: \"-bad\"")
                  .contains("spec.taints[2].effect: Required value");
            });
    assertThatThrownBy(
            () -> patchNode("node-1", "{\"metadata\":{\"labels\":{\"zone\":\"eu west\"}}}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(new JsonObject(e.getResponseBody()).getString("message"))
                    .contains("metadata.labels: Invalid value: \"eu west\""));
  }

  @Test
  void aCordonedOrTaintedNodeGetsNoNewPodsAndAnEvictionRespectsTheBudget() throws Exception {
    String ns = namespace("evict");
    patchNode("node-1", "{\"spec\":{\"unschedulable\":true}}");
    try {
      new AppsV1Api(client).createNamespacedDeployment(ns, deployment("web", 2)).execute();
      List<V1Pod> pods = awaitReadyPods(ns, "app=web", 2);
      assertThat(pods).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("node-2"));

      PolicyV1Api policy = new PolicyV1Api(client);
      policy
          .createNamespacedPodDisruptionBudget(
              ns,
              new V1PodDisruptionBudget()
                  .apiVersion("policy/v1")
                  .kind("PodDisruptionBudget")
                  .metadata(new V1ObjectMeta().name("web"))
                  .spec(
                      new V1PodDisruptionBudgetSpec()
                          .minAvailable(new IntOrString(2))
                          .selector(new V1LabelSelector().matchLabels(Map.of("app", "web")))))
          .execute();
      String victim = pods.get(0).getMetadata().getName();

      Response refused = evict(ns, victim);
      assertThat(refused.code()).isEqualTo(429);
      JsonObject status = new JsonObject(refused.body().string());
      assertThat(status.getString("message"))
          .isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
      assertThat(status.getJsonObject("details").getJsonArray("causes").getJsonObject(0))
          .isEqualTo(
              new JsonObject()
                  .put("reason", "DisruptionBudget")
                  .put(
                      "message",
                      "The disruption budget web needs 2 healthy pods and has 2 currently"));
      assertThat(core.readNamespacedPod(victim, ns).execute()).isNotNull();

      PatchUtils.patch(
          V1PodDisruptionBudget.class,
          () ->
              policy
                  .patchNamespacedPodDisruptionBudget(
                      "web", ns, new V1Patch("{\"spec\":{\"minAvailable\":1}}"))
                  .buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
          client);
      Response allowed = evict(ns, victim);
      assertThat(allowed.code()).isEqualTo(201);
      assertThat(new JsonObject(allowed.body().string()).getString("status")).isEqualTo("Success");
      assertThatThrownBy(() -> core.readNamespacedPod(victim, ns).execute())
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
      // the ReplicaSet replaces it, on the node still taking pods
      List<V1Pod> after = awaitReadyPods(ns, "app=web", 2);
      assertThat(after).extracting(p -> p.getMetadata().getName()).doesNotContain(victim);
      assertThat(after).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("node-2"));

      assertThat(evict(ns, "no-such-pod").code()).isEqualTo(404);
    } finally {
      patchNode("node-1", "{\"spec\":{\"unschedulable\":null}}");
    }
  }

  @Test
  void aMergePatchNullRemovesTheKeyAsRfc7386Says() throws Exception {
    patchNode("node-1", "{\"metadata\":{\"labels\":{\"astro.io/pool\":\"gold\"}}}");
    assertThat(core.readNode("node-1").execute().getMetadata().getLabels())
        .containsEntry("astro.io/pool", "gold");

    V1Node patched = patchNode("node-1", "{\"metadata\":{\"labels\":{\"astro.io/pool\":null}}}");

    assertThat(patched.getMetadata().getLabels()).doesNotContainKey("astro.io/pool");
    assertThat(core.readNode("node-1").execute().getMetadata().getLabels())
        .doesNotContainKey("astro.io/pool")
        .containsEntry("kubernetes.io/hostname", "node-1");
  }

  @Test
  void aNoScheduleTaintKeepsNewPodsOff() throws Exception {
    String ns = namespace("taint");
    patchNode(
        "node-2", "{\"spec\":{\"taints\":[{\"key\":\"maintenance\",\"effect\":\"NoSchedule\"}]}}");
    try {
      new AppsV1Api(client).createNamespacedDeployment(ns, deployment("api", 2)).execute();
      assertThat(awaitReadyPods(ns, "app=api", 2))
          .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("node-1"));
    } finally {
      patchNode("node-2", "{\"spec\":{\"taints\":null}}");
    }
  }

  private static Response evict(String ns, String pod) throws Exception {
    Call call =
        core.createNamespacedPodEviction(
                pod,
                ns,
                new V1Eviction()
                    .apiVersion("policy/v1")
                    .kind("Eviction")
                    .metadata(new V1ObjectMeta().name(pod).namespace(ns)))
            .buildCall(null);
    return call.execute();
  }

  private static V1Node patchNode(String node, String patch) throws ApiException {
    return PatchUtils.patch(
        V1Node.class,
        () -> core.patchNode(node, new V1Patch(patch)).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
        client);
  }

  private static List<V1Pod> awaitReadyPods(String ns, String selector, int count) {
    return Eventually.await(
        count + " ready pods " + selector,
        WAIT,
        () -> core.listNamespacedPod(ns).labelSelector(selector).execute().getItems(),
        pods -> pods.size() == count && pods.stream().allMatch(Kubelet::isReady));
  }

  private static V1Deployment deployment(String name, int replicas) {
    Map<String, String> labels = Map.of("app", name);
    return new V1Deployment()
        .apiVersion("apps/v1")
        .kind("Deployment")
        .metadata(new V1ObjectMeta().name(name).labels(labels))
        .spec(
            new V1DeploymentSpec()
                .replicas(replicas)
                .selector(new V1LabelSelector().matchLabels(labels))
                .template(
                    new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels))
                        .spec(
                            new V1PodSpec()
                                .containers(
                                    List.of(
                                        new V1Container()
                                            .name("app")
                                            .image("ghcr.io/astro/web:1"))))));
  }

  private static String namespace(String ns) throws ApiException {
    new CoreV1Api(cluster.internalClient())
        .createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(ns)))
        .execute();
    return ns;
  }
}
