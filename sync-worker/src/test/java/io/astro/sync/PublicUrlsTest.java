package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.KubeNames;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With an apps domain, every public app with a port gets one Ingress to its Service at {@code
 * https://{k8sName}.{domain}}, with the operator's class, annotations and TLS issuer; an internal
 * app gets none; the namespace lets the ingress controller's namespace in to public pods only.
 */
@ExtendWith(KafkaExtension.class)
class PublicUrlsTest {

  private static final String DOMAIN = "apps.example.com";
  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx =
        new SyncWorkerFixture(broker, 1)
            .startWorker(
                Map.of(
                    "ASTRO_APPS_DOMAIN", DOMAIN,
                    "ASTRO_INGRESS_CLASS", "nginx",
                    "ASTRO_INGRESS_ANNOTATIONS",
                        "nginx.ingress.kubernetes.io/proxy-body-size=8m,example.com/team=apps",
                    "ASTRO_TLS_ISSUER", "letsencrypt",
                    "ASTRO_INGRESS_NAMESPACE_SELECTOR",
                        "kubernetes.io/metadata.name=ingress-nginx"));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void a_public_app_gets_an_ingress_to_its_service_and_reports_its_url() throws Exception {
    Commands.App app = new Commands.App(41, "site", fx.cluster(0).name());
    app.port = 8080;
    fx.commands.send(app, "create");

    String host = app.k8sName() + "." + DOMAIN;
    JsonObject status = fx.awaitStatus(app, s -> ("https://" + host).equals(s.getString("url")));
    assertThat(status.getString("appId")).isEqualTo(app.id);

    V1Ingress ingress = ingress(app);
    assertThat(ingress.getMetadata().getName()).isEqualTo(KubeNames.ingress(app.k8sName()));
    assertThat(ingress.getMetadata().getLabels())
        .containsEntry(KubeNames.APP_ID_LABEL, app.id)
        .containsEntry(KubeNames.MANAGED_BY_LABEL, KubeNames.MANAGER);
    assertThat(ingress.getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/cluster-issuer", "letsencrypt")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "8m")
        .containsEntry("example.com/team", "apps");
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(ingress.getSpec().getRules()).hasSize(1);
    assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo(host);
    var path = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0);
    assertThat(path.getPath()).isEqualTo("/");
    assertThat(path.getPathType()).isEqualTo("Prefix");
    V1IngressBackend backend = path.getBackend();
    assertThat(backend.getService().getName()).isEqualTo(app.k8sName());
    assertThat(backend.getService().getPort().getNumber()).isEqualTo(8080);
    assertThat(ingress.getSpec().getTls()).hasSize(1);
    assertThat(ingress.getSpec().getTls().get(0).getHosts()).containsExactly(host);
    assertThat(ingress.getSpec().getTls().get(0).getSecretName())
        .isEqualTo(KubeNames.tlsSecret(app.k8sName()));
    assertThat(fx.deployment(0, app).getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(KubeNames.PUBLIC_LABEL, "true");
  }

  @Test
  void an_internal_app_has_no_ingress_and_going_internal_removes_it() throws Exception {
    Commands.App internal = new Commands.App(42, "backend", fx.cluster(0).name());
    internal.isPublic = false;
    fx.commands.send(internal, "create");
    fx.awaitStatus(internal, "running");
    assertThat(ingressOrNull(internal)).isNull();
    assertThat(fx.deployment(0, internal).getSpec().getTemplate().getMetadata().getLabels())
        .doesNotContainKey(KubeNames.PUBLIC_LABEL);

    Commands.App app = new Commands.App(42, "front", fx.cluster(0).name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, s -> s.getString("url") != null);
    assertThat(ingressOrNull(app)).isNotNull();

    app.isPublic = false;
    fx.commands.send(app, "update");
    fx.awaitStatus(
        app, s -> s.getLong("observedGeneration") == app.generation && s.getValue("url") == null);
    SyncWorkerFixture.await("the Ingress to go", () -> ingressOrNull(app) == null);
    SyncWorkerFixture.await(
        "the pods to lose the public label",
        () ->
            !fx.deployment(0, app)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels()
                .containsKey(KubeNames.PUBLIC_LABEL));
  }

  @Test
  void a_hand_edited_ingress_is_repaired_and_a_deleted_app_takes_its_ingress() throws Exception {
    Commands.App app = new Commands.App(43, "shop", fx.cluster(0).name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, s -> s.getString("url") != null);

    V1Ingress edited = ingress(app);
    edited.getSpec().getRules().get(0).setHost("elsewhere.example.org");
    networking().replaceNamespacedIngress(app.k8sName(), app.namespace(), edited).execute();
    SyncWorkerFixture.await(
        "the host to be repaired",
        () ->
            (app.k8sName() + "." + DOMAIN)
                .equals(ingressOrNull(app).getSpec().getRules().get(0).getHost()));

    app.deleted = true;
    fx.commands.send(app, "delete");
    fx.awaitStatus(app, "deleted");
    assertThat(ingressOrNull(app)).isNull();
  }

  @Test
  void verified_custom_domains_join_the_ingress_with_a_certificate_each_and_leave_it()
      throws Exception {
    Commands.App app = new Commands.App(45, "store", fx.cluster(0).name());
    app.domains = List.of("example.org", "www.example.org");
    fx.commands.send(app, "create");

    JsonObject status =
        fx.awaitStatus(
            app, s -> s.getString("url") != null && !s.getJsonArray("domains").isEmpty());
    assertThat(status.getJsonArray("domains")).containsExactly("example.org", "www.example.org");
    V1Ingress ingress = ingress(app);
    String host = app.k8sName() + "." + DOMAIN;
    assertThat(ingress.getSpec().getRules().stream().map(r -> r.getHost()).toList())
        .containsExactly(host, "example.org", "www.example.org");
    for (var rule : ingress.getSpec().getRules()) {
      assertThat(rule.getHttp().getPaths().get(0).getBackend().getService().getName())
          .isEqualTo(app.k8sName());
    }
    assertThat(ingress.getSpec().getTls()).hasSize(3);
    assertThat(ingress.getSpec().getTls().get(1).getHosts()).containsExactly("example.org");
    assertThat(ingress.getSpec().getTls().get(1).getSecretName())
        .isEqualTo(KubeNames.domainTlsSecret(app.k8sName(), "example.org"))
        .isNotEqualTo(KubeNames.domainTlsSecret(app.k8sName(), "www.example.org"))
        .matches(app.k8sName() + "-[0-9a-f]{10}-tls");

    app.domains = List.of("www.example.org");
    fx.commands.send(app, "update");
    fx.awaitStatus(
        app,
        s ->
            s.getLong("observedGeneration") == app.generation
                && s.getJsonArray("domains").size() == 1);
    SyncWorkerFixture.await(
        "example.org to leave the Ingress",
        () ->
            ingressOrNull(app).getSpec().getRules().stream()
                .map(r -> r.getHost())
                .toList()
                .equals(List.of(host, "www.example.org")));
    assertThat(ingressOrNull(app).getSpec().getTls()).hasSize(2);
  }

  @Test
  void the_ingress_controllers_namespace_may_reach_public_pods_only() throws Exception {
    Commands.App app = new Commands.App(44, "api", fx.cluster(0).name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, s -> s.getString("url") != null);

    V1NetworkPolicy allow =
        networking()
            .readNamespacedNetworkPolicy(KubeNames.ALLOW_INGRESS_CONTROLLER, app.namespace())
            .execute();
    assertThat(allow.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of(KubeNames.PUBLIC_LABEL, "true"));
    assertThat(allow.getSpec().getPolicyTypes()).isEqualTo(List.of("Ingress"));
    assertThat(allow.getSpec().getEgress()).isNullOrEmpty();
    var from = allow.getSpec().getIngress().get(0).getFrom();
    assertThat(from).hasSize(1);
    assertThat(from.get(0).getPodSelector()).isNull();
    assertThat(from.get(0).getNamespaceSelector().getMatchLabels())
        .isEqualTo(Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
  }

  private static NetworkingV1Api networking() {
    return new NetworkingV1Api(fx.kube(0).apiClient());
  }

  private static V1Ingress ingress(Commands.App app) {
    V1Ingress ingress = ingressOrNull(app);
    assertThat(ingress).as("Ingress " + app.k8sName()).isNotNull();
    return ingress;
  }

  private static V1Ingress ingressOrNull(Commands.App app) {
    try {
      return networking().readNamespacedIngress(app.k8sName(), app.namespace()).execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw new IllegalStateException(e);
    }
  }
}
