package io.astro.sync.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.sync.commands.DesiredApp;
import io.astro.sync.reconcile.Manifests;
import io.astro.sync.reconcile.TenantPolicy;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A status is only reported for a generation the cluster has observed. */
class DeploymentStatusMapperTest {

  private static final DesiredApp APP =
      new DesiredApp(
          "0b6f8a36-2f7e-4f5e-9a55-6b3c1b3c9d01",
          7,
          "web",
          "default",
          "astro-user-7",
          "web-u7",
          2,
          "nginx:1.27",
          1,
          null,
          false,
          null,
          false);

  @Test
  void a_deployment_built_from_an_older_generation_says_nothing_about_the_current_one() {
    DesiredApp older =
        new DesiredApp(
            APP.appId(),
            7,
            "web",
            "default",
            "astro-user-7",
            "web-u7",
            1,
            "nginx:1.26",
            1,
            null,
            false,
            null,
            false);

    assertThat(DeploymentStatusMapper.map(APP, ready(older, 1L, 1L), List.of(), List.of()))
        .isEmpty();
  }

  @Test
  void a_spec_the_controller_has_not_acted_on_yet_says_nothing() {
    assertThat(DeploymentStatusMapper.map(APP, ready(APP, 2L, 1L), List.of(), List.of())).isEmpty();
  }

  @Test
  void an_observed_ready_deployment_is_running_at_the_apps_generation() {
    AppStatus status =
        DeploymentStatusMapper.map(APP, ready(APP, 2L, 2L), List.of(), List.of()).orElseThrow();

    assertThat(status.status()).isEqualTo("running");
    assertThat(status.observedGeneration()).isEqualTo(2);
    assertThat(status.readyReplicas()).isEqualTo(1);
  }

  private static V1Deployment ready(DesiredApp builtFrom, long generation, long observed) {
    V1Deployment d = new Manifests(TenantPolicy.defaults()).deployment(builtFrom);
    d.getMetadata().setGeneration(generation);
    return d.status(
        new V1DeploymentStatus()
            .observedGeneration(observed)
            .replicas(1)
            .updatedReplicas(1)
            .readyReplicas(1));
  }
}
