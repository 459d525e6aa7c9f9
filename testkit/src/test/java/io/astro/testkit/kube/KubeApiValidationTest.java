package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.reflect.TypeToken;
import io.astro.testkit.Eventually;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1LimitRangeSpec;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicySpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fake API server refuses what a real one refuses, with the real status code, reason, field and
 * message, and accepts what a real one accepts — driven through the official client, as the
 * sync-worker drives it.
 */
class KubeApiValidationTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger SEQ = new AtomicInteger();

  private static FakeCluster cluster;
  private static CoreV1Api core;
  private static AppsV1Api apps;
  private static NetworkingV1Api networking;

  @BeforeAll
  static void start() {
    cluster = FakeCluster.start();
    core = new CoreV1Api(cluster.apiClient());
    apps = new AppsV1Api(cluster.apiClient());
    networking = new NetworkingV1Api(cluster.apiClient());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  // ---- names ----

  @Test
  void a_service_named_2048_is_invalid_as_a_dns_1035_label() throws Exception {
    String ns = namespace();
    JsonObject status =
        refusal(() -> core.createNamespacedService(ns, service(ns, "2048")).execute());

    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(status.getString("reason")).isEqualTo("Invalid");
    assertThat(status.getString("message"))
        .isEqualTo(
            "Service \"2048\" is invalid: metadata.name: Invalid value: \"2048\": a DNS-1035 label"
                + " must consist of lower case alphanumeric characters or '-', start with an"
                + " alphabetic character, and end with an alphanumeric character (e.g. 'my-name', "
                + " or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
    JsonObject details = status.getJsonObject("details");
    assertThat(details.getString("name")).isEqualTo("2048");
    assertThat(details.getString("kind")).isEqualTo("Service");
    assertThat(details.getString("group")).isEmpty();
    JsonObject cause = details.getJsonArray("causes").getJsonObject(0);
    assertThat(cause.getString("reason")).isEqualTo("FieldValueInvalid");
    assertThat(cause.getString("field")).isEqualTo("metadata.name");
    assertThat(cause.getString("message")).startsWith("Invalid value: \"2048\": a DNS-1035 label");
  }

  @Test
  void a_deployment_may_be_named_2048_but_not_with_capitals_or_longer_than_253() {
    String ns = namespace();
    assertThat(KubeValidation.validate(deployment(ns, "2048", Map.of("app", "x")))).isEmpty();
    assertThat(fields(KubeValidation.validate(deployment(ns, "Web", Map.of("app", "x")))))
        .containsExactly("metadata.name");
    assertThat(
            KubeValidation.validate(deployment(ns, "a".repeat(254), Map.of("app", "x")))
                .get(0)
                .message())
        .contains("must be no more than 253 characters");
  }

  @Test
  void a_namespace_name_is_a_dns_1123_label_without_dots() {
    JsonObject status =
        refusal(
            () ->
                core.createNamespace(
                        new V1Namespace()
                            .apiVersion("v1")
                            .kind("Namespace")
                            .metadata(new V1ObjectMeta().name("team.a")))
                    .execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(status.getString("message"))
        .isEqualTo(
            "Namespace \"team.a\" is invalid: metadata.name: Invalid value: \"team.a\": must not contain dots");
  }

  @Test
  void label_keys_and_values_follow_the_qualified_name_rules() {
    String ns = namespace();
    Map<String, String> labels = Map.of("Example.com/app", "x", "app", "-bad");
    JsonObject status =
        refusal(
            () -> apps.createNamespacedDeployment(ns, deployment(ns, "labels", labels)).execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    List<String> messages = causeMessages(status);
    assertThat(messages)
        .anyMatch(
            m ->
                m.startsWith(
                    "Invalid value: \"Example.com/app\": prefix part a lowercase RFC 1123 subdomain"))
        .anyMatch(
            m -> m.startsWith("Invalid value: \"-bad\": a valid label must be an empty string"));
    assertThat(
            KubeValidation.validate(
                deployment(ns, "ok", Map.of("example.com/app", "", "a", "b.c_d"))))
        .isEmpty();
    assertThat(
            KubeValidation.validate(deployment(ns, "long", Map.of("app", "v".repeat(64))))
                .get(0)
                .message())
        .contains("must be no more than 63 characters");
  }

  @Test
  void annotations_together_may_not_exceed_256_kib() {
    String ns = namespace();
    V1Deployment d = deployment(ns, "annotated", Map.of("app", "a"));
    d.getMetadata().setAnnotations(Map.of("note", "x".repeat(256 * 1024)));
    JsonObject status = refusal(() -> apps.createNamespacedDeployment(ns, d).execute());
    JsonObject cause = status.getJsonObject("details").getJsonArray("causes").getJsonObject(0);
    assertThat(cause.getString("reason")).isEqualTo("FieldValueTooLong");
    assertThat(cause.getString("field")).isEqualTo("metadata.annotations");
    assertThat(cause.getString("message")).isEqualTo("Too long: must have at most 262144 bytes");
  }

  // ---- ports and resources ----

  @Test
  void container_port_names_are_iana_service_names_of_at_most_15_characters() {
    String ns = namespace();
    V1Deployment d = deployment(ns, "ports", Map.of("app", "p"));
    container(d)
        .ports(
            List.of(
                new V1ContainerPort().name("http-management").containerPort(8080),
                new V1ContainerPort().name("metrics-endpoint").containerPort(70000)));
    JsonObject status = refusal(() -> apps.createNamespacedDeployment(ns, d).execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(fields(status))
        .containsExactly(
            "spec.template.spec.containers[0].ports[1].name",
            "spec.template.spec.containers[0].ports[1].containerPort");
    assertThat(causeMessages(status))
        .containsExactly(
            "Invalid value: \"metrics-endpoint\": must be no more than 15 characters",
            "Invalid value: 70000: must be between 1 and 65535, inclusive");
  }

  @Test
  void service_port_names_are_dns_1123_labels_and_required_when_there_are_several() {
    String ns = namespace();
    V1Service s = service(ns, "web");
    s.getSpec()
        .ports(
            List.of(
                new V1ServicePort().name("HTTP").port(80).targetPort(new IntOrString(8080)),
                new V1ServicePort().port(0)));
    JsonObject status = refusal(() -> core.createNamespacedService(ns, s).execute());
    assertThat(fields(status))
        .containsExactly("spec.ports[0].name", "spec.ports[1].name", "spec.ports[1].port");
  }

  @Test
  void requests_above_limits_are_invalid() {
    String ns = namespace();
    V1Deployment d = deployment(ns, "greedy", Map.of("app", "g"));
    container(d)
        .resources(
            new V1ResourceRequirements()
                .requests(
                    Map.of("cpu", Quantity.fromString("1"), "memory", Quantity.fromString("64Mi")))
                .limits(
                    Map.of(
                        "cpu",
                        Quantity.fromString("500m"),
                        "memory",
                        Quantity.fromString("128Mi"))));
    JsonObject status = refusal(() -> apps.createNamespacedDeployment(ns, d).execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(status.getString("message"))
        .isEqualTo(
            "Deployment \"greedy\" is invalid: spec.template.spec.containers[0].resources.requests[cpu]:"
                + " Invalid value: \"1\": must be less than or equal to cpu limit of 500m");
  }

  @Test
  void a_quantity_that_does_not_parse_is_a_bad_request() {
    String manifest =
        "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"q\"},"
            + "\"spec\":{\"hard\":{\"cpu\":\"lots\"}}}";
    List<KubeValidation.Cause> causes = KubeValidation.validate(manifest);
    assertThat(causes).hasSize(1);
    assertThat(causes.get(0).reason()).isEqualTo("BadRequest");
    assertThat(causes.get(0).message())
        .isEqualTo(
            "ResourceQuota in version \"v1\" cannot be handled as a ResourceQuota: quantities must"
                + " match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  }

  @Test
  void a_limit_range_must_be_consistent() {
    String ns = namespace();
    V1LimitRange lr =
        new V1LimitRange()
            .apiVersion("v1")
            .kind("LimitRange")
            .metadata(new V1ObjectMeta().name("limits").namespace(ns))
            .spec(
                new V1LimitRangeSpec()
                    .limits(
                        List.of(
                            new V1LimitRangeItem()
                                .type("Container")
                                .max(Map.of("cpu", Quantity.fromString("1")))
                                ._default(Map.of("cpu", Quantity.fromString("2")))
                                .defaultRequest(Map.of("cpu", Quantity.fromString("3"))))));
    JsonObject status = refusal(() -> core.createNamespacedLimitRange(ns, lr).execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(causeMessages(status))
        .containsExactly(
            "Invalid value: \"3\": default request value 3 is greater than max value 1",
            "Invalid value: \"3\": default request value 3 is greater than default limit value 2",
            "Invalid value: \"1\": default value 2 is greater than max value 1");
    assertThat(fields(status))
        .containsExactly(
            "spec.limits[0].defaultRequest[cpu]",
            "spec.limits[0].defaultRequest[cpu]",
            "spec.limits[0].default[cpu]");
  }

  @Test
  void valid_objects_of_every_kind_astro_writes_are_accepted() throws Exception {
    String ns = namespace();
    V1Deployment d = deployment(ns, "web", Map.of("app", "web"));
    container(d)
        .ports(List.of(new V1ContainerPort().name("http").containerPort(80)))
        .resources(
            new V1ResourceRequirements()
                .requests(Map.of("cpu", Quantity.fromString("100m")))
                .limits(Map.of("cpu", Quantity.fromString("500m"))));
    apps.createNamespacedDeployment(ns, d).execute();
    V1Service created = core.createNamespacedService(ns, service(ns, "web")).execute();
    assertThat(created.getSpec().getClusterIP()).matches("10\\.96\\.\\d+\\.\\d+");
    networking
        .createNamespacedNetworkPolicy(
            ns,
            new V1NetworkPolicy()
                .apiVersion("networking.k8s.io/v1")
                .kind("NetworkPolicy")
                .metadata(new V1ObjectMeta().name("deny-all").namespace(ns))
                .spec(
                    new V1NetworkPolicySpec()
                        .podSelector(new V1LabelSelector())
                        .policyTypes(List.of("Ingress"))))
        .execute();
    core.createNamespacedResourceQuota(
            ns, quota(ns, "astro-quota", Map.of("pods", "20", "requests.cpu", "4")))
        .execute();
    core.createNamespacedLimitRange(
            ns,
            new V1LimitRange()
                .apiVersion("v1")
                .kind("LimitRange")
                .metadata(new V1ObjectMeta().name("defaults").namespace(ns))
                .spec(
                    new V1LimitRangeSpec()
                        .limits(
                            List.of(
                                new V1LimitRangeItem()
                                    .type("Container")
                                    ._default(Map.of("cpu", Quantity.fromString("500m")))
                                    .defaultRequest(Map.of("cpu", Quantity.fromString("100m")))))))
        .execute();
    core.createNamespacedSecret(
            ns,
            new V1Secret()
                .apiVersion("v1")
                .kind("Secret")
                .metadata(new V1ObjectMeta().name("pull").namespace(ns))
                .stringData(Map.of("config.json", "{}")))
        .execute();
    assertThat(
            refusal(
                    () ->
                        core.createNamespacedSecret(
                                ns,
                                new V1Secret()
                                    .apiVersion("v1")
                                    .kind("Secret")
                                    .metadata(new V1ObjectMeta().name("bad").namespace(ns))
                                    .stringData(Map.of("a/b", "x")))
                            .execute())
                .getJsonObject("details")
                .getJsonArray("causes")
                .getJsonObject(0)
                .getString("field"))
        .isEqualTo("stringData[a/b]");
  }

  // ---- immutable fields ----

  @Test
  void a_deployments_selector_cannot_change() throws Exception {
    String ns = namespace();
    V1Deployment created =
        apps.createNamespacedDeployment(ns, deployment(ns, "fixed", Map.of("app", "a"))).execute();
    V1Deployment changed = deployment(ns, "fixed", Map.of("app", "b"));
    changed.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
    JsonObject status =
        refusal(() -> apps.replaceNamespacedDeployment("fixed", ns, changed).execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(fields(status)).containsExactly("spec.selector");
    assertThat(causeMessages(status).get(0)).endsWith(": field is immutable");
  }

  @Test
  void a_services_cluster_ip_stays_once_set() throws Exception {
    String ns = namespace();
    V1Service created = core.createNamespacedService(ns, service(ns, "db")).execute();
    String ip = created.getSpec().getClusterIP();

    // a replace that omits it keeps it
    V1Service omitted = service(ns, "db");
    omitted.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
    V1Service replaced = core.replaceNamespacedService("db", ns, omitted).execute();
    assertThat(replaced.getSpec().getClusterIP()).isEqualTo(ip);

    V1Service moved = service(ns, "db");
    moved.getSpec().clusterIP("10.96.200.200");
    moved.getMetadata().setResourceVersion(replaced.getMetadata().getResourceVersion());
    JsonObject status = refusal(() -> core.replaceNamespacedService("db", ns, moved).execute());
    assertThat(status.getString("message"))
        .isEqualTo(
            "Service \"db\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.96.200.200\"]: may not change once set");
  }

  // ---- namespaces ----

  @Test
  void content_in_a_missing_namespace_is_not_found() {
    JsonObject status =
        refusal(() -> core.createNamespacedService("nowhere", service("nowhere", "web")).execute());
    assertThat(status.getInteger("code")).isEqualTo(404);
    assertThat(status.getString("reason")).isEqualTo("NotFound");
    assertThat(status.getString("message")).isEqualTo("namespaces \"nowhere\" not found");
    assertThat(status.getJsonObject("details").getString("kind")).isEqualTo("namespaces");
  }

  @Test
  void a_deleted_namespace_is_terminating_first_refuses_new_content_then_is_gone_with_its_content()
      throws Exception {
    String ns = namespace();
    cluster.namespaceDeletionDelay(Duration.ofSeconds(2));
    try {
      core.createNamespacedService(ns, service(ns, "web")).execute();
      JsonObject answer = deleteNamespace(ns);
      assertThat(answer.getString("kind")).isEqualTo("Namespace");
      assertThat(answer.getJsonObject("status").getString("phase")).isEqualTo("Terminating");
      assertThat(answer.getJsonObject("metadata").getString("deletionTimestamp")).isNotNull();
      assertThat(answer.getJsonObject("spec").getJsonArray("finalizers"))
          .containsExactly("kubernetes");

      V1Namespace terminating = core.readNamespace(ns).execute();
      assertThat(terminating.getStatus().getPhase()).isEqualTo("Terminating");
      assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
      JsonObject status =
          refusal(() -> core.createNamespacedService(ns, service(ns, "late")).execute());
      assertThat(status.getInteger("code")).isEqualTo(403);
      assertThat(status.getString("reason")).isEqualTo("Forbidden");
      assertThat(status.getString("message"))
          .isEqualTo(
              "services \"late\" is forbidden: unable to create new content in namespace "
                  + ns
                  + " because it is being terminated");
      assertThat(
              status
                  .getJsonObject("details")
                  .getJsonArray("causes")
                  .getJsonObject(0)
                  .getString("reason"))
          .isEqualTo("NamespaceTerminating");
      JsonObject again = refusal(() -> deleteNamespace(ns));
      assertThat(again.getInteger("code")).isEqualTo(409);
      assertThat(again.getString("reason")).isEqualTo("Conflict");
      assertThat(again.getString("message"))
          .isEqualTo(
              "Operation cannot be fulfilled on namespaces \""
                  + ns
                  + "\": The system is ensuring all content is removed from this namespace.  Upon"
                  + " completion, this namespace will automatically be purged by the system.");

      Eventually.await(
          "namespace " + ns + " gone",
          WAIT,
          () ->
              core.listNamespace().execute().getItems().stream()
                  .map(n -> n.getMetadata().getName())
                  .toList(),
          names -> !names.contains(ns));
      assertThat(core.listNamespacedService(ns).execute().getItems()).isEmpty();
    } finally {
      cluster.namespaceDeletionDelay(NamespaceLifecycle.DEFAULT_DELAY);
    }
  }

  @Test
  void a_new_namespace_is_active() throws Exception {
    String ns = namespace();
    assertThat(core.readNamespace(ns).execute().getStatus().getPhase()).isEqualTo("Active");
  }

  // ---- quota ----

  @Test
  void a_quota_is_computed_from_the_pods_and_refuses_the_pod_that_would_exceed_it()
      throws Exception {
    String ns = namespace();
    core.createNamespacedResourceQuota(
            ns, quota(ns, "compute", Map.of("pods", "5", "requests.cpu", "1")))
        .execute();
    V1Deployment d = deployment(ns, "busy", Map.of("app", "busy"));
    d.getSpec().setReplicas(2);
    container(d)
        .resources(
            new V1ResourceRequirements()
                .requests(Map.of("cpu", Quantity.fromString("600m")))
                .limits(Map.of("cpu", Quantity.fromString("600m"))));
    apps.createNamespacedDeployment(ns, d).execute();

    V1ReplicaSet rs =
        Eventually.await(
                "a ReplicaFailure on busy's replica set",
                WAIT,
                () -> apps.listNamespacedReplicaSet(ns).execute().getItems(),
                list ->
                    list.size() == 1
                        && list.get(0).getStatus() != null
                        && list.get(0).getStatus().getConditions() != null)
            .get(0);
    assertThat(rs.getStatus().getConditions().get(0).getMessage())
        .matches(
            "pods \"busy-[a-z0-9]+-[a-z0-9]{5}\" is forbidden: exceeded quota: compute, requested:"
                + " requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1");
    assertThat(core.listNamespacedPod(ns).execute().getItems()).hasSize(1);

    V1ResourceQuota q =
        Eventually.await(
            "the quota's status",
            WAIT,
            () -> core.readNamespacedResourceQuota("compute", ns).execute(),
            quota ->
                quota.getStatus() != null
                    && quota.getStatus().getUsed() != null
                    && "1".equals(quota.getStatus().getUsed().get("pods").toSuffixedString()));
    assertThat(q.getStatus().getUsed().get("requests.cpu").toSuffixedString()).isEqualTo("600m");
    assertThat(q.getStatus().getHard().get("requests.cpu").toSuffixedString()).isEqualTo("1");

    // the same answer to any client creating a pod directly
    V1Pod pod =
        new V1Pod()
            .apiVersion("v1")
            .kind("Pod")
            .metadata(new V1ObjectMeta().name("extra").namespace(ns))
            .spec(
                new V1PodSpec()
                    .containers(
                        List.of(
                            new V1Container()
                                .name("app")
                                .image("nginx:1.27")
                                .resources(
                                    new V1ResourceRequirements()
                                        .requests(Map.of("cpu", Quantity.fromString("500m")))))));
    JsonObject status = refusal(() -> core.createNamespacedPod(ns, pod).execute());
    assertThat(status.getInteger("code")).isEqualTo(403);
    assertThat(status.getString("reason")).isEqualTo("Forbidden");
    assertThat(status.getString("message"))
        .isEqualTo(
            "pods \"extra\" is forbidden: exceeded quota: compute, requested: requests.cpu=500m,"
                + " used: requests.cpu=600m, limited: requests.cpu=1");
  }

  @Test
  void a_quota_on_requests_needs_every_container_to_set_them_unless_a_limit_range_defaults_them()
      throws Exception {
    String ns = namespace();
    core.createNamespacedResourceQuota(ns, quota(ns, "compute", Map.of("requests.memory", "1Gi")))
        .execute();
    V1Pod bare =
        new V1Pod()
            .apiVersion("v1")
            .kind("Pod")
            .metadata(new V1ObjectMeta().name("bare").namespace(ns))
            .spec(
                new V1PodSpec()
                    .containers(List.of(new V1Container().name("app").image("nginx:1.27"))));
    JsonObject status = refusal(() -> core.createNamespacedPod(ns, bare).execute());
    assertThat(status.getString("message"))
        .isEqualTo(
            "pods \"bare\" is forbidden: failed quota: compute: must specify requests.memory");

    core.createNamespacedLimitRange(
            ns,
            new V1LimitRange()
                .apiVersion("v1")
                .kind("LimitRange")
                .metadata(new V1ObjectMeta().name("defaults").namespace(ns))
                .spec(
                    new V1LimitRangeSpec()
                        .limits(
                            List.of(
                                new V1LimitRangeItem()
                                    .type("Container")
                                    .defaultRequest(
                                        Map.of("memory", Quantity.fromString("128Mi")))))))
        .execute();
    V1Pod created = core.createNamespacedPod(ns, bare).execute();
    assertThat(
            created
                .getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getRequests()
                .get("memory")
                .toSuffixedString())
        .isEqualTo("128Mi");
  }

  // ---- the plain Java API ----

  @Test
  void the_validation_is_usable_without_a_cluster() {
    assertThat(KubeValidation.validate(service("any", "2048")))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("metadata.name");
              assertThat(c.reason()).isEqualTo("FieldValueInvalid");
            });
    assertThat(KubeValidation.validate(service("any", "web-2048"))).isEmpty();
    assertThat(
            KubeValidation.validate(
                new JsonObject()
                    .put("apiVersion", "v1")
                    .put("kind", "Namespace")
                    .put("metadata", new JsonObject().put("name", "astro-user-7"))))
        .isEmpty();
  }

  // ---- helpers ----

  private interface Call {
    void run() throws ApiException;
  }

  /** The Status body of the refusal {@code call} must get. */
  /**
   * A namespace DELETE answers the Namespace, which the official client's typed deleteNamespace
   * (V1Status) cannot parse, as with a real server; so the answer is read as a map.
   */
  private static JsonObject deleteNamespace(String ns) throws ApiException {
    Map<String, Object> answer =
        cluster
            .apiClient()
            .<Map<String, Object>>execute(
                core.deleteNamespace(ns).buildCall(null),
                new TypeToken<Map<String, Object>>() {}.getType())
            .getData();
    return new JsonObject(answer);
  }

  private static JsonObject refusal(Call call) {
    try {
      call.run();
    } catch (ApiException e) {
      JsonObject status = new JsonObject(e.getResponseBody());
      assertThat(status.getString("kind")).isEqualTo("Status");
      assertThat(status.getString("status")).isEqualTo("Failure");
      assertThat(status.getInteger("code")).isEqualTo(e.getCode());
      return status;
    }
    throw new AssertionError("expected the fake API server to refuse the request");
  }

  private static List<String> fields(JsonObject status) {
    return causes(status).stream().map(c -> c.getString("field")).toList();
  }

  private static List<String> fields(List<KubeValidation.Cause> causes) {
    return causes.stream().map(KubeValidation.Cause::field).toList();
  }

  private static List<String> causeMessages(JsonObject status) {
    return causes(status).stream().map(c -> c.getString("message")).toList();
  }

  private static List<JsonObject> causes(JsonObject status) {
    JsonArray causes = status.getJsonObject("details").getJsonArray("causes", new JsonArray());
    return causes.stream().map(JsonObject.class::cast).toList();
  }

  private static String namespace() {
    String ns = "validation-" + SEQ.incrementAndGet();
    try {
      core.createNamespace(
              new V1Namespace()
                  .apiVersion("v1")
                  .kind("Namespace")
                  .metadata(new V1ObjectMeta().name(ns)))
          .execute();
    } catch (ApiException e) {
      throw new IllegalStateException(e.getResponseBody(), e);
    }
    return ns;
  }

  private static V1Service service(String ns, String name) {
    return new V1Service()
        .apiVersion("v1")
        .kind("Service")
        .metadata(new V1ObjectMeta().name(name).namespace(ns))
        .spec(
            new V1ServiceSpec()
                .selector(Map.of("app", "web"))
                .ports(
                    List.of(
                        new V1ServicePort()
                            .name("http")
                            .port(80)
                            .targetPort(new IntOrString(8080)))));
  }

  private static V1Deployment deployment(String ns, String name, Map<String, String> labels) {
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
                        .spec(
                            new V1PodSpec()
                                .containers(
                                    List.of(new V1Container().name("app").image("nginx:1.27"))))));
  }

  private static V1Container container(V1Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static V1ResourceQuota quota(String ns, String name, Map<String, String> hard) {
    Map<String, Quantity> q = new java.util.TreeMap<>();
    hard.forEach((k, v) -> q.put(k, Quantity.fromString(v)));
    return new V1ResourceQuota()
        .apiVersion("v1")
        .kind("ResourceQuota")
        .metadata(new V1ObjectMeta().name(name).namespace(ns))
        .spec(new V1ResourceQuotaSpec().hard(q));
  }
}
