package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.KubeNames;
import io.astro.testkit.Eventually;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ManagedFieldsEntry;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
      core.createNamespacedPod(
              ns,
              new V1Pod()
                  .apiVersion("v1")
                  .kind("Pod")
                  .metadata(
                      new V1ObjectMeta()
                          .name("web-1")
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
                          .containers(List.of(new V1Container().name("app").image("nginx:1.27")))))
          .execute();
      ApiClient watchClient = cluster.newClient();
      watchClient.setReadTimeout(0);
      try (ClusterConnection connection =
          new ClusterConnection(
              "slim", cluster.newClient(), watchClient, Duration.ZERO, new Quiet())) {
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

  private static final class Quiet implements ClusterConnection.Events {
    @Override
    public void appTouched(String cluster, String appId) {}

    @Override
    public void unreachable(String cluster) {}

    @Override
    public void reconnected(String cluster) {}
  }
}
