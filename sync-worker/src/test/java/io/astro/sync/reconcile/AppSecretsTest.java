package io.astro.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.app.AppCommand;
import io.astro.common.kube.KubeNames;
import io.astro.sync.Commands;
import io.astro.sync.clusters.ClusterConnection;
import io.astro.sync.clusters.QuietEvents;
import io.astro.testkit.SettableClock;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Secret;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A namespace known to hold no Secret spares the reads of the Secrets an app's release does not
 * need, until apps come to this instance from another: one of them may have had a Secret written by
 * its previous owner after that look.
 */
class AppSecretsTest {

  private static final long USER = 41;
  private static final String NAMESPACE = KubeNames.namespace(USER);

  private static FakeCluster cluster;
  private static CoreV1Api core;

  private final SettableClock clock = new SettableClock();

  @BeforeAll
  static void start() throws ApiException {
    cluster = FakeCluster.start();
    core = new CoreV1Api(cluster.apiClient());
    core.createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(NAMESPACE)))
        .execute();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void a_secret_written_by_an_apps_previous_owner_after_the_namespace_looked_empty_is_removed()
      throws Exception {
    AppSecrets secrets =
        new AppSecrets(
            null,
            new Manifests(TenantPolicy.defaults()),
            new ObjectWriter((kind, verb) -> {}),
            Duration.ofMinutes(1),
            clock);
    AppCommand owned = app("7f0e6a1c-0000-4000-8000-000000000001", "owned");
    AppCommand moved = app("7f0e6a1c-0000-4000-8000-000000000002", "moved");
    secrets.ownersChanged();
    clock.advance(Duration.ofSeconds(1));
    secrets.noneIn(cluster.name(), NAMESPACE, clock.instant());
    try (ClusterConnection connection = connection()) {
      secrets.prune(connection, owned);
    }
    clock.advance(Duration.ofSeconds(1));
    // the app's previous owner wrote its Secret, then a rebalance brought the app here
    String left = KubeNames.envSecret(moved.k8sName());
    core.createNamespacedSecret(
            NAMESPACE,
            new V1Secret()
                .apiVersion("v1")
                .kind("Secret")
                .metadata(new V1ObjectMeta().name(left).namespace(NAMESPACE))
                .data(Map.of("TOKEN", new byte[] {1})))
        .execute();
    secrets.ownersChanged();
    try (ClusterConnection connection = connection()) {
      secrets.prune(connection, moved);
    }

    for (String name :
        new String[] {
          KubeNames.envSecret(owned.k8sName()), KubeNames.pullSecret(owned.k8sName())
        }) {
      assertThat(cluster.traffic().requests("GET", secretPath(name))).as(name).isZero();
    }
    assertThat(cluster.traffic().requests("GET", secretPath(left))).isEqualTo(1);
    assertThat(core.listNamespacedSecret(NAMESPACE).execute().getItems())
        .noneMatch(s -> left.equals(s.getMetadata().getName()));
  }

  private static ClusterConnection connection() {
    return new ClusterConnection(
        cluster.name(), cluster.newClient(), cluster.newClient(), Duration.ZERO, new QuietEvents());
  }

  private static String secretPath(String name) {
    return "/api/v1/namespaces/" + NAMESPACE + "/secrets/" + name;
  }

  private static AppCommand app(String appId, String name) {
    return new AppCommand(
        AppCommand.Command.UPDATE,
        appId,
        USER,
        name,
        "default",
        NAMESPACE,
        KubeNames.objectName(name, USER),
        2,
        new AppCommand.Desired("nginx:1.27", 1, 8080, false, null, false, Commands.release(1)));
  }
}
