package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.KubeNames;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kube.ApiTraffic;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A new user's apps arriving together (a cold start, an import) are reconciled by several workers
 * at once, all in one namespace that does not exist yet: the namespace and its fence are created
 * once, an app that finds them in place reads the Namespace only, and no Secret is read in a
 * namespace just made.
 */
@ExtendWith(KafkaExtension.class)
class NewUserAppsTest {

  private static final int APPS = 12;

  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx = new SyncWorkerFixture(broker, 1).startWorker(Map.of("ASTRO_RECONCILE_WORKERS", "4"));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void the_namespace_and_its_fence_are_made_once_and_not_read_again_for_each_new_app()
      throws Exception {
    FakeCluster cluster = fx.cluster(0);
    ApiTraffic traffic = cluster.traffic();
    // the cluster made its own namespaces as it started
    long namespacesBefore = traffic.requests("POST", "/api/v1/namespaces");
    long conflictsBefore = traffic.answers(409);
    List<Commands.App> apps = new ArrayList<>();
    for (int i = 0; i < APPS; i++) {
      Commands.App app = new Commands.App(77, "app-" + i, cluster.name());
      apps.add(app);
      fx.commands.send(app, "create");
    }
    apps.forEach(app -> fx.awaitStatus(app, "running"));

    String ns = apps.get(0).namespace();
    List<String> fence = new ArrayList<>();
    for (V1NetworkPolicy policy :
        new NetworkingV1Api(cluster.apiClient())
            .listNamespacedNetworkPolicy(ns)
            .execute()
            .getItems()) {
      fence.add(
          "/apis/networking.k8s.io/v1/namespaces/"
              + ns
              + "/networkpolicies/"
              + policy.getMetadata().getName());
    }
    CoreV1Api core = new CoreV1Api(cluster.apiClient());
    for (V1LimitRange limits : core.listNamespacedLimitRange(ns).execute().getItems()) {
      fence.add("/api/v1/namespaces/" + ns + "/limitranges/" + limits.getMetadata().getName());
    }
    for (V1ResourceQuota quota : core.listNamespacedResourceQuota(ns).execute().getItems()) {
      fence.add("/api/v1/namespaces/" + ns + "/resourcequotas/" + quota.getMetadata().getName());
    }
    assertThat(fence).hasSizeGreaterThanOrEqualTo(5);

    // one create each, none refused as AlreadyExists
    assertThat(traffic.requests("POST", "/api/v1/namespaces") - namespacesBefore).isEqualTo(1);
    Map<String, Long> perCollection =
        fence.stream()
            .collect(
                Collectors.groupingBy(
                    path -> path.substring(0, path.lastIndexOf('/')), Collectors.counting()));
    perCollection.forEach(
        (collection, objects) ->
            assertThat(traffic.requests("POST", collection))
                .as("POST " + collection)
                .isEqualTo(objects));
    assertThat(traffic.answers(409) - conflictsBefore).isZero();
    // the first app made the fence; the others found the Namespace in place and read nothing more
    for (String path : fence) {
      assertThat(traffic.requests("GET", path)).as("GET " + path).isZero();
    }
    assertThat(traffic.requests("GET", "/api/v1/namespaces/" + ns)).isLessThanOrEqualTo(APPS);
    // the namespace was made by the worker, so it holds none of the Secrets these releases do not
    // need: they are not read to find them absent
    for (Commands.App app : apps) {
      for (String secret :
          List.of(KubeNames.envSecret(app.k8sName()), KubeNames.pullSecret(app.k8sName()))) {
        assertThat(traffic.requests("GET", "/api/v1/namespaces/" + ns + "/secrets/" + secret))
            .as("GET Secret " + secret)
            .isZero();
      }
    }
  }
}
