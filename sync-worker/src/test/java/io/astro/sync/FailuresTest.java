package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What fails in the cluster shows as the app's status with its reason; a cluster in trouble is
 * waited out.
 */
@ExtendWith(KafkaExtension.class)
class FailuresTest {

  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx = new SyncWorkerFixture(broker, 1).startWorker(Map.of());
  }

  @AfterEach
  void heal() {
    fx.cluster(0).faults().clear();
    fx.cluster(0).simulator().clearFailures();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void an_image_that_cannot_be_pulled_fails_the_app_with_the_reason() {
    Commands.App app = new Commands.App(21, "nopull", fx.cluster(0).name());
    app.image = "registry.example.com/missing:1";
    fx.cluster(0).simulator().failImage(app.image);
    fx.commands.send(app, "create");

    // a real node reports ErrImagePull first (for a moment), then the back-off it stays in
    JsonObject failed =
        fx.awaitStatus(
            app,
            d ->
                "failed".equals(d.getString("status"))
                    && "ImagePullBackOff".equals(d.getString("reason")));
    assertThat(failed.getString("message")).contains("registry.example.com/missing:1");

    app.image = "registry.example.com/web:2";
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
  }

  @Test
  void an_image_on_a_registry_that_cannot_exist_fails_the_app_without_any_fault_set() {
    Commands.App app = new Commands.App(24, "unreachable", fx.cluster(0).name());
    app.image = "registry.internal.invalid/web:1";
    fx.commands.send(app, "create");

    JsonObject failed = fx.awaitStatus(app, "failed");
    assertThat(failed.getString("reason")).isIn("ErrImagePull", "ImagePullBackOff");
    assertThat(failed.getString("message")).contains("registry.internal.invalid/web:1");
  }

  @Test
  void a_crashing_container_fails_the_app_with_crash_loop() {
    Commands.App app = new Commands.App(22, "crash", fx.cluster(0).name());
    app.image = "registry.example.com/crash:1";
    fx.cluster(0).simulator().crashImage(app.image);
    fx.commands.send(app, "create");

    assertThat(fx.awaitStatus(app, "failed").getString("reason")).isEqualTo("CrashLoopBackOff");
  }

  @Test
  void an_exhausted_quota_fails_the_app_and_it_recovers_when_the_quota_allows() throws Exception {
    Commands.App app = new Commands.App(23, "quota", fx.cluster(0).name());
    // a second quota in the user's namespace with room for no pod: the fake's quota admission
    // refuses every pod as a real API server would
    CoreV1Api core = new CoreV1Api(fx.cluster(0).apiClient());
    core.createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(app.namespace())))
        .execute();
    core.createNamespacedResourceQuota(
            app.namespace(),
            new V1ResourceQuota()
                .apiVersion("v1")
                .kind("ResourceQuota")
                .metadata(new V1ObjectMeta().name("exhausted").namespace(app.namespace()))
                .spec(new V1ResourceQuotaSpec().hard(Map.of("pods", Quantity.fromString("0")))))
        .execute();
    fx.commands.send(app, "create");

    JsonObject failed = fx.awaitStatus(app, "failed");
    assertThat(failed.getString("reason")).isEqualTo("QuotaExceeded");
    assertThat(failed.getString("message")).contains("exceeded quota");

    core.deleteNamespacedResourceQuota("exhausted", app.namespace()).execute();
    fx.awaitStatus(app, "running");
  }

  @Test
  void server_errors_and_throttling_are_retried_until_the_app_runs() {
    int before = fx.cluster(0).faults().injected();
    fx.cluster(0)
        .faults()
        .respond(500, "POST", "/deployments$", 2)
        .respond(429, "POST", "/deployments$", 1)
        .respond(409, "POST", "/deployments$", 1);
    Commands.App app = new Commands.App(24, "flaky", fx.cluster(0).name());
    fx.commands.send(app, "create");

    fx.awaitStatus(app, "running");
    assertThat(fx.cluster(0).faults().injected() - before).isEqualTo(4);
    assertThat(fx.worker().metrics())
        .contains("astro_sync_reconcile_retries_total{reason=\"unavailable\"");
  }

  @Test
  void an_unreachable_cluster_shows_its_apps_unknown_and_they_come_back_when_it_answers() {
    Commands.App app = new Commands.App(25, "island", fx.cluster(0).name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");

    fx.cluster(0).faults().unreachable(true);
    JsonObject unknown = fx.awaitStatus(app, "unknown");
    assertThat(unknown.getString("reason")).isEqualTo("ClusterUnreachable");

    // a change made while the cluster is away is applied once it answers
    app.replicas = 2;
    fx.commands.send(app, "scale");
    fx.cluster(0).faults().unreachable(false);
    JsonObject back = fx.awaitStatus(app, "running");
    assertThat(back.getInteger("readyReplicas")).isEqualTo(2);
  }
}
