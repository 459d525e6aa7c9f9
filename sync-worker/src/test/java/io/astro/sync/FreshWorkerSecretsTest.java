package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.KubeNames;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kube.ApiTraffic;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1Secret;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fresh worker takes on apps whose releases need no Secret: where the namespace's quota counts no
 * Secret it reads none of them to find them absent, and where it counts one it reads them and
 * removes what a crash between a Deployment's write and the prune left.
 */
@ExtendWith(KafkaExtension.class)
class FreshWorkerSecretsTest {

  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx = new SyncWorkerFixture(broker, 1).startWorker(Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void reads_no_secret_where_the_quota_counts_none_and_removes_a_leftover_where_it_counts_one()
      throws Exception {
    FakeCluster cluster = fx.cluster(0);
    CoreV1Api core = new CoreV1Api(cluster.apiClient());
    Commands.App plain = new Commands.App(91, "plain", cluster.name());
    Commands.App leftover = new Commands.App(92, "leftover", cluster.name());
    for (Commands.App app : List.of(plain, leftover)) {
      fx.commands.send(app, "create");
      fx.awaitStatus(app, "running");
    }
    Map<Commands.App, Integer> published =
        Map.of(plain, fx.statuses(plain, 1).size(), leftover, fx.statuses(leftover, 1).size());

    fx.stopWorker();
    String left = KubeNames.envSecret(leftover.k8sName());
    core.createNamespacedSecret(
            leftover.namespace(),
            new V1Secret()
                .apiVersion("v1")
                .kind("Secret")
                .metadata(new V1ObjectMeta().name(left).namespace(leftover.namespace()))
                .type("Opaque")
                .data(Map.of("TOKEN", "old".getBytes(StandardCharsets.UTF_8))))
        .execute();
    SyncWorkerFixture.await(
        "the quotas count 0 and 1 Secrets",
        () -> secretsCounted(core, plain) == 0 && secretsCounted(core, leftover) == 1);
    ApiTraffic traffic = cluster.traffic();
    long[] readsBefore = secretReads(traffic, plain);

    fx.startWorker(Map.of());
    SyncWorkerFixture.await(
        "the leftover Secret removed", () -> fx.secret(0, leftover, left) == null);
    // each app's status goes out once more when the fresh worker has reconciled it
    published.forEach((app, before) -> fx.statuses(app, before + 1));
    assertThat(secretReads(traffic, plain)).containsExactly(readsBefore);
  }

  /** The Secrets the app's namespace quota counts, or -1 while it counts none yet. */
  private static long secretsCounted(CoreV1Api core, Commands.App app) {
    try {
      V1ResourceQuota quota =
          core.readNamespacedResourceQuota(KubeNames.QUOTA, app.namespace()).execute();
      Quantity used =
          quota.getStatus() == null || quota.getStatus().getUsed() == null
              ? null
              : quota.getStatus().getUsed().get("secrets");
      return used == null ? -1 : used.getNumber().longValueExact();
    } catch (ApiException e) {
      throw new IllegalStateException(e);
    }
  }

  /** GETs of the app's two Secret names so far. */
  private static long[] secretReads(ApiTraffic traffic, Commands.App app) {
    return List.of(KubeNames.envSecret(app.k8sName()), KubeNames.pullSecret(app.k8sName())).stream()
        .mapToLong(
            name ->
                traffic.requests(
                    "GET", "/api/v1/namespaces/" + app.namespace() + "/secrets/" + name))
        .toArray();
  }
}
