package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.Eventually;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentCondition;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1LimitRangeSpec;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One namespace holding many Deployments (a user whose apps all live in one namespace) under a
 * quota, as Astro fences it: every Deployment's pod runs, the quota counts each pod it admitted and
 * refuses the one past it, and a pod that goes makes room again.
 */
class ManyDeploymentsTest {

  private static final Duration WAIT = Duration.ofMinutes(2);

  /** More Deployments than the simulator has workers, all in one namespace. */
  private static final int DEPLOYMENTS = 24;

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

  @Test
  void every_deployment_of_a_crowded_namespace_runs_and_the_quota_counts_and_bounds_them()
      throws Exception {
    String ns = "crowded";
    core.createNamespace(
            new V1Namespace().apiVersion("v1").kind("Namespace").metadata(meta(ns, null)))
        .execute();
    core.createNamespacedLimitRange(
            ns,
            new V1LimitRange()
                .apiVersion("v1")
                .kind("LimitRange")
                .metadata(meta("defaults", ns))
                .spec(
                    new V1LimitRangeSpec()
                        .limits(
                            List.of(
                                new V1LimitRangeItem()
                                    .type("Container")
                                    .defaultRequest(Map.of("cpu", Quantity.fromString("100m")))
                                    ._default(Map.of("cpu", Quantity.fromString("200m")))))))
        .execute();
    core.createNamespacedResourceQuota(
            ns,
            new V1ResourceQuota()
                .apiVersion("v1")
                .kind("ResourceQuota")
                .metadata(meta("compute", ns))
                .spec(
                    new V1ResourceQuotaSpec()
                        .hard(
                            Map.of(
                                "pods",
                                Quantity.fromString(Integer.toString(DEPLOYMENTS + 1)),
                                "requests.cpu",
                                Quantity.fromString("10")))))
        .execute();

    List<String> names = new ArrayList<>();
    for (int i = 0; i < DEPLOYMENTS; i++) {
      names.add("app-" + i);
      apps.createNamespacedDeployment(ns, deployment(ns, "app-" + i)).execute();
    }
    for (String name : names) {
      Eventually.await(
          name + " available",
          WAIT,
          () -> apps.readNamespacedDeployment(name, ns).execute(),
          d ->
              Integer.valueOf(1)
                  .equals(d.getStatus() == null ? null : d.getStatus().getReadyReplicas()));
    }
    assertThat(core.listNamespacedPod(ns).execute().getItems())
        .hasSize(DEPLOYMENTS)
        .allSatisfy(pod -> assertThat(pod.getStatus().getPhase()).isEqualTo("Running"));
    awaitUsed(ns, Integer.toString(DEPLOYMENTS), "2400m");

    // room for one more pod: of two new Deployments one runs, the other is refused by the quota
    apps.createNamespacedDeployment(ns, deployment(ns, "extra-a")).execute();
    apps.createNamespacedDeployment(ns, deployment(ns, "extra-b")).execute();
    V1Deployment refused =
        Eventually.await(
                "one of the extra Deployments refused its pod",
                WAIT,
                () ->
                    List.of(
                        apps.readNamespacedDeployment("extra-a", ns).execute(),
                        apps.readNamespacedDeployment("extra-b", ns).execute()),
                two -> two.stream().anyMatch(d -> replicaFailure(d) != null))
            .stream()
            .filter(d -> replicaFailure(d) != null)
            .findFirst()
            .orElseThrow();
    assertThat(replicaFailure(refused).getMessage())
        .matches(
            "pods \"extra-[ab]-[a-z0-9]+-[a-z0-9]{5}\" is forbidden: exceeded quota: compute,"
                + " requested: pods=1, used: pods="
                + (DEPLOYMENTS + 1)
                + ", limited: pods="
                + (DEPLOYMENTS + 1));
    awaitUsed(ns, Integer.toString(DEPLOYMENTS + 1), "2500m");

    // a Deployment deleted takes its pod along: the quota counts again and the refused one runs
    apps.deleteNamespacedDeployment("app-0", ns).execute();
    String waiting = refused.getMetadata().getName();
    Eventually.await(
        waiting + " available once app-0 is gone",
        WAIT,
        () -> apps.readNamespacedDeployment(waiting, ns).execute(),
        d ->
            Integer.valueOf(1)
                .equals(d.getStatus() == null ? null : d.getStatus().getReadyReplicas()));
    List<V1Pod> pods = core.listNamespacedPod(ns).execute().getItems();
    assertThat(pods).hasSize(DEPLOYMENTS + 1);
    awaitUsed(ns, Integer.toString(DEPLOYMENTS + 1), "2500m");
  }

  private static void awaitUsed(String ns, String pods, String cpu) {
    V1ResourceQuota quota =
        Eventually.await(
            "the quota counting " + pods + " pods",
            WAIT,
            () -> core.readNamespacedResourceQuota("compute", ns).execute(),
            q ->
                q.getStatus() != null
                    && q.getStatus().getUsed() != null
                    && pods.equals(q.getStatus().getUsed().get("pods").toSuffixedString()));
    assertThat(quota.getStatus().getUsed().get("requests.cpu").toSuffixedString()).isEqualTo(cpu);
  }

  private static V1DeploymentCondition replicaFailure(V1Deployment d) {
    if (d.getStatus() == null || d.getStatus().getConditions() == null) {
      return null;
    }
    return d.getStatus().getConditions().stream()
        .filter(c -> "ReplicaFailure".equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private static V1ObjectMeta meta(String name, String ns) {
    return new V1ObjectMeta().name(name).namespace(ns);
  }

  private static V1Deployment deployment(String ns, String name) {
    Map<String, String> labels = Map.of("app", name);
    return new V1Deployment()
        .apiVersion("apps/v1")
        .kind("Deployment")
        .metadata(meta(name, ns).labels(labels))
        .spec(
            new V1DeploymentSpec()
                .replicas(1)
                .selector(new V1LabelSelector().matchLabels(labels))
                .template(
                    new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels))
                        .spec(
                            new V1PodSpec()
                                .containers(
                                    List.of(new V1Container().name("app").image("nginx:1.27"))))));
  }
}
