package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.Eventually;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1HostPathVolumeSource;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1LimitRangeSpec;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Volume;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ephemeral storage in containers, LimitRanges and quotas, Pod Security admission by the
 * namespace's enforce label, and the kubelet's runAsNonRoot check — as a real API server and
 * kubelet answer them, through the official client.
 */
class PodSecurityAndStorageTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger SEQ = new AtomicInteger();

  private static FakeCluster cluster;
  private static CoreV1Api core;
  private static AppsV1Api apps;

  @BeforeAll
  static void start() {
    cluster = FakeCluster.start();
    core = new CoreV1Api(cluster.apiClient());
    apps = new AppsV1Api(cluster.apiClient());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  // ---- ephemeral storage ----

  @Test
  void ephemeral_storage_is_a_container_quota_and_limit_range_resource_and_typos_are_invalid() {
    String ns = namespace(null);
    JsonObject pod =
        refusal(
            () ->
                core.createNamespacedPod(
                        ns,
                        pod(
                            "typo",
                            container("nginx:1.27")
                                .resources(
                                    new V1ResourceRequirements()
                                        .limits(Map.of("ephemeral_storage", q("1Gi"))))))
                    .execute());
    assertThat(pod.getInteger("code")).isEqualTo(422);
    assertThat(pod.getString("message"))
        .contains(
            "spec.containers[0].resources.limits[ephemeral_storage]: Invalid value:"
                + " \"ephemeral_storage\": must be a standard resource for containers");

    JsonObject quota =
        refusal(
            () ->
                core.createNamespacedResourceQuota(
                        ns, quota(ns, Map.of("limits.ephemeral_storage", "1Gi", "pods", "1.5")))
                    .execute());
    assertThat(quota.getString("message"))
        .contains(
            "spec.hard[limits.ephemeral_storage]: Invalid value: \"limits.ephemeral_storage\":"
                + " must be a standard resource for quota")
        .contains("spec.hard[pods]: Invalid value: ")
        .contains(": must be an integer");

    JsonObject limits =
        refusal(
            () ->
                core.createNamespacedLimitRange(
                        ns,
                        limitRange(
                            ns,
                            new V1LimitRangeItem()
                                .type("Container")
                                .max(Map.of("disk", q("1Gi")))
                                ._default(Map.of("ephemeral-storage", q("2Gi")))))
                    .execute());
    assertThat(limits.getString("message"))
        .contains(
            "spec.limits[0].max[disk]: Invalid value: \"disk\": must be a standard resource for"
                + " containers");

    assertThat(
            KubeValidation.validate(
                quota(
                    ns,
                    Map.of(
                        "requests.ephemeral-storage", "10Gi", "limits.ephemeral-storage", "20Gi"))))
        .isEmpty();
  }

  @Test
  void a_quota_on_ephemeral_storage_counts_requests_and_limits_and_refuses_past_them()
      throws Exception {
    String ns = namespace(null);
    core.createNamespacedResourceQuota(
            ns,
            quota(
                ns, Map.of("requests.ephemeral-storage", "1Gi", "limits.ephemeral-storage", "2Gi")))
        .execute();
    core.createNamespacedPod(ns, pod("first", sized("512Mi", "1Gi"))).execute();

    JsonObject status =
        refusal(
            () -> core.createNamespacedPod(ns, pod("second", sized("256Mi", "1536Mi"))).execute());
    assertThat(status.getInteger("code")).isEqualTo(403);
    assertThat(status.getString("message"))
        .isEqualTo(
            "pods \"second\" is forbidden: exceeded quota: compute, requested:"
                + " limits.ephemeral-storage=1536Mi, used: limits.ephemeral-storage=1Gi, limited:"
                + " limits.ephemeral-storage=2Gi");

    V1ResourceQuota q =
        Eventually.await(
            "the quota's status",
            WAIT,
            () -> core.readNamespacedResourceQuota("compute", ns).execute(),
            quota -> quota.getStatus() != null && quota.getStatus().getUsed() != null);
    assertThat(q.getStatus().getUsed().get("requests.ephemeral-storage").toSuffixedString())
        .isEqualTo("512Mi");
    assertThat(q.getStatus().getUsed().get("limits.ephemeral-storage").toSuffixedString())
        .isEqualTo("1Gi");
  }

  /**
   * Unlike cpu and memory, ephemeral-storage need not be set on every container under a quota that
   * tracks it (pods.go validationSet): the pod counts zero — unless the LimitRange defaults it,
   * which happens first, so the LimitRange is what makes every container count.
   */
  @Test
  void a_pod_without_ephemeral_storage_counts_zero_unless_the_limit_range_defaults_it()
      throws Exception {
    String ns = namespace(null);
    core.createNamespacedResourceQuota(
            ns,
            quota(
                ns, Map.of("requests.ephemeral-storage", "1Gi", "limits.ephemeral-storage", "1Gi")))
        .execute();
    V1Pod bare = core.createNamespacedPod(ns, pod("bare", container("nginx:1.27"))).execute();
    assertThat(bare.getSpec().getContainers().get(0).getResources().getLimits()).isNullOrEmpty();

    core.createNamespacedLimitRange(
            ns,
            limitRange(
                ns,
                new V1LimitRangeItem()
                    .type("Container")
                    .defaultRequest(Map.of("ephemeral-storage", q("256Mi")))
                    ._default(Map.of("ephemeral-storage", q("768Mi")))))
        .execute();
    V1Pod defaulted =
        core.createNamespacedPod(ns, pod("defaulted", container("nginx:1.27"))).execute();
    V1ResourceRequirements r = defaulted.getSpec().getContainers().get(0).getResources();
    assertThat(r.getRequests().get("ephemeral-storage").toSuffixedString()).isEqualTo("256Mi");
    assertThat(r.getLimits().get("ephemeral-storage").toSuffixedString()).isEqualTo("768Mi");

    JsonObject status =
        refusal(
            () -> core.createNamespacedPod(ns, pod("third", container("nginx:1.27"))).execute());
    assertThat(status.getString("message"))
        .isEqualTo(
            "pods \"third\" is forbidden: exceeded quota: compute, requested:"
                + " limits.ephemeral-storage=768Mi, used: limits.ephemeral-storage=768Mi, limited:"
                + " limits.ephemeral-storage=1Gi");
  }

  // ---- Pod Security admission ----

  @Test
  void restricted_refuses_a_pod_naming_every_check_it_fails_in_the_plugins_words() {
    String ns = namespace("restricted");
    V1Pod pod =
        pod(
            "loose",
            container("nginx:1.27")
                .securityContext(
                    new V1SecurityContext()
                        .capabilities(
                            new V1Capabilities().drop(List.of("ALL")).add(List.of("CHOWN")))));
    pod.getSpec()
        .volumes(
            List.of(
                new V1Volume().name("host").hostPath(new V1HostPathVolumeSource().path("/var"))));

    JsonObject status = refusal(() -> core.createNamespacedPod(ns, pod).execute());

    assertThat(status.getInteger("code")).isEqualTo(403);
    assertThat(status.getString("reason")).isEqualTo("Forbidden");
    assertThat(status.getString("message"))
        .isEqualTo(
            "pods \"loose\" is forbidden: violates PodSecurity \"restricted:latest\":"
                + " allowPrivilegeEscalation != false (container \"app\" must set"
                + " securityContext.allowPrivilegeEscalation=false), unrestricted capabilities"
                + " (container \"app\" must not include \"CHOWN\" in"
                + " securityContext.capabilities.add), restricted volume types (volumes [\"host\"]"
                + " have restricted types), runAsNonRoot != true (pod or container \"app\" must set"
                + " securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\""
                + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or"
                + " \"Localhost\")");
  }

  @Test
  void restricted_admits_what_it_allows_and_baseline_admits_root_with_the_baseline_set()
      throws Exception {
    String restricted = namespace("restricted");
    core.createNamespacedPod(restricted, pod("tight", restrictedContainer("nginx:1.27"))).execute();

    String baseline = namespace("baseline");
    V1Pod root =
        pod(
            "root",
            container("nginx:1.27")
                .securityContext(
                    new V1SecurityContext()
                        .capabilities(
                            new V1Capabilities()
                                .drop(List.of("ALL"))
                                .add(List.of("CHOWN", "SETUID")))));
    core.createNamespacedPod(baseline, root).execute();
    V1Pod netAdmin =
        pod(
            "netadmin",
            container("nginx:1.27")
                .securityContext(
                    new V1SecurityContext()
                        .privileged(true)
                        .capabilities(new V1Capabilities().add(List.of("NET_ADMIN")))));
    assertThat(
            refusal(() -> core.createNamespacedPod(baseline, netAdmin).execute())
                .getString("message"))
        .isEqualTo(
            "pods \"netadmin\" is forbidden: violates PodSecurity \"baseline:latest\": privileged"
                + " (container \"app\" must not set securityContext.privileged=true), non-default"
                + " capabilities (container \"app\" must not include \"NET_ADMIN\" in"
                + " securityContext.capabilities.add)");
  }

  @Test
  void a_deployment_is_admitted_and_its_replica_set_records_the_refused_pods() throws Exception {
    String ns = namespace("restricted");
    apps.createNamespacedDeployment(ns, deployment(ns, "web", container("nginx:1.27"))).execute();

    V1ReplicaSet rs =
        Eventually.await(
                "a ReplicaFailure on web's replica set",
                WAIT,
                () -> apps.listNamespacedReplicaSet(ns).execute().getItems(),
                list ->
                    list.size() == 1
                        && list.get(0).getStatus() != null
                        && list.get(0).getStatus().getConditions() != null)
            .get(0);
    assertThat(rs.getStatus().getConditions().get(0).getMessage())
        .matches(
            "pods \"web-[a-z0-9]+-[a-z0-9]{5}\" is forbidden: violates PodSecurity"
                + " \"restricted:latest\": allowPrivilegeEscalation != false .*");
    assertThat(core.listNamespacedPod(ns).execute().getItems()).isEmpty();
  }

  // ---- the kubelet's runAsNonRoot check ----

  @Test
  void an_image_that_runs_as_root_cannot_start_with_run_as_non_root() throws Exception {
    String ns = namespace("restricted");
    apps.createNamespacedDeployment(ns, deployment(ns, "web", restrictedContainer("nginx:1.27")))
        .execute();

    V1Pod pod = awaitWaiting(ns, "CreateContainerConfigError");
    V1ContainerStatus c = pod.getStatus().getContainerStatuses().get(0);
    assertThat(c.getState().getWaiting().getMessage())
        .isEqualTo(
            "container has runAsNonRoot and image will run as root (pod: \""
                + pod.getMetadata().getName()
                + "_"
                + ns
                + "("
                + pod.getMetadata().getUid()
                + ")\", container: app)");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(c.getImageID()).isEmpty();
  }

  @Test
  void a_non_root_image_or_one_whose_user_is_not_known_runs_with_run_as_non_root()
      throws Exception {
    String ns = namespace("restricted");
    apps.createNamespacedDeployment(
            ns,
            deployment(ns, "unprivileged", restrictedContainer("nginxinc/nginx-unprivileged:1.27")))
        .execute();
    apps.createNamespacedDeployment(
            ns, deployment(ns, "own", restrictedContainer("ghcr.io/acme/web:1")))
        .execute();

    Eventually.await(
        "both running",
        WAIT,
        () -> core.listNamespacedPod(ns).execute().getItems(),
        pods -> pods.size() == 2 && pods.stream().allMatch(Kubelet::isReady));
  }

  @Test
  void run_as_user_zero_breaks_the_non_root_policy_for_any_image() throws Exception {
    String ns = namespace(null);
    V1Container c = restrictedContainer("ghcr.io/acme/web:1");
    c.getSecurityContext().runAsUser(0L);
    apps.createNamespacedDeployment(ns, deployment(ns, "zero", c)).execute();

    V1Pod pod = awaitWaiting(ns, "CreateContainerConfigError");
    assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getMessage())
        .startsWith("container's runAsUser breaks non-root policy (pod: \"zero-");
  }

  // ---- helpers ----

  private interface Call {
    void run() throws ApiException;
  }

  private static JsonObject refusal(Call call) {
    try {
      call.run();
    } catch (ApiException e) {
      JsonObject status = new JsonObject(e.getResponseBody());
      assertThat(status.getString("kind")).isEqualTo("Status");
      assertThat(status.getInteger("code")).isEqualTo(e.getCode());
      return status;
    }
    throw new AssertionError("expected the fake API server to refuse the request");
  }

  private static V1Pod awaitWaiting(String ns, String reason) {
    return Eventually.await(
            "a pod waiting in " + reason,
            WAIT,
            () -> core.listNamespacedPod(ns).execute().getItems(),
            pods ->
                pods.size() == 1
                    && pods.get(0).getStatus() != null
                    && pods.get(0).getStatus().getContainerStatuses() != null
                    && pods.get(0).getStatus().getContainerStatuses().get(0).getState().getWaiting()
                        != null
                    && reason.equals(
                        pods.get(0)
                            .getStatus()
                            .getContainerStatuses()
                            .get(0)
                            .getState()
                            .getWaiting()
                            .getReason()))
        .get(0);
  }

  /** A namespace, labelled {@code pod-security.kubernetes.io/enforce: level} unless null. */
  private static String namespace(String level) {
    String ns = "security-" + SEQ.incrementAndGet();
    try {
      core.createNamespace(
              new V1Namespace()
                  .apiVersion("v1")
                  .kind("Namespace")
                  .metadata(
                      new V1ObjectMeta()
                          .name(ns)
                          .labels(
                              level == null ? null : Map.of(PodSecurityAdmission.ENFORCE, level))))
          .execute();
    } catch (ApiException e) {
      throw new IllegalStateException(e.getResponseBody(), e);
    }
    return ns;
  }

  private static Quantity q(String text) {
    return Quantity.fromString(text);
  }

  private static V1Container container(String image) {
    return new V1Container().name("app").image(image);
  }

  /** What the restricted level asks of a container, as Astro writes it there. */
  private static V1Container restrictedContainer(String image) {
    return container(image)
        .securityContext(
            new V1SecurityContext()
                .runAsNonRoot(true)
                .allowPrivilegeEscalation(false)
                .capabilities(
                    new V1Capabilities().drop(List.of("ALL")).add(List.of("NET_BIND_SERVICE")))
                .seccompProfile(new V1SeccompProfile().type("RuntimeDefault")));
  }

  private static V1Container sized(String request, String limit) {
    return container("nginx:1.27")
        .resources(
            new V1ResourceRequirements()
                .requests(Map.of("ephemeral-storage", q(request)))
                .limits(Map.of("ephemeral-storage", q(limit))));
  }

  private static V1Pod pod(String name, V1Container container) {
    return new V1Pod()
        .apiVersion("v1")
        .kind("Pod")
        .metadata(new V1ObjectMeta().name(name))
        .spec(new V1PodSpec().containers(List.of(container)));
  }

  private static V1Deployment deployment(String ns, String name, V1Container container) {
    Map<String, String> labels = Map.of("app", name);
    return new V1Deployment()
        .apiVersion("apps/v1")
        .kind("Deployment")
        .metadata(new V1ObjectMeta().name(name).namespace(ns).labels(labels))
        .spec(
            new V1DeploymentSpec()
                .replicas(1)
                .selector(new V1LabelSelector().matchLabels(labels))
                .template(
                    new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels))
                        .spec(new V1PodSpec().containers(List.of(container)))));
  }

  private static V1ResourceQuota quota(String ns, Map<String, String> hard) {
    Map<String, Quantity> q = new TreeMap<>();
    hard.forEach((k, v) -> q.put(k, Quantity.fromString(v)));
    return new V1ResourceQuota()
        .apiVersion("v1")
        .kind("ResourceQuota")
        .metadata(new V1ObjectMeta().name("compute").namespace(ns))
        .spec(new V1ResourceQuotaSpec().hard(q));
  }

  private static V1LimitRange limitRange(String ns, V1LimitRangeItem item) {
    return new V1LimitRange()
        .apiVersion("v1")
        .kind("LimitRange")
        .metadata(new V1ObjectMeta().name("defaults").namespace(ns))
        .spec(new V1LimitRangeSpec().limits(List.of(item)));
  }
}
