package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.crypto.KeyRing;
import io.astro.common.events.cluster.ClusterPublicUrls;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each cluster from {@code astro.clusters} may carry its own public-URL settings: its apps' Ingress
 * hosts and URLs are under its own apps domain (a wildcard DNS name points at its controller), with
 * its class, issuer and controller namespace; a setting it leaves out is the worker's.
 */
@ExtendWith(KafkaExtension.class)
class ClusterPublicUrlsTest {

  private static final String KEY = KeyRing.generateSpec("k1");
  private static final KeyRing CIPHER = KeyRing.fromSpec(KEY);
  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx =
        new SyncWorkerFixture(broker, 2)
            .startWorker(
                Map.of(
                    "ASTRO_KUBECONFIG_KEYS", KEY,
                    "ASTRO_APPS_DOMAIN", "apps.example.com",
                    "ASTRO_INGRESS_CLASS", "nginx",
                    "ASTRO_TLS_ISSUER", "letsencrypt",
                    "ASTRO_INGRESS_NAMESPACE_SELECTOR",
                        "kubernetes.io/metadata.name=ingress-nginx"),
                List.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void two_clusters_with_their_own_apps_domains_give_their_apps_hosts_under_their_own()
      throws Exception {
    ClusterRecords.Cluster eu =
        connect(0, new ClusterPublicUrls("apps.eu.example.com", null, null, null));
    connect(
        1,
        new ClusterPublicUrls(
            "apps.us.example.com", "traefik", null, "kubernetes.io/metadata.name=traefik"));
    Commands.App onEu = new Commands.App(61, "site", fx.cluster(0).name());
    onEu.port = 8080;
    Commands.App onUs = new Commands.App(62, "site", fx.cluster(1).name());
    onUs.port = 8080;
    fx.commands.send(onEu, "create");
    fx.commands.send(onUs, "create");

    String euHost = onEu.k8sName() + ".apps.eu.example.com";
    String usHost = onUs.k8sName() + ".apps.us.example.com";
    fx.awaitStatus(onEu, s -> ("https://" + euHost).equals(s.getString("url")));
    fx.awaitStatus(onUs, s -> ("https://" + usHost).equals(s.getString("url")));

    V1Ingress euIngress = ingressOrNull(0, onEu);
    assertThat(euIngress.getSpec().getRules().get(0).getHost()).isEqualTo(euHost);
    assertThat(euIngress.getSpec().getTls().get(0).getHosts()).containsExactly(euHost);
    // what eu leaves out is the worker's
    assertThat(euIngress.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(euIngress.getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/cluster-issuer", "letsencrypt");
    assertThat(controllerNamespace(0, onEu))
        .isEqualTo(Map.of("kubernetes.io/metadata.name", "ingress-nginx"));

    V1Ingress usIngress = ingressOrNull(1, onUs);
    assertThat(usIngress.getSpec().getRules().get(0).getHost()).isEqualTo(usHost);
    assertThat(usIngress.getSpec().getIngressClassName()).isEqualTo("traefik");
    assertThat(controllerNamespace(1, onUs))
        .isEqualTo(Map.of("kubernetes.io/metadata.name", "traefik"));

    // a new apps domain on eu moves its apps' hosts; no command is needed
    eu.publicUrls = new ClusterPublicUrls("apps.eu2.example.com", null, null, null);
    fx.clusterRecords.publish(eu, CIPHER);
    String movedHost = onEu.k8sName() + ".apps.eu2.example.com";
    SyncWorkerFixture.await(
        "the eu Ingress to move to the new domain",
        () -> movedHost.equals(ingressOrNull(0, onEu).getSpec().getRules().get(0).getHost()));
    fx.awaitStatus(onEu, s -> ("https://" + movedHost).equals(s.getString("url")));

    // and without settings of its own, the worker's apply again
    eu.publicUrls = null;
    fx.clusterRecords.publish(eu, CIPHER);
    String defaultHost = onEu.k8sName() + ".apps.example.com";
    SyncWorkerFixture.await(
        "the eu Ingress to go back to the worker's domain",
        () -> defaultHost.equals(ingressOrNull(0, onEu).getSpec().getRules().get(0).getHost()));
    assertThat(ingressOrNull(1, onUs).getSpec().getRules().get(0).getHost()).isEqualTo(usHost);
  }

  private static ClusterRecords.Cluster connect(int i, ClusterPublicUrls urls) {
    FakeCluster fake = fx.cluster(i);
    ClusterRecords.Cluster cluster = new ClusterRecords.Cluster(fake.name(), fake.kubeconfig());
    cluster.publicUrls = urls;
    fx.clusterRecords.publish(cluster, CIPHER);
    return cluster;
  }

  private static Map<String, String> controllerNamespace(int cluster, Commands.App app)
      throws ApiException {
    V1NetworkPolicy allow =
        new NetworkingV1Api(fx.kube(cluster).apiClient())
            .readNamespacedNetworkPolicy(KubeNames.ALLOW_INGRESS_CONTROLLER, app.namespace())
            .execute();
    return allow
        .getSpec()
        .getIngress()
        .get(0)
        .getFrom()
        .get(0)
        .getNamespaceSelector()
        .getMatchLabels();
  }

  private static V1Ingress ingressOrNull(int cluster, Commands.App app) {
    try {
      return new NetworkingV1Api(fx.kube(cluster).apiClient())
          .readNamespacedIngress(app.k8sName(), app.namespace())
          .execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw new IllegalStateException(e);
    }
  }
}
