package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ASTRO_POD_SECURITY=restricted}: user namespaces enforce the restricted level, an image
 * that runs as root fails the app the way a kubelet refuses it, an image built to run unprivileged
 * runs; every container gets its ephemeral storage from the namespace's LimitRange.
 */
@ExtendWith(KafkaExtension.class)
class PodSecurityLevelTest {

  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx =
        new SyncWorkerFixture(broker, 1)
            .startWorker(
                Map.of(
                    "ASTRO_POD_SECURITY", "restricted",
                    "ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE", "768Mi"));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void an_official_image_that_runs_as_root_fails_with_the_kubelets_reason() throws Exception {
    Commands.App app = new Commands.App(31, "rooted", fx.cluster(0).name());
    app.image = "nginx:1.27";
    fx.commands.send(app, "create");

    JsonObject failed = fx.awaitStatus(app, "failed");
    assertThat(failed.getString("reason")).isEqualTo("CreateContainerConfigError");
    assertThat(failed.getString("message"))
        .contains("container has runAsNonRoot and image will run as root");
    CoreV1Api core = new CoreV1Api(fx.cluster(0).apiClient());
    assertThat(core.readNamespace(app.namespace()).execute().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
  }

  @Test
  void an_unprivileged_image_runs_with_ephemeral_storage_from_the_limit_range() throws Exception {
    Commands.App app = new Commands.App(32, "unprivileged", fx.cluster(0).name());
    app.image = "nginxinc/nginx-unprivileged:1.27";
    fx.commands.send(app, "create");

    fx.awaitStatus(app, "running");
    CoreV1Api core = new CoreV1Api(fx.cluster(0).apiClient());
    V1Pod pod = core.listNamespacedPod(app.namespace()).execute().getItems().get(0);
    var resources = pod.getSpec().getContainers().get(0).getResources();
    assertThat(resources.getLimits().get("ephemeral-storage").toSuffixedString())
        .isEqualTo("768Mi");
    assertThat(resources.getRequests().get("ephemeral-storage").toSuffixedString())
        .isEqualTo("256Mi");
    assertThat(pod.getSpec().getContainers().get(0).getSecurityContext().getRunAsNonRoot())
        .isTrue();
  }
}
