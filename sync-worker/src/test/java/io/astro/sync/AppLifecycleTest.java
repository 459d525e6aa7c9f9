package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kube.ApiTraffic;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1Service;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A command becomes the objects of docs/architecture.md (Kubernetes naming) in the app's cluster,
 * and the app's status follows what runs there.
 */
@ExtendWith(KafkaExtension.class)
class AppLifecycleTest {

  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx = new SyncWorkerFixture(broker, 2).startWorker(Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void a_created_app_gets_its_namespace_fenced_in_and_a_hardened_deployment_and_service()
      throws Exception {
    Commands.App app = new Commands.App(7, "web", fx.cluster(0).name());
    fx.commands.send(app, "create");

    JsonObject running = fx.awaitStatus(app, "running");
    assertThat(running.getInteger("readyReplicas")).isEqualTo(1);
    assertThat(running.getJsonArray("pods")).hasSize(1);
    assertThat(running.getString("cluster")).isEqualTo(fx.cluster(0).name());

    ApiClient client = fx.cluster(0).apiClient();
    CoreV1Api core = new CoreV1Api(client);
    V1Namespace ns = core.readNamespace(KubeNames.namespace(7)).execute();
    assertThat(ns.getMetadata().getLabels())
        .containsEntry(KubeNames.MANAGED_BY_LABEL, KubeNames.MANAGER)
        .containsEntry(KubeNames.USER_ID_LABEL, "7")
        .containsEntry("pod-security.kubernetes.io/enforce", "baseline");
    List<V1NetworkPolicy> policies =
        new NetworkingV1Api(client)
            .listNamespacedNetworkPolicy(KubeNames.namespace(7))
            .execute()
            .getItems();
    assertThat(policies)
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "astro-default-deny", "astro-allow-same-namespace", "astro-allow-dns");
    V1NetworkPolicy deny =
        policies.stream()
            .filter(p -> p.getMetadata().getName().equals("astro-default-deny"))
            .findFirst()
            .orElseThrow();
    assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
    V1ResourceQuota quota =
        core.readNamespacedResourceQuota(KubeNames.QUOTA, KubeNames.namespace(7)).execute();
    assertThat(quota.getSpec().getHard()).containsKeys("requests.cpu", "requests.memory", "pods");
    assertThat(quota.getSpec().getHard().get("pods").toSuffixedString()).isEqualTo("20");
    assertThat(
            core.readNamespacedLimitRange(KubeNames.LIMITS, KubeNames.namespace(7))
                .execute()
                .getSpec()
                .getLimits()
                .get(0)
                .getDefaultRequest()
                .get("cpu")
                .toSuffixedString())
        .isEqualTo("100m");

    V1Deployment d = fx.deployment(0, app);
    assertThat(d.getMetadata().getLabels())
        .containsEntry(KubeNames.NAME_LABEL, "web")
        .containsEntry(KubeNames.INSTANCE_LABEL, app.k8sName())
        .containsEntry(KubeNames.MANAGED_BY_LABEL, KubeNames.MANAGER)
        .containsEntry(KubeNames.APP_ID_LABEL, app.id)
        .containsEntry(KubeNames.USER_ID_LABEL, "7");
    assertThat(d.getMetadata().getAnnotations())
        .containsEntry(KubeNames.GENERATION_ANNOTATION, "1");
    V1Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(app.image);
    assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(8080);
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getResources().getLimits().get("memory").toSuffixedString()).isEqualTo("512Mi");
    V1Service svc = core.readNamespacedService(app.k8sName(), app.namespace()).execute();
    assertThat(svc.getSpec().getSelector()).containsEntry(KubeNames.APP_ID_LABEL, app.id);
    assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);

    // nothing of it reached the other cluster
    assertThat(new CoreV1Api(fx.cluster(1).apiClient()).listNamespace().execute().getItems())
        .noneMatch(n -> n.getMetadata().getName().equals(KubeNames.namespace(7)));
  }

  @Test
  void a_new_users_first_app_creates_its_namespaces_fence_without_reading_it_first() {
    Commands.App app = new Commands.App(17, "first", fx.cluster(0).name());
    ApiTraffic traffic = fx.cluster(0).traffic();
    String policies =
        "/apis/networking.k8s.io/v1/namespaces/" + app.namespace() + "/networkpolicies";
    String core = "/api/v1/namespaces/" + app.namespace();

    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");

    // the namespace was not there, so nothing in it could be: each object is created, none read
    assertThat(traffic.requests("POST", policies)).isEqualTo(3);
    for (String policy :
        List.of("astro-default-deny", "astro-allow-same-namespace", "astro-allow-dns")) {
      assertThat(traffic.requests("GET", policies + "/" + policy)).isZero();
    }
    assertThat(traffic.requests("POST", core + "/limitranges")).isEqualTo(1);
    assertThat(traffic.requests("GET", core + "/limitranges/" + KubeNames.LIMITS)).isZero();
    assertThat(traffic.requests("POST", core + "/resourcequotas")).isEqualTo(1);
    assertThat(traffic.requests("GET", core + "/resourcequotas/" + KubeNames.QUOTA)).isZero();
  }

  @Test
  void stop_start_restart_scale_and_delete_each_end_in_their_status() {
    Commands.App app = new Commands.App(8, "api", fx.cluster(1).name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");

    app.stopped = true;
    fx.commands.send(app, "stop");
    assertThat(fx.awaitStatus(app, "stopped").getJsonArray("pods")).isEmpty();
    assertThat(fx.deployment(1, app).getSpec().getReplicas()).isZero();

    app.stopped = false;
    fx.commands.send(app, "start");
    JsonObject started = fx.awaitStatus(app, "running");
    Set<String> before = podNames(started);

    fx.commands.restart(app);
    fx.awaitStatus(app, "restarting");
    JsonObject restarted =
        fx.awaitStatus(
            app,
            d ->
                "running".equals(d.getString("status"))
                    && d.getLong("observedGeneration") == app.generation
                    && d.getJsonArray("pods").size() == 1
                    && !podNames(d).equals(before));
    assertThat(podNames(restarted)).doesNotContainAnyElementsOf(before);

    app.replicas = 3;
    fx.commands.send(app, "scale");
    JsonObject scaled =
        fx.awaitStatus(
            app,
            d ->
                "running".equals(d.getString("status"))
                    && d.getLong("observedGeneration") == app.generation);
    assertThat(scaled.getInteger("readyReplicas")).isEqualTo(3);
    assertThat(scaled.getJsonArray("pods")).hasSize(3);

    app.deleted = true;
    fx.commands.send(app, "delete");
    fx.awaitStatus(app, "deleted");
    assertThat(fx.deployment(1, app)).isNull();

    List<JsonObject> all = fx.statuses(app, 1);
    assertThat(all).extracting(d -> d.getString("status")).contains("deleting");
  }

  @Test
  void a_port_removed_removes_the_service_and_published_statuses_follow_the_schema()
      throws Exception {
    Commands.App app = new Commands.App(9, "worker", fx.cluster(0).name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    CoreV1Api core = new CoreV1Api(fx.cluster(0).apiClient());
    assertThat(core.listNamespacedService(KubeNames.namespace(9)).execute().getItems()).hasSize(1);

    app.port = null;
    fx.commands.send(app, "scale");
    fx.awaitStatus(app, "running");
    SyncWorkerFixture.await(
        "service removed",
        () -> {
          try {
            return core.listNamespacedService(KubeNames.namespace(9))
                .execute()
                .getItems()
                .isEmpty();
          } catch (Exception e) {
            return false;
          }
        });

    fx.broker
        .awaitRecords(fx.statusTopic, 1, r -> app.id.equals(r.key()), SyncWorkerFixture.WAIT)
        .forEach(r -> EventSchemas.assertValid(AppStatusEvent.TYPE, r.value()));
  }

  @Test
  void a_deployment_deleted_by_hand_comes_back() throws Exception {
    Commands.App app = new Commands.App(10, "drift", fx.cluster(0).name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    String uid = fx.deployment(0, app).getMetadata().getUid();

    new io.kubernetes.client.openapi.apis.AppsV1Api(fx.cluster(0).apiClient())
        .deleteNamespacedDeployment(app.k8sName(), app.namespace())
        .execute();

    SyncWorkerFixture.await(
        "deployment recreated",
        () -> {
          V1Deployment d = fx.deployment(0, app);
          return d != null && !d.getMetadata().getUid().equals(uid);
        });
  }

  private static Set<String> podNames(JsonObject status) {
    return status.getJsonArray("pods").stream()
        .map(p -> ((JsonObject) p).getString("name"))
        .collect(Collectors.toSet());
  }
}
