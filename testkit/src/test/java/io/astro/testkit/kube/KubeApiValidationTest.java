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
import io.kubernetes.client.openapi.models.V1ConfigMapKeySelector;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1HTTPIngressRuleValue;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressSpec;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1LimitRangeSpec;
import io.kubernetes.client.openapi.models.V1LocalObjectReference;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicySpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ReplicaSet;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1RollingUpdateDeployment;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1TCPSocketAction;
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
            "Deployment.apps \"greedy\" is invalid: spec.template.spec.containers[0].resources.requests[cpu]:"
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
        .isEqualTo("data[a/b]");
  }

  // ---- Secrets ----

  @Test
  void a_docker_config_json_secret_needs_its_key_holding_a_json_object() throws Exception {
    String ns = namespace();
    JsonObject missing =
        refusal(
            () ->
                core.createNamespacedSecret(
                        ns, secret(ns, "pull", DOCKER_CONFIG_JSON, Map.of("config.json", "{}")))
                    .execute());
    assertThat(missing.getInteger("code")).isEqualTo(422);
    assertThat(missing.getString("reason")).isEqualTo("Invalid");
    assertThat(missing.getString("message"))
        .isEqualTo("Secret \"pull\" is invalid: data[.dockerconfigjson]: Required value");
    assertThat(causes(missing).get(0).getString("reason")).isEqualTo("FieldValueRequired");

    JsonObject truncated =
        refusal(
            () ->
                core.createNamespacedSecret(
                        ns,
                        secret(
                            ns,
                            "pull",
                            DOCKER_CONFIG_JSON,
                            Map.of(".dockerconfigjson", "{\"auths\":")))
                    .execute());
    assertThat(fields(truncated)).containsExactly("data[.dockerconfigjson]");
    assertThat(causeMessages(truncated))
        .containsExactly(
            "Invalid value: \"<secret contents redacted>\": unexpected end of JSON input");

    assertThat(
            KubeValidation.validate(
                    secret(ns, "pull", DOCKER_CONFIG_JSON, Map.of(".dockerconfigjson", "[]")))
                .get(0)
                .message())
        .endsWith(": json: cannot unmarshal array into Go value of type map[string]interface {}");
    assertThat(
            KubeValidation.validate(
                    secret(ns, "pull", DOCKER_CONFIG_JSON, Map.of(".dockerconfigjson", "{auths}")))
                .get(0)
                .message())
        .endsWith(": invalid character 'a' looking for beginning of object key string");

    V1Secret created =
        core.createNamespacedSecret(
                ns,
                secret(
                    ns,
                    "pull",
                    DOCKER_CONFIG_JSON,
                    Map.of(".dockerconfigjson", "{\"auths\":{\"ghcr.io\":{\"auth\":\"eDp5\"}}}")))
            .execute();
    assertThat(created.getType()).isEqualTo(DOCKER_CONFIG_JSON);
  }

  @Test
  void a_secrets_type_cannot_change_and_an_immutable_secret_keeps_its_data() throws Exception {
    String ns = namespace();
    V1Secret opaque = secret(ns, "env", "Opaque", Map.of("TOKEN", "a"));
    V1Secret created = core.createNamespacedSecret(ns, opaque.immutable(true)).execute();

    V1Secret retyped =
        secret(ns, "env", DOCKER_CONFIG_JSON, Map.of(".dockerconfigjson", "{}")).immutable(true);
    retyped.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
    JsonObject status = refusal(() -> core.replaceNamespacedSecret("env", ns, retyped).execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(fields(status)).containsExactly("type", "data");
    assertThat(causeMessages(status))
        .containsExactly(
            "Invalid value: \"kubernetes.io/dockerconfigjson\": field is immutable",
            "Forbidden: field is immutable when `immutable` is set");
    assertThat(causes(status).get(1).getString("reason")).isEqualTo("FieldValueForbidden");

    V1Secret changed = secret(ns, "env", "Opaque", Map.of("TOKEN", "b"));
    changed.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
    assertThat(fields(refusal(() -> core.replaceNamespacedSecret("env", ns, changed).execute())))
        .containsExactly("immutable", "data");

    // a Secret without a type is Opaque: leaving it out on update is no change
    V1Secret mutable =
        core.createNamespacedSecret(ns, secret(ns, "plain", null, Map.of("A", "1"))).execute();
    V1Secret rewritten = secret(ns, "plain", "Opaque", Map.of("A", "2"));
    rewritten.getMetadata().setResourceVersion(mutable.getMetadata().getResourceVersion());
    core.replaceNamespacedSecret("plain", ns, rewritten).execute();
  }

  @Test
  void a_secret_holds_at_most_one_mebibyte() {
    Map<String, String> big = Map.of("a", "x".repeat(600 * 1024), "b", "y".repeat(600 * 1024));
    assertThat(KubeValidation.validate(secret("any", "big", "Opaque", big)))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("data");
              assertThat(c.reason()).isEqualTo("FieldValueTooLong");
              assertThat(c.message()).isEqualTo("Too long: must have at most 1048576 bytes");
            });
    assertThat(
            KubeValidation.validate(
                secret("any", "fits", "Opaque", Map.of("a", "x".repeat(1024 * 1024)))))
        .isEmpty();
  }

  // ---- container env ----

  @Test
  void env_names_follow_the_strict_rule_of_v1_31() {
    assertThat(causeTexts(withEnv(new V1EnvVar().name("1ST").value("x"))))
        .containsExactly(
            "spec.template.spec.containers[0].env[0].name: Invalid value: \"1ST\": a valid"
                + " environment variable name must consist of alphabetic characters, digits, '_',"
                + " '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or"
                + " 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is"
                + " '[-._a-zA-Z][-._a-zA-Z0-9]*')");
    assertThat(fields(KubeValidation.validate(withEnv(new V1EnvVar().name("A=B").value("x")))))
        .containsExactly("spec.template.spec.containers[0].env[0].name");
    assertThat(causeTexts(withEnv(new V1EnvVar().name("..A").value("x"))))
        .contains(
            "spec.template.spec.containers[0].env[0].name: Invalid value: \"..A\": must not"
                + " start with '..'");
    assertThat(causeTexts(withEnv(new V1EnvVar().value("x"))))
        .containsExactly("spec.template.spec.containers[0].env[0].name: Required value");
    assertThat(
            KubeValidation.validate(
                withEnv(
                    new V1EnvVar().name("my.env-name").value("x"),
                    new V1EnvVar().name("_PRIVATE").value(""))))
        .isEmpty();
  }

  @Test
  void a_variable_from_a_secret_names_one_source_with_a_name_and_a_valid_key() throws Exception {
    String at = "spec.template.spec.containers[0].env[0].valueFrom";
    assertThat(
            causeTexts(
                withEnv(new V1EnvVar().name("A").value("x").valueFrom(fromSecret("s", "A")))))
        .containsExactly(
            at + ": Invalid value: \"\": may not be specified when `value` is not empty");
    assertThat(causeTexts(withEnv(new V1EnvVar().name("A").valueFrom(new V1EnvVarSource()))))
        .containsExactly(
            at
                + ": Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`,"
                + " `configMapKeyRef` or `secretKeyRef`");
    assertThat(
            causeTexts(
                withEnv(
                    new V1EnvVar()
                        .name("A")
                        .valueFrom(
                            fromSecret("s", "A")
                                .configMapKeyRef(
                                    new V1ConfigMapKeySelector().name("c").key("A"))))))
        .containsExactly(
            at + ": Invalid value: \"\": may not have more than one field specified at a time");
    assertThat(causeTexts(withEnv(new V1EnvVar().name("A").valueFrom(fromSecret("s", null)))))
        .containsExactly(at + ".secretKeyRef.key: Required value");
    assertThat(causeTexts(withEnv(new V1EnvVar().name("A").valueFrom(fromSecret("s", "a/b")))))
        .singleElement()
        .asString()
        .startsWith(
            at + ".secretKeyRef.key: Invalid value: \"a/b\": a valid config key must consist of");
    assertThat(causeTexts(withEnv(new V1EnvVar().name("A").valueFrom(fromSecret(null, "A")))))
        .singleElement()
        .asString()
        .startsWith(
            at
                + ".secretKeyRef.name: Invalid value: \"\": a lowercase RFC 1123 subdomain must"
                + " consist of");

    String ns = namespace();
    V1Deployment valid =
        withEnv(
            new V1EnvVar().name("PLAIN").value("1"),
            new V1EnvVar().name("TOKEN").valueFrom(fromSecret("web-env", "TOKEN")));
    valid.getMetadata().namespace(ns);
    apps.createNamespacedDeployment(ns, valid).execute();
    V1Deployment bad = withEnv(new V1EnvVar().name("9").valueFrom(new V1EnvVarSource()));
    bad.getMetadata().namespace(ns).name("bad");
    JsonObject status = refusal(() -> apps.createNamespacedDeployment(ns, bad).execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(status.getJsonObject("details").getString("group")).isEqualTo("apps");
    assertThat(fields(status))
        .containsExactly(
            "spec.template.spec.containers[0].env[0].name",
            "spec.template.spec.containers[0].env[0].valueFrom");
  }

  // ---- probes ----

  @Test
  void a_probe_has_exactly_one_handler_on_a_valid_port() {
    String at = "spec.template.spec.containers[0].livenessProbe";
    assertThat(
            causeTexts(
                withProbes(
                    new V1Probe()
                        .httpGet(new V1HTTPGetAction().path("/").port(new IntOrString(80)))
                        .tcpSocket(new V1TCPSocketAction().port(new IntOrString(80))),
                    null,
                    null)))
        .containsExactly(at + ".tcpSocket: Forbidden: may not specify more than 1 handler type");
    assertThat(causes(withProbes(new V1Probe().periodSeconds(5), null, null)))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo(at);
              assertThat(c.reason()).isEqualTo("FieldValueRequired");
              assertThat(c.message()).isEqualTo("Required value: must specify a handler type");
            });
    assertThat(causeTexts(withProbes(tcp(new IntOrString(0)), null, null)))
        .containsExactly(
            at + ".tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive");
    assertThat(causeTexts(withProbes(tcp(new IntOrString(65536)), null, null)))
        .containsExactly(
            at + ".tcpSocket.port: Invalid value: 65536: must be between 1 and 65535, inclusive");
    assertThat(causeTexts(withProbes(tcp(new IntOrString("8080")), null, null)))
        .containsExactly(
            at
                + ".tcpSocket.port: Invalid value: \"8080\": must contain at least one letter (a-z)");
    assertThat(
            causeTexts(
                withProbes(
                    new V1Probe()
                        .httpGet(
                            new V1HTTPGetAction()
                                .path("/healthz")
                                .port(new IntOrString("http"))
                                .scheme("FTP")),
                    null,
                    null)))
        .containsExactly(
            at
                + ".httpGet.scheme: Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\"");
    assertThat(
            KubeValidation.validate(
                withProbes(
                    tcp(new IntOrString("http")),
                    new V1Probe().httpGet(new V1HTTPGetAction().port(new IntOrString(8080))),
                    tcp(new IntOrString(65535)))))
        .isEmpty();
  }

  @Test
  void probe_numbers_are_not_negative_and_liveness_and_startup_succeed_once() throws Exception {
    String c = "spec.template.spec.containers[0].";
    assertThat(causeTexts(withProbes(tcp(new IntOrString(80)).periodSeconds(-1), null, null)))
        .containsExactly(
            c
                + "livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0");
    assertThat(causeTexts(withProbes(tcp(new IntOrString(80)).successThreshold(2), null, null)))
        .containsExactly(c + "livenessProbe.successThreshold: Invalid value: 2: must be 1");
    assertThat(causeTexts(withProbes(null, null, tcp(new IntOrString(80)).successThreshold(3))))
        .containsExactly(c + "startupProbe.successThreshold: Invalid value: 3: must be 1");
    assertThat(
            causeTexts(
                withProbes(
                    null, tcp(new IntOrString(80)).failureThreshold(-3).timeoutSeconds(-1), null)))
        .containsExactly(
            c
                + "readinessProbe.timeoutSeconds: Invalid value: -1: must be greater than or equal to 0",
            c
                + "readinessProbe.failureThreshold: Invalid value: -3: must be greater than or"
                + " equal to 0");

    // zero is what the server defaults (period 10 s, timeout 1 s, thresholds 1 and 3)
    String ns = namespace();
    V1Deployment valid =
        withProbes(
            tcp(new IntOrString(80)).periodSeconds(0).successThreshold(0).failureThreshold(0),
            tcp(new IntOrString(80)).successThreshold(2).timeoutSeconds(0),
            tcp(new IntOrString(80)).successThreshold(1).failureThreshold(60));
    valid.getMetadata().namespace(ns);
    apps.createNamespacedDeployment(ns, valid).execute();
    V1Deployment bad = withProbes(tcp(new IntOrString(80)).successThreshold(2), null, null);
    bad.getMetadata().namespace(ns).name("bad");
    JsonObject status = refusal(() -> apps.createNamespacedDeployment(ns, bad).execute());
    assertThat(status.getString("message"))
        .isEqualTo(
            "Deployment.apps \"bad\" is invalid: "
                + c
                + "livenessProbe.successThreshold: Invalid value: 2: must be 1");
  }

  @Test
  void image_pull_secrets_are_accepted_even_without_a_name_as_on_a_real_server() {
    V1Deployment d = deployment("any", "web", Map.of("app", "web"));
    d.getSpec()
        .getTemplate()
        .getSpec()
        .imagePullSecrets(
            List.of(new V1LocalObjectReference().name("web-pull"), new V1LocalObjectReference()));
    assertThat(KubeValidation.validate(d)).isEmpty();
  }

  // ---- Deployment strategy ----

  @Test
  void a_rolling_update_may_not_have_both_max_surge_and_max_unavailable_zero() throws Exception {
    String ns = namespace();
    V1Deployment zero = withStrategy(rolling(new IntOrString(0), new IntOrString(0)));
    zero.getMetadata().namespace(ns);
    JsonObject status = refusal(() -> apps.createNamespacedDeployment(ns, zero).execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(status.getString("message"))
        .isEqualTo(
            "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable:"
                + " Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0"
                + " when `maxSurge` is 0");
    assertThat(causeTexts(withStrategy(rolling(new IntOrString("0%"), new IntOrString("0%")))))
        .containsExactly(
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value:"
                + " intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}: may not be 0 when"
                + " `maxSurge` is 0");
    // an unset side is 25 %
    assertThat(
            KubeValidation.validate(
                withStrategy(
                    new V1DeploymentStrategy()
                        .type("RollingUpdate")
                        .rollingUpdate(
                            new V1RollingUpdateDeployment().maxUnavailable(new IntOrString(0))))))
        .isEmpty();

    V1Deployment astro = withStrategy(rolling(new IntOrString(1), new IntOrString(0)));
    astro.getSpec().progressDeadlineSeconds(120);
    astro.getMetadata().namespace(ns);
    apps.createNamespacedDeployment(ns, astro).execute();
  }

  @Test
  void rolling_update_sizes_are_non_negative_ints_or_percentages_up_to_100() {
    String at = "spec.strategy.rollingUpdate.";
    assertThat(causeTexts(withStrategy(rolling(new IntOrString("25"), new IntOrString(1)))))
        .containsExactly(
            at
                + "maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"25\"}: a"
                + " valid percent string must be a numeric string followed by an ending '%' (e.g."
                + " '1%',  or '93%', regex used for validation is '[0-9]+%')");
    assertThat(causeTexts(withStrategy(rolling(new IntOrString(-1), new IntOrString(1)))))
        .containsExactly(at + "maxSurge: Invalid value: -1: must be greater than or equal to 0");
    assertThat(causeTexts(withStrategy(rolling(new IntOrString(1), new IntOrString("110%")))))
        .containsExactly(
            at
                + "maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0,"
                + " StrVal:\"110%\"}: must not be greater than 100%");
    assertThat(
            KubeValidation.validate(
                withStrategy(rolling(new IntOrString("200%"), new IntOrString("100%")))))
        .isEmpty();
  }

  @Test
  void recreate_takes_no_rolling_update_and_other_types_are_unsupported() {
    assertThat(
            causes(withStrategy(rolling(new IntOrString(1), new IntOrString(0)).type("Recreate"))))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("spec.strategy.rollingUpdate");
              assertThat(c.reason()).isEqualTo("FieldValueForbidden");
              assertThat(c.message())
                  .isEqualTo("Forbidden: may not be specified when strategy `type` is 'Recreate'");
            });
    assertThat(KubeValidation.validate(withStrategy(new V1DeploymentStrategy().type("Recreate"))))
        .isEmpty();
    assertThat(causes(withStrategy(new V1DeploymentStrategy().type("BlueGreen"))))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("spec.strategy");
              assertThat(c.reason()).isEqualTo("FieldValueNotSupported");
              assertThat(c.message())
                  .endsWith(": supported values: \"Recreate\", \"RollingUpdate\"");
            });
  }

  @Test
  void the_progress_deadline_exceeds_min_ready_seconds_which_defaults_to_zero() {
    V1Deployment none = deployment("any", "web", Map.of("app", "web"));
    none.getSpec().progressDeadlineSeconds(0);
    assertThat(causeTexts(none))
        .containsExactly(
            "spec.progressDeadlineSeconds: Invalid value: 0: must be greater than"
                + " minReadySeconds");
    V1Deployment slow = deployment("any", "web", Map.of("app", "web"));
    slow.getSpec().progressDeadlineSeconds(30).minReadySeconds(30);
    assertThat(fields(KubeValidation.validate(slow)))
        .containsExactly("spec.progressDeadlineSeconds");
    slow.getSpec().minReadySeconds(29);
    assertThat(KubeValidation.validate(slow)).isEmpty();
  }

  @Test
  void container_port_names_are_unique_within_a_container() {
    V1Deployment d = deployment("any", "web", Map.of("app", "web"));
    container(d)
        .ports(
            List.of(
                new V1ContainerPort().name("http").containerPort(80),
                new V1ContainerPort().name("http").containerPort(8080)));
    assertThat(causes(d))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("spec.template.spec.containers[0].ports[1].name");
              assertThat(c.reason()).isEqualTo("FieldValueDuplicate");
              assertThat(c.message()).isEqualTo("Duplicate value: \"http\"");
            });
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
  void the_immortal_namespaces_may_not_be_deleted_and_a_missing_one_is_not_found() {
    for (String ns : List.of("default", "kube-system", "kube-public")) {
      JsonObject status = refusal(() -> deleteNamespace(ns));
      assertThat(status.getInteger("code")).isEqualTo(403);
      assertThat(status.getString("reason")).isEqualTo("Forbidden");
      assertThat(status.getString("message"))
          .isEqualTo("namespaces \"" + ns + "\" is forbidden: this namespace may not be deleted");
    }
    JsonObject missing = refusal(() -> deleteNamespace("astro-user-404404"));
    assertThat(missing.getInteger("code")).isEqualTo(404);
    assertThat(missing.getString("message"))
        .isEqualTo("namespaces \"astro-user-404404\" not found");
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
  void a_quota_counts_the_namespaces_secrets_as_they_are_created_and_refuses_one_past_its_limit()
      throws Exception {
    String ns = namespace();
    core.createNamespacedResourceQuota(ns, quota(ns, "objects", Map.of("secrets", "2"))).execute();
    core.createNamespacedResourceQuota(ns, quota(ns, "counts", Map.of("count/secrets", "10")))
        .execute();
    assertThat(used(ns, "objects", "secrets")).isEqualTo("0");
    core.createNamespacedSecret(ns, secret(ns, "a", "Opaque", Map.of("K", "1"))).execute();
    core.createNamespacedSecret(ns, secret(ns, "b", "Opaque", Map.of("K", "2"))).execute();
    assertThat(used(ns, "objects", "secrets")).isEqualTo("2");
    assertThat(used(ns, "counts", "count/secrets")).isEqualTo("2");

    JsonObject status =
        refusal(
            () ->
                core.createNamespacedSecret(ns, secret(ns, "c", "Opaque", Map.of("K", "3")))
                    .execute());
    assertThat(status.getInteger("code")).isEqualTo(403);
    assertThat(status.getString("reason")).isEqualTo("Forbidden");
    assertThat(status.getString("message"))
        .isEqualTo(
            "secrets \"c\" is forbidden: exceeded quota: objects, requested: secrets=1, used:"
                + " secrets=2, limited: secrets=2");

    // a delete gives the room back
    core.deleteNamespacedSecret("a", ns).execute();
    assertThat(used(ns, "objects", "secrets")).isEqualTo("1");
    core.createNamespacedSecret(ns, secret(ns, "c", "Opaque", Map.of("K", "3"))).execute();
    assertThat(used(ns, "counts", "count/secrets")).isEqualTo("2");
  }

  /** What the quota's status counts of {@code resource}, read right after a write was answered. */
  private static String used(String ns, String quota, String resource) throws ApiException {
    return core.readNamespacedResourceQuota(quota, ns)
        .execute()
        .getStatus()
        .getUsed()
        .get(resource)
        .toSuffixedString();
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
  // ---- Ingress (pkg/apis/networking/validation: ValidateIngressSpec) ----

  @Test
  void an_ingress_as_astro_writes_it_is_stored_and_a_bad_host_is_refused() throws Exception {
    String ns = namespace();
    V1Ingress created =
        networking
            .createNamespacedIngress(ns, ingress(ns, "web-u1", "web-u1.apps.example.com"))
            .execute();
    assertThat(networking.readNamespacedIngress("web-u1", ns).execute().getSpec())
        .isEqualTo(created.getSpec());
    // served, as a controller reports it
    assertThat(created.getStatus().getLoadBalancer().getIngress().get(0).getIp())
        .isEqualTo(KubeApiProxy.INGRESS_ADDRESS);

    JsonObject status =
        refusal(
            () -> networking.createNamespacedIngress(ns, ingress(ns, "ip", "10.0.0.1")).execute());
    assertThat(status.getInteger("code")).isEqualTo(422);
    assertThat(status.getJsonObject("details").getString("group")).isEqualTo("networking.k8s.io");
    assertThat(status.getJsonObject("details").getString("kind")).isEqualTo("Ingress");
    assertThat(causeMessages(status))
        .containsExactly("Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address");
    assertThat(fields(status)).containsExactly("spec.rules[0].host");
  }

  @Test
  void an_ingress_host_is_a_dns_subdomain_or_a_wildcard_one() {
    assertThat(causes(ingress("v", "v", "web.apps.example.com"))).isEmpty();
    assertThat(causes(ingress("v", "v", "*.apps.example.com"))).isEmpty();
    assertThat(fields(causes(ingress("v", "v", "Web.example.com"))))
        .containsExactly("spec.rules[0].host");
    assertThat(causeTexts(ingress("v", "v", "web.*.example.com")))
        .singleElement()
        .asString()
        .contains("a wildcard DNS-1123 subdomain must start with '*.'");
    assertThat(fields(causes(ingress("v", "V_1", "web.example.com"))))
        .containsExactly("metadata.name");
  }

  @Test
  void an_ingress_path_is_absolute_with_a_supported_type_to_a_service_and_port() {
    V1Ingress relative = ingress("v", "v", "web.example.com");
    path(relative).path("web");
    assertThat(causeTexts(relative))
        .containsExactly(
            "spec.rules[0].http.paths[0].path: Invalid value: \"web\": must be an absolute path");

    V1Ingress untyped = ingress("v", "v", "web.example.com");
    path(untyped).pathType(null);
    assertThat(causeTexts(untyped))
        .containsExactly(
            "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified");

    V1Ingress regex = ingress("v", "v", "web.example.com");
    path(regex).pathType("Regex");
    assertThat(causeTexts(regex))
        .containsExactly(
            "spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\": supported"
                + " values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"");

    V1Ingress badBackend = ingress("v", "v", "web.example.com");
    path(badBackend).getBackend().getService().name("2048").port(new V1ServiceBackendPort());
    assertThat(fields(causes(badBackend)))
        .containsExactly(
            "spec.rules[0].http.paths[0].backend.service.name",
            "spec.rules[0].http.paths[0].backend");

    V1Ingress bigPort = ingress("v", "v", "web.example.com");
    path(bigPort).getBackend().getService().getPort().number(70000);
    assertThat(fields(causes(bigPort)))
        .containsExactly("spec.rules[0].http.paths[0].backend.service.port.number");
  }

  @Test
  void an_ingress_class_and_tls_secret_are_dns_subdomains_and_tls_hosts_are_hosts() {
    V1Ingress bad = ingress("v", "v", "web.example.com");
    bad.getSpec()
        .ingressClassName("Nginx")
        .tls(List.of(new V1IngressTLS().hosts(List.of("Web.example.com")).secretName("Web-tls")));
    assertThat(fields(causes(bad)))
        .containsExactly("spec.tls[0].hosts[0]", "spec.tls[0].secretName", "spec.ingressClassName");

    V1Ingress empty = ingress("v", "v", "web.example.com");
    empty.getSpec().rules(null);
    assertThat(causeTexts(empty))
        .singleElement()
        .asString()
        .contains("either `defaultBackend` or `rules` must be specified");
  }

  private static V1Ingress ingress(String ns, String name, String host) {
    return new V1Ingress()
        .apiVersion("networking.k8s.io/v1")
        .kind("Ingress")
        .metadata(new V1ObjectMeta().name(name).namespace(ns))
        .spec(
            new V1IngressSpec()
                .rules(
                    List.of(
                        new V1IngressRule()
                            .host(host)
                            .http(
                                new V1HTTPIngressRuleValue()
                                    .paths(
                                        List.of(
                                            new V1HTTPIngressPath()
                                                .path("/")
                                                .pathType("Prefix")
                                                .backend(
                                                    new V1IngressBackend()
                                                        .service(
                                                            new V1IngressServiceBackend()
                                                                .name("web")
                                                                .port(
                                                                    new V1ServiceBackendPort()
                                                                        .number(8080))))))))));
  }

  private static V1HTTPIngressPath path(V1Ingress ingress) {
    return ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0);
  }

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

  private static final String DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson";

  private static V1Secret secret(String ns, String name, String type, Map<String, String> values) {
    Map<String, byte[]> data = new java.util.TreeMap<>();
    values.forEach((k, v) -> data.put(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return new V1Secret()
        .apiVersion("v1")
        .kind("Secret")
        .metadata(new V1ObjectMeta().name(name).namespace(ns))
        .type(type)
        .data(data);
  }

  private static List<KubeValidation.Cause> causes(Object object) {
    return KubeValidation.validate(object);
  }

  /** Each cause as the API server's message lists it: field, then body. */
  private static List<String> causeTexts(Object object) {
    return KubeValidation.validate(object).stream().map(KubeValidation.Cause::toString).toList();
  }

  private static V1Deployment withEnv(V1EnvVar... env) {
    V1Deployment d = deployment("any", "web", Map.of("app", "web"));
    container(d).env(List.of(env));
    return d;
  }

  private static V1EnvVarSource fromSecret(String name, String key) {
    return new V1EnvVarSource().secretKeyRef(new V1SecretKeySelector().name(name).key(key));
  }

  private static V1Deployment withProbes(V1Probe liveness, V1Probe readiness, V1Probe startup) {
    V1Deployment d = deployment("any", "web", Map.of("app", "web"));
    container(d)
        .ports(List.of(new V1ContainerPort().name("http").containerPort(8080)))
        .livenessProbe(liveness)
        .readinessProbe(readiness)
        .startupProbe(startup);
    return d;
  }

  private static V1Probe tcp(IntOrString port) {
    return new V1Probe().tcpSocket(new V1TCPSocketAction().port(port));
  }

  private static V1Deployment withStrategy(V1DeploymentStrategy strategy) {
    V1Deployment d = deployment("any", "web", Map.of("app", "web"));
    d.getSpec().strategy(strategy);
    return d;
  }

  private static V1DeploymentStrategy rolling(IntOrString maxSurge, IntOrString maxUnavailable) {
    return new V1DeploymentStrategy()
        .type("RollingUpdate")
        .rollingUpdate(
            new V1RollingUpdateDeployment().maxSurge(maxSurge).maxUnavailable(maxUnavailable));
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
