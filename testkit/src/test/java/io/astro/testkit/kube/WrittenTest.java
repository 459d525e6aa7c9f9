package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ReplicaSetSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A write whose answer the simulator reads only for the version and generation it left. */
class WrittenTest {

  private static FakeCluster cluster;
  private static AppsV1Api apps;

  @BeforeAll
  static void start() {
    cluster = FakeCluster.start();
    apps = new AppsV1Api(cluster.internalClient());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aWriteAnswersTheVersionAndGenerationTheServerNowHolds() throws Exception {
    V1ReplicaSet rs = apps.createNamespacedReplicaSet("default", replicaSet("scaled")).execute();
    rs.getSpec().setReplicas(3);

    Written written =
        Written.send(apps.replaceNamespacedReplicaSet("scaled", "default", rs).buildCall(null));

    V1ReplicaSet stored = apps.readNamespacedReplicaSet("scaled", "default").execute();
    assertThat(written.resourceVersion())
        .isEqualTo(stored.getMetadata().getResourceVersion())
        .isNotEqualTo(rs.getMetadata().getResourceVersion());
    assertThat(written.generation()).isEqualTo(stored.getMetadata().getGeneration()).isEqualTo(2L);
    written.applyTo(rs.getMetadata());
    assertThat(rs.getMetadata().getResourceVersion())
        .isEqualTo(stored.getMetadata().getResourceVersion());
  }

  @Test
  void aRefusedWriteIsTheApiExceptionTheClientWouldThrow() throws Exception {
    V1ReplicaSet rs = apps.createNamespacedReplicaSet("default", replicaSet("stale")).execute();
    rs.getSpec().setReplicas(2);
    apps.replaceNamespacedReplicaSet("stale", "default", rs).execute();
    rs.getSpec().setReplicas(4);

    assertThatThrownBy(
            () ->
                Written.send(
                    apps.replaceNamespacedReplicaSet("stale", "default", rs).buildCall(null)))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              assertThat(e.getResponseBody())
                  .contains("\"reason\":\"Conflict\"")
                  .contains(
                      "Operation cannot be fulfilled on replicasets.apps \\\"stale\\\": the"
                          + " object has been modified");
            });
  }

  private static V1ReplicaSet replicaSet(String name) {
    Map<String, String> labels = Map.of("app", name);
    return new V1ReplicaSet()
        .apiVersion("apps/v1")
        .kind("ReplicaSet")
        .metadata(new V1ObjectMeta().name(name).namespace("default"))
        .spec(
            new V1ReplicaSetSpec()
                .replicas(1)
                .selector(new V1LabelSelector().matchLabels(labels))
                .template(
                    new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels))
                        .spec(
                            new V1PodSpec()
                                .containers(
                                    List.of(new V1Container().name("web").image("nginx:1.27"))))));
  }
}
