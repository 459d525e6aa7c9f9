package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Commands are desired state, not edges: replays, duplicates, older records and restarts change
 * nothing.
 */
@ExtendWith(KafkaExtension.class)
class ReplayTest {

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
  void a_restarted_worker_writes_nothing_for_unchanged_apps_and_publishes_their_status_once()
      throws Exception {
    Commands.App app = new Commands.App(31, "steady", fx.cluster(0).name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    V1Deployment before = fx.deployment(0, app);
    CoreV1Api core = new CoreV1Api(fx.cluster(0).apiClient());
    String serviceVersion =
        core.readNamespacedService(app.k8sName(), app.namespace())
            .execute()
            .getMetadata()
            .getResourceVersion();
    String namespaceVersion =
        core.readNamespace(app.namespace()).execute().getMetadata().getResourceVersion();
    int published = fx.statuses(app, 1).size();

    fx.stopWorker();
    fx.startWorker(Map.of());
    barrier(32);

    assertThat(fx.deployment(0, app).getMetadata().getGeneration())
        .isEqualTo(before.getMetadata().getGeneration());
    assertThat(
            core.readNamespacedService(app.k8sName(), app.namespace())
                .execute()
                .getMetadata()
                .getResourceVersion())
        .isEqualTo(serviceVersion);
    assertThat(core.readNamespace(app.namespace()).execute().getMetadata().getResourceVersion())
        .isEqualTo(namespaceVersion);
    // only the marker app was created since the restart; nothing was replaced
    assertThat(fx.worker().metrics()).doesNotContain("verb=\"replace\"");
    List<ReceivedRecord> after =
        fx.broker.awaitRecords(
            fx.statusTopic, published + 1, r -> app.id.equals(r.key()), SyncWorkerFixture.WAIT);
    assertThat(after).hasSize(published + 1);
    assertThat(SyncWorkerFixture.data(after.get(after.size() - 1)).getString("status"))
        .isEqualTo("running");
  }

  @Test
  void duplicate_and_older_commands_change_nothing() {
    Commands.App app = new Commands.App(33, "ordered", fx.cluster(0).name());
    fx.commands.send(app, "create");
    app.image = "registry.example/web:2";
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    long generation = fx.deployment(0, app).getMetadata().getGeneration();

    fx.commands.sendAsIs(app, "create"); // a duplicate
    app.generation = 1;
    app.image = "registry.example/web:1";
    fx.commands.sendAsIs(app, "create"); // an older one, arriving late
    barrier(34);

    V1Deployment d = fx.deployment(0, app);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example/web:2");
    assertThat(d.getMetadata().getAnnotations()).containsEntry("astro.io/generation", "2");
    assertThat(d.getMetadata().getGeneration()).isEqualTo(generation);
  }

  @Test
  void a_poison_command_goes_to_the_dead_letter_topic_and_the_next_one_is_applied() {
    fx.commands.sendRaw("not-an-app", "{\"this\": \"is not a CloudEvent\"}");
    barrier(35);

    ReceivedRecord parked =
        fx.broker.awaitRecords(fx.commandsTopic + ".dlq", 1, SyncWorkerFixture.WAIT).get(0);
    assertThat(parked.key()).isEqualTo("not-an-app");
    assertThat(parked.header("x-error")).contains("CloudEvent");
    assertThat(parked.header("x-original-topic")).isEqualTo(fx.commandsTopic);
  }

  // records on a partition are handled in order; an app that runs after them shows the worker went
  // past them
  private static void barrier(long userId) {
    Commands.App marker = new Commands.App(userId, "marker", fx.cluster(0).name());
    fx.commands.send(marker, "create");
    fx.awaitStatus(marker, "running");
  }
}
