package io.astro.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.cluster.ClusterPublicUrls;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.kube.KubeValidation;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1LocalObjectReference;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
  void each_object_carries_the_hash_of_its_own_json_whatever_was_built_before() {
    for (AppCommand app :
        List.of(
            app(3, "nginx:1.27", 2, false, null),
            app(4, "nginx:1.28", 2, false, null),
            app(3, "nginx:1.27", 2, false, null),
            app(3, "nginx:1.27", 2, false, null))) {
      // a new instance hashes what it builds
      assertThat(Manifests.specHash(manifests.deployment(app)))
          .isEqualTo(Manifests.specHash(new Manifests(TenantPolicy.defaults()).deployment(app)));
      assertThat(Manifests.specHash(manifests.service(app)))
          .isEqualTo(Manifests.specHash(new Manifests(TenantPolicy.defaults()).service(app)));
    }
  }

  @Test
  void
      a_clusters_public_urls_turned_on_change_the_hash_of_an_app_built_before_from_the_same_command() {
    ClusterUrls urls = new ClusterUrls(PublicUrls.NONE);
    Manifests withUrls = new Manifests(TenantPolicy.defaults(), Duration.ofMinutes(2), urls);
    AppCommand app = app(3, "nginx:1.27", 2, false, null);
    String before = Manifests.specHash(withUrls.deployment(app));

    urls.put(app.cluster(), new ClusterPublicUrls("apps.example.com", null, null, null));
    V1Deployment after = withUrls.deployment(app);

    // the public label on its pods, so the ingress controller may reach them
    assertThat(after.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(KubeNames.PUBLIC_LABEL, "true");
    assertThat(Manifests.specHash(after))
        .isNotEqualTo(before)
        .isEqualTo(Manifests.specHash(newManifests(urls).deployment(app)));
    String ingress = Manifests.specHash(withUrls.ingress(app));
    urls.put(app.cluster(), new ClusterPublicUrls("apps.example.org", null, null, null));
    assertThat(Manifests.specHash(withUrls.ingress(app)))
        .isNotEqualTo(ingress)
        .isEqualTo(Manifests.specHash(newManifests(urls).ingress(app)));
  }

  /** A new instance, nothing built before, on the same settings. */
  private static Manifests newManifests(ClusterUrls urls) {
    return new Manifests(TenantPolicy.defaults(), Duration.ofMinutes(2), urls);
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

  @Test
  void
      every_container_gets_ephemeral_storage_from_the_limit_range_and_the_quota_caps_the_namespace() {
    TenantPolicy policy =
        TenantPolicy.from(
            Env.of(
                Map.of(
                    "ASTRO_CONTAINER_REQUEST_EPHEMERAL_STORAGE", "512Mi",
                    "ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE", "2Gi",
                    "ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE", "40Gi")));
    Manifests m = new Manifests(policy);

    var item = m.limitRange("astro-user-7").getSpec().getLimits().get(0);
    assertThat(item.getDefaultRequest().get("ephemeral-storage").toSuffixedString())
        .isEqualTo("512Mi");
    assertThat(item.getDefault().get("ephemeral-storage").toSuffixedString()).isEqualTo("2Gi");
    var hard = m.resourceQuota("astro-user-7").getSpec().getHard();
    assertThat(hard.get("requests.ephemeral-storage").toSuffixedString()).isEqualTo("40Gi");
    assertThat(hard.get("limits.ephemeral-storage").toSuffixedString()).isEqualTo("40Gi");
    var defaults = manifests.resourceQuota("astro-user-7").getSpec().getHard();
    assertThat(defaults.get("limits.ephemeral-storage").toSuffixedString()).isEqualTo("20Gi");
    assertThat(
            manifests
                .limitRange("astro-user-7")
                .getSpec()
                .getLimits()
                .get(0)
                .getDefault()
                .get("ephemeral-storage")
                .toSuffixedString())
        .isEqualTo("1Gi");
    assertThat(KubeValidation.validate(m.limitRange("astro-user-7"))).isEmpty();
    assertThat(KubeValidation.validate(m.resourceQuota("astro-user-7"))).isEmpty();
    // a Deployment is not changed by it (no rollout of every app): the LimitRange fills it in
    assertThat(Manifests.specHash(m.deployment(app(3, "nginx:1.27", 2, false, null))))
        .isEqualTo(Manifests.specHash(manifests.deployment(app(3, "nginx:1.27", 2, false, null))));

    assertThatThrownBy(
            () ->
                TenantPolicy.from(
                    Env.of(
                        Map.of(
                            "ASTRO_CONTAINER_REQUEST_EPHEMERAL_STORAGE", "2Gi",
                            "ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE", "1Gi"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_CONTAINER_REQUEST_EPHEMERAL_STORAGE");
    assertThatThrownBy(
            () ->
                TenantPolicy.from(
                    Env.of(Map.of("ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE", "lots"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE");
  }

  @Test
  void restricted_namespaces_enforce_it_and_containers_run_as_non_root_adding_only_net_bind() {
    TenantPolicy restricted = TenantPolicy.from(Env.of(Map.of("ASTRO_POD_SECURITY", "restricted")));
    Manifests m = new Manifests(restricted);

    assertThat(restricted.podSecurity()).isEqualTo(TenantPolicy.PodSecurity.RESTRICTED);
    assertThat(m.namespace("astro-user-7", 7).getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    assertThat(manifests.namespace("astro-user-7", 7).getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "baseline");
    V1SecurityContext security =
        m.deployment(app(3, "nginx:1.27", 2, false, null))
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).containsExactly("NET_BIND_SERVICE");
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(
            container(release(1, Map.of(), List.of(), null, null, null, null, null))
                .getSecurityContext()
                .getRunAsNonRoot())
        .as("baseline sets no runAsNonRoot")
        .isNull();
    assertThat(
            TenantPolicy.from(
                    Env.of(
                        Map.of(
                            "ASTRO_POD_SECURITY", "Restricted",
                            "ASTRO_CONTAINER_CAPABILITIES", "none")))
                .capabilities())
        .isEmpty();

    assertThatThrownBy(
            () ->
                TenantPolicy.from(
                    Env.of(
                        Map.of(
                            "ASTRO_POD_SECURITY", "restricted",
                            "ASTRO_CONTAINER_CAPABILITIES", "NET_BIND_SERVICE,CHOWN"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CHOWN is not a capability the Pod Security restricted level");
    assertThatThrownBy(() -> TenantPolicy.from(Env.of(Map.of("ASTRO_POD_SECURITY", "privileged"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_POD_SECURITY must be baseline or restricted");
  }

  @Test
  void a_release_gives_the_container_its_variables_sorted_then_its_secrets_by_reference() {
    V1Container c =
        container(
            release(
                4,
                Map.of("ZONE", "eu", "APP_MODE", "prod"),
                List.of("TOKEN", "DB_PASSWORD"),
                "v1.k1.c2VhbGVk",
                null,
                null,
                null,
                null));

    assertThat(c.getEnv())
        .extracting(V1EnvVar::getName)
        .containsExactly("APP_MODE", "ZONE", "DB_PASSWORD", "TOKEN");
    assertThat(c.getEnv().get(0).getValue()).isEqualTo("prod");
    V1EnvVar secret = c.getEnv().get(2);
    assertThat(secret.getValue()).isNull();
    assertThat(secret.getValueFrom().getSecretKeyRef().getName())
        .isEqualTo(KubeNames.envSecret("web-u7"));
    assertThat(secret.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("DB_PASSWORD");
  }

  @Test
  void command_args_and_the_size_are_the_releases_and_without_a_size_the_operator_defaults() {
    V1Container c =
        container(
            release(
                2,
                Map.of(),
                List.of(),
                null,
                List.of("/bin/server"),
                List.of("--port", "8080"),
                new AppCommand.Resources("large", "500m", "1", "1Gi", "1Gi"),
                null));

    assertThat(c.getCommand()).containsExactly("/bin/server");
    assertThat(c.getArgs()).containsExactly("--port", "8080");
    assertThat(c.getResources().getRequests())
        .containsEntry("cpu", Quantity.fromString("500m"))
        .containsEntry("memory", Quantity.fromString("1Gi"));
    assertThat(c.getResources().getLimits())
        .containsEntry("cpu", Quantity.fromString("1"))
        .containsEntry("memory", Quantity.fromString("1Gi"));

    V1Container plain = container(AppCommand.Release.BEFORE_RELEASES);
    assertThat(plain.getCommand()).isNull();
    assertThat(plain.getArgs()).isNull();
    assertThat(plain.getEnv()).isNull();
    assertThat(plain.getResources().getRequests())
        .containsEntry("cpu", Quantity.fromString("100m"))
        .containsEntry("memory", Quantity.fromString("128Mi"));
    assertThat(plain.getResources().getLimits())
        .containsEntry("cpu", Quantity.fromString("500m"))
        .containsEntry("memory", Quantity.fromString("512Mi"));
  }

  @Test
  void an_http_health_check_becomes_startup_readiness_and_liveness_probes() {
    V1Container c =
        container(
            release(
                2,
                Map.of(),
                List.of(),
                null,
                null,
                null,
                null,
                new AppCommand.HealthCheck("http", "/healthz", 8080, 15, 10, 2, 3)));

    for (V1Probe probe : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(probe.getHttpGet().getPort().getIntValue()).isEqualTo(8080);
      assertThat(probe.getPeriodSeconds()).isEqualTo(10);
      assertThat(probe.getTimeoutSeconds()).isEqualTo(2);
      assertThat(probe.getFailureThreshold()).isEqualTo(3);
      assertThat(probe.getInitialDelaySeconds()).isNull();
    }
    V1Probe startup = c.getStartupProbe();
    assertThat(startup.getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(startup.getInitialDelaySeconds()).isEqualTo(15);
    assertThat(startup.getPeriodSeconds()).isEqualTo(10);
    // a slow start is tolerated for the whole rollout deadline (120 s): 12 tries 10 s apart
    assertThat(startup.getFailureThreshold()).isEqualTo(12);
  }

  @Test
  void a_tcp_health_check_probes_the_port() {
    V1Container c =
        container(
            release(
                2,
                Map.of(),
                List.of(),
                null,
                null,
                null,
                null,
                new AppCommand.HealthCheck("tcp", null, 5432, 0, 5, 1, 20)));

    for (V1Probe probe :
        List.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())) {
      assertThat(probe.getTcpSocket().getPort().getIntValue()).isEqualTo(5432);
      assertThat(probe.getHttpGet()).isNull();
    }
    // the check's own threshold when it already covers the deadline (20 × 5 s < 120 s: 24)
    assertThat(c.getStartupProbe().getFailureThreshold()).isEqualTo(24);
    assertThat(c.getStartupProbe().getInitialDelaySeconds()).isNull();
  }

  @Test
  void
      the_deployment_rolls_one_extra_pod_at_a_time_within_the_rollout_deadline_keeps_two_old_replica_sets_and_stamps_the_release() {
    V1Deployment d =
        new Manifests(TenantPolicy.defaults(), Duration.ofSeconds(45))
            .deployment(withRelease(release(5, Map.of(), List.of(), null, null, null, null, null)));

    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntValue())
        .isZero();
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntValue())
        .isEqualTo(1);
    assertThat(d.getSpec().getProgressDeadlineSeconds()).isEqualTo(45);
    assertThat(d.getSpec().getRevisionHistoryLimit()).isEqualTo(2);
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(KubeNames.RELEASE_ANNOTATION, "5");
    assertThat(
            manifests
                .deployment(withRelease(AppCommand.Release.BEFORE_RELEASES))
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations())
        .as("an app from before releases keeps the pods it has")
        .isNull();
    assertThat(Manifests.specHash(d))
        .isNotEqualTo(
            Manifests.specHash(
                new Manifests(TenantPolicy.defaults(), Duration.ofSeconds(45))
                    .deployment(
                        withRelease(
                            release(6, Map.of(), List.of(), null, null, null, null, null)))));
  }

  @Test
  void the_env_secret_holds_the_values_and_its_hash_follows_the_sealed_form_not_the_values() {
    AppCommand app =
        withRelease(
            release(3, Map.of(), List.of("DB_PASSWORD"), "v1.k1.c2VhbGVk", null, null, null, null));

    V1Secret secret = manifests.envSecret(app, Map.of("DB_PASSWORD", "hunter2"));

    assertThat(secret.getMetadata().getName()).isEqualTo(KubeNames.envSecret("web-u7"));
    assertThat(secret.getMetadata().getNamespace()).isEqualTo(KubeNames.namespace(7));
    assertThat(secret.getType()).isEqualTo("Opaque");
    assertThat(secret.getMetadata().getLabels()).isEqualTo(Manifests.appLabels(app));
    assertThat(new String(secret.getData().get("DB_PASSWORD"), StandardCharsets.UTF_8))
        .isEqualTo("hunter2");
    // the same sealed form, other values: the same hash — it is not taken over the values
    assertThat(Manifests.specHash(manifests.envSecret(app, Map.of("DB_PASSWORD", "other"))))
        .isEqualTo(Manifests.specHash(secret))
        .isEqualTo(Manifests.specHash(manifests.envSecret(app, null)));
    AppCommand resealed =
        withRelease(
            release(3, Map.of(), List.of("DB_PASSWORD"), "v1.k1.b3RoZXI=", null, null, null, null));
    assertThat(Manifests.specHash(manifests.envSecret(resealed, null)))
        .isNotEqualTo(Manifests.specHash(secret));
    assertThat(manifests.envSecret(withRelease(AppCommand.Release.BEFORE_RELEASES), Map.of()))
        .isNull();
  }

  @Test
  void a_registry_credential_is_a_docker_config_json_secret_named_in_image_pull_secrets() {
    AppCommand app =
        withRelease(
            new AppCommand.Release(
                2,
                new TreeMap<>(),
                List.of(),
                null,
                null,
                null,
                null,
                null,
                new AppCommand.PullSecret("ghcr", "v1.k1.c2VhbGVk")));

    V1Secret pull = manifests.pullSecret(app, "{\"auths\":{}}");

    assertThat(pull.getMetadata().getName()).isEqualTo(KubeNames.pullSecret("web-u7"));
    assertThat(pull.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
    assertThat(new String(pull.getData().get(".dockerconfigjson"), StandardCharsets.UTF_8))
        .isEqualTo("{\"auths\":{}}");
    assertThat(manifests.deployment(app).getSpec().getTemplate().getSpec().getImagePullSecrets())
        .extracting(V1LocalObjectReference::getName)
        .containsExactly(KubeNames.pullSecret("web-u7"));
    assertThat(
            manifests
                .deployment(withRelease(AppCommand.Release.BEFORE_RELEASES))
                .getSpec()
                .getTemplate()
                .getSpec()
                .getImagePullSecrets())
        .isNull();
  }

  @Test
  void everything_a_release_writes_is_what_a_kubernetes_api_server_accepts() {
    for (AppCommand.HealthCheck health :
        List.of(
            new AppCommand.HealthCheck("http", "/healthz", 8080, 15, 10, 2, 3),
            new AppCommand.HealthCheck("tcp", null, 65535, 0, 1, 1, 100),
            new AppCommand.HealthCheck("http", null, 1, 3600, 3600, 3600, 1))) {
      AppCommand app =
          withRelease(
              new AppCommand.Release(
                  5,
                  new TreeMap<>(Map.of("APP_MODE", "prod", "_x", "")),
                  List.of("DB_PASSWORD", "TOKEN"),
                  "v1.k1.c2VhbGVk",
                  List.of("/bin/app"),
                  List.of("--serve"),
                  new AppCommand.Resources("small", "250m", "500m", "128Mi", "256Mi"),
                  health,
                  new AppCommand.PullSecret("ghcr", "v1.k1.c2VhbGVk")));
      for (Manifests m :
          List.of(
              manifests,
              new Manifests(TenantPolicy.from(Env.of(Map.of("ASTRO_POD_SECURITY", "restricted")))),
              new Manifests(TenantPolicy.defaults(), Duration.ofSeconds(1)),
              new Manifests(TenantPolicy.defaults(), Duration.ofDays(1)))) {
        assertThat(KubeValidation.validate(m.deployment(app))).isEmpty();
        assertThat(
                KubeValidation.validate(
                    m.envSecret(app, Map.of("DB_PASSWORD", "s3cret", "TOKEN", ""))))
            .isEmpty();
        assertThat(
                KubeValidation.validate(
                    m.pullSecret(
                        app,
                        "{\"auths\":{\"ghcr.io\":{\"username\":\"u\",\"password\":\"p\","
                            + "\"auth\":\"dTpw\"}}}")))
            .isEmpty();
      }
    }
  }

  private V1Container container(AppCommand.Release release) {
    return manifests
        .deployment(withRelease(release))
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  private static AppCommand.Release release(
      long number,
      Map<String, String> env,
      List<String> secretNames,
      String secrets,
      List<String> command,
      List<String> args,
      AppCommand.Resources resources,
      AppCommand.HealthCheck health) {
    return new AppCommand.Release(
        number, new TreeMap<>(env), secretNames, secrets, command, args, resources, health, null);
  }

  private static AppCommand withRelease(AppCommand.Release release) {
    AppCommand base = app(3, "nginx:1.27", 2, false, null);
    return new AppCommand(
        base.command(),
        base.appId(),
        base.userId(),
        base.name(),
        base.cluster(),
        base.namespace(),
        base.k8sName(),
        base.generation(),
        new AppCommand.Desired("nginx:1.27", 2, 8080, false, null, false, release));
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
