package io.astro.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.events.app.AppCommand;
import io.astro.common.kube.KubeNames;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spec hash recognises an unchanged object, and changes with anything Astro decides. */
class ManifestsTest {

  private final Manifests manifests = new Manifests(TenantPolicy.defaults());

  @Test
  void the_same_desired_state_hashes_the_same_even_after_a_round_trip_through_json() {
    V1Deployment built = manifests.deployment(app(3, "nginx:1.27", 2, false, null));
    V1Deployment roundTripped = JSON.deserialize(JSON.serialize(built), V1Deployment.class);

    assertThat(Manifests.specHash(roundTripped))
        .isEqualTo(Manifests.specHash(built))
        .isEqualTo(Manifests.specHash(manifests.deployment(app(3, "nginx:1.27", 2, false, null))));
  }

  @Test
  void image_replicas_stop_restart_and_generation_each_change_the_hash() {
    String base = Manifests.specHash(manifests.deployment(app(3, "nginx:1.27", 2, false, null)));

    assertThat(Manifests.specHash(manifests.deployment(app(3, "nginx:1.28", 2, false, null))))
        .isNotEqualTo(base);
    assertThat(Manifests.specHash(manifests.deployment(app(3, "nginx:1.27", 3, false, null))))
        .isNotEqualTo(base);
    assertThat(Manifests.specHash(manifests.deployment(app(3, "nginx:1.27", 2, true, null))))
        .isNotEqualTo(base);
    assertThat(
            Manifests.specHash(
                manifests.deployment(app(3, "nginx:1.27", 2, false, "2026-12-01T10:00:00Z"))))
        .isNotEqualTo(base);
    assertThat(Manifests.specHash(manifests.deployment(app(4, "nginx:1.27", 2, false, null))))
        .isNotEqualTo(base);
  }

  @Test
  void a_stopped_app_keeps_its_deployment_at_zero_replicas_with_the_restart_stamp_on_its_pods() {
    V1Deployment stopped =
        manifests.deployment(app(3, "nginx:1.27", 2, true, "2026-12-01T10:00:00Z"));

    assertThat(stopped.getSpec().getReplicas()).isZero();
    assertThat(stopped.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(KubeNames.RESTARTED_AT_ANNOTATION, "2026-12-01T10:00:00Z");
    assertThat(stopped.getApiVersion()).isEqualTo("apps/v1");
    assertThat(stopped.getKind()).isEqualTo("Deployment");
  }

  @Test
  void user_containers_drop_all_capabilities_and_add_back_the_baseline_set_official_images_need() {
    V1SecurityContext security =
        manifests
            .deployment(app(3, "nginx:1.27", 2, false, null))
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getSecurityContext();

    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd())
        .containsExactly(
            "CHOWN",
            "DAC_OVERRIDE",
            "FOWNER",
            "FSETID",
            "KILL",
            "SETGID",
            "SETUID",
            "NET_BIND_SERVICE");
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
  }

  @Test
  void the_operator_chooses_the_capabilities_added_back_and_a_bad_name_fails_start_up() {
    TenantPolicy narrow =
        TenantPolicy.from(
            Env.of(Map.of("ASTRO_CONTAINER_CAPABILITIES", " net_bind_service, CAP_CHOWN ,")));
    TenantPolicy none = TenantPolicy.from(Env.of(Map.of("ASTRO_CONTAINER_CAPABILITIES", "none")));

    assertThat(narrow.capabilities()).containsExactly("NET_BIND_SERVICE", "CHOWN");
    assertThat(
            new Manifests(none)
                .deployment(app(3, "nginx:1.27", 2, false, null))
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getSecurityContext()
                .getCapabilities()
                .getAdd())
        .isNull();
    assertThat(
            Manifests.specHash(
                new Manifests(narrow).deployment(app(3, "nginx:1.27", 2, false, null))))
        .isNotEqualTo(
            Manifests.specHash(manifests.deployment(app(3, "nginx:1.27", 2, false, null))));
    for (String bad : List.of("SYS_ADMIN", "NET_RAW", "CHOWN;")) {
      assertThatThrownBy(
              () -> TenantPolicy.from(Env.of(Map.of("ASTRO_CONTAINER_CAPABILITIES", bad))))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("ASTRO_CONTAINER_CAPABILITIES")
          .hasMessageContaining(bad);
    }
  }

  private static AppCommand app(
      long generation, String image, int replicas, boolean stopped, String restartedAt) {
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
            image,
            replicas,
            8080,
            stopped,
            restartedAt,
            false,
            AppCommand.Release.BEFORE_RELEASES));
  }
}
