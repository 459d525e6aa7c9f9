package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.testkit.Eventually;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1HTTPIngressRuleValue;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressSpec;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * cert-manager in the sandbox: without it the API group does not exist; with its CRD installed
 * Certificates are served, namespaced and validated by the CRD's schema; as ingress-shim it makes a
 * Certificate per TLS entry of an annotated Ingress, which is issued, held pending or failed.
 */
class CertManagerTest {

  // generous: in the full suite on two cores a sync can wait seconds behind other work
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final String GROUP = "cert-manager.io";

  private FakeCluster cluster;
  private CustomObjectsApi custom;
  private String ns;

  @BeforeEach
  void start() throws ApiException {
    cluster = FakeCluster.start();
    custom = new CustomObjectsApi(cluster.apiClient());
    ns = "astro-user-" + (700 + SEQ.incrementAndGet());
    new CoreV1Api(cluster.apiClient())
        .createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(ns)))
        .execute();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void without_cert_manager_the_group_is_not_served() {
    assertThatThrownBy(
            () -> custom.listNamespacedCustomObject(GROUP, "v1", ns, "certificates").execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThat(apiGroups()).doesNotContain(GROUP);
  }

  @Test
  void an_installed_crd_is_discovered_and_its_schema_refuses_what_the_api_server_refuses()
      throws ApiException {
    cluster.certManager().install();

    assertThat(apiGroups()).contains(GROUP);
    Object created =
        custom
            .createNamespacedCustomObject(GROUP, "v1", ns, "certificates", certificate("web-tls"))
            .execute();
    assertThat(new JsonObject(asMap(created)).getJsonObject("spec").getString("secretName"))
        .isEqualTo("web-tls");

    Map<String, Object> noSecret = certificate("no-secret");
    spec(noSecret).remove("secretName");
    asMap(spec(noSecret).get("issuerRef")).remove("name");
    assertThat(refusal(noSecret))
        .contains("Certificate.cert-manager.io \"no-secret\" is invalid")
        .contains("spec.secretName: Required value")
        .contains("spec.issuerRef.name: Required value");
    Map<String, Object> oneName = certificate("one-name");
    spec(oneName).put("dnsNames", "www.example.org");
    assertThat(refusal(oneName))
        .contains("spec.dnsNames in body must be of type array: \"string\"");
    assertThat(refusal(certificate("Bad_Name"))).contains("metadata.name: Invalid value");
    assertThatThrownBy(
            () ->
                custom
                    .createClusterCustomObject(
                        GROUP, "v1", "certificates", certificate("cluster-wide"))
                    .execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(405));
  }

  @Test
  void as_ingress_shim_it_issues_a_certificate_per_tls_entry_and_removes_it_with_the_ingress()
      throws ApiException {
    cluster.certManager().ingressShim(true).hold(true);
    NetworkingV1Api networking = new NetworkingV1Api(cluster.apiClient());
    networking.createNamespacedIngress(ns, ingress()).execute();

    JsonObject pending = awaitCertificate("web-tls", "False");
    assertThat(pending.getJsonObject("spec").getJsonArray("dnsNames"))
        .containsExactly("web.apps.example");
    assertThat(pending.getJsonObject("spec").getJsonObject("issuerRef").getString("name"))
        .isEqualTo("letsencrypt");
    assertThat(
            pending
                .getJsonObject("metadata")
                .getJsonArray("ownerReferences")
                .getJsonObject(0)
                .getString("kind"))
        .isEqualTo("Ingress");

    cluster.certManager().hold(false);
    awaitCertificate("web-tls", "True");
    cluster.certManager().failIssuance("www.example.org");
    JsonObject failed = awaitCertificate("www-tls", "False");
    Eventually.until(
        "the www certificate failed",
        WAIT,
        () ->
            "Failed".equals(condition(certificateNamed("www-tls"), "Issuing").getString("reason")));
    assertThat(failed.getJsonObject("spec").getJsonArray("dnsNames"))
        .containsExactly("www.example.org");

    networking.deleteNamespacedIngress("web", ns).execute();
    Eventually.until(
        "the certificates went with the Ingress", WAIT, () -> certificates().isEmpty());
  }

  private JsonObject awaitCertificate(String name, String ready) {
    return Eventually.await(
        name + " Ready=" + ready,
        WAIT,
        () -> certificateNamed(name),
        c -> c != null && ready.equals(condition(c, "Ready").getString("status")));
  }

  private JsonObject certificateNamed(String name) {
    return certificates().stream()
        .filter(c -> name.equals(c.getJsonObject("metadata").getString("name")))
        .findFirst()
        .orElse(null);
  }

  private List<JsonObject> certificates() {
    try {
      Object list = custom.listNamespacedCustomObject(GROUP, "v1", ns, "certificates").execute();
      JsonArray items = new JsonObject(asMap(list)).getJsonArray("items", new JsonArray());
      return items.stream().map(JsonObject.class::cast).toList();
    } catch (ApiException e) {
      throw new IllegalStateException(e.getCode() + " " + e.getResponseBody(), e);
    }
  }

  private static JsonObject condition(JsonObject certificate, String type) {
    JsonArray conditions =
        certificate
            .getJsonObject("status", new JsonObject())
            .getJsonArray("conditions", new JsonArray());
    return conditions.stream()
        .map(JsonObject.class::cast)
        .filter(c -> type.equals(c.getString("type")))
        .findFirst()
        .orElse(new JsonObject());
  }

  private String refusal(Map<String, Object> body) {
    try {
      custom.createNamespacedCustomObject(GROUP, "v1", ns, "certificates", body).execute();
    } catch (ApiException e) {
      assertThat(e.getCode()).isEqualTo(422);
      return new JsonObject(e.getResponseBody()).getString("message");
    }
    throw new AssertionError("created " + body);
  }

  private List<String> apiGroups() {
    try {
      return new io.kubernetes.client.openapi.apis.ApisApi(cluster.apiClient())
          .getAPIVersions().execute().getGroups().stream()
              .map(io.kubernetes.client.openapi.models.V1APIGroup::getName)
              .toList();
    } catch (ApiException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object object) {
    return (Map<String, Object>) object;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(Map<String, Object> certificate) {
    return (Map<String, Object>) certificate.get("spec");
  }

  // plain maps all the way down, as the client's JSON encoder expects
  @SuppressWarnings("unchecked")
  private static Map<String, Object> certificate(String name) {
    JsonObject json =
        new JsonObject()
            .put("apiVersion", GROUP + "/v1")
            .put("kind", "Certificate")
            .put("metadata", new JsonObject().put("name", name))
            .put(
                "spec",
                new JsonObject()
                    .put("secretName", name)
                    .put("dnsNames", new JsonArray().add("www.example.org"))
                    .put(
                        "issuerRef",
                        new JsonObject().put("name", "letsencrypt").put("kind", "ClusterIssuer")));
    return (Map<String, Object>) io.vertx.core.json.Json.decodeValue(json.encode(), Map.class);
  }

  private static V1Ingress ingress() {
    return new V1Ingress()
        .apiVersion("networking.k8s.io/v1")
        .kind("Ingress")
        .metadata(
            new V1ObjectMeta()
                .name("web")
                .annotations(Map.of(CertManager.CLUSTER_ISSUER_ANNOTATION, "letsencrypt")))
        .spec(
            new V1IngressSpec()
                .rules(List.of(rule("web.apps.example"), rule("www.example.org")))
                .tls(
                    List.of(
                        new V1IngressTLS().hosts(List.of("web.apps.example")).secretName("web-tls"),
                        new V1IngressTLS()
                            .hosts(List.of("www.example.org"))
                            .secretName("www-tls"))));
  }

  private static V1IngressRule rule(String host) {
    return new V1IngressRule()
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
                                            .port(new V1ServiceBackendPort().number(80)))))));
  }
}
