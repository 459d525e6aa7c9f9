package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.app.AppStatus;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
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
    // the restarted worker read the app's command again and reconciled it: its status goes out once
    // more, and only after that is "nothing was written" worth asserting
    List<ReceivedRecord> after =
        fx.broker.awaitRecords(
            fx.statusTopic, published + 1, r -> app.id.equals(r.key()), SyncWorkerFixture.WAIT);
    assertThat(after).hasSize(published + 1);
    assertThat(SyncWorkerFixture.data(after.get(after.size() - 1)).getString("status"))
        .isEqualTo(AppStatus.RUNNING.value());

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
    // the restarted worker checked the namespace and its fence, found them in place, wrote nothing
    assertThat(fx.worker().metrics())
        .doesNotContain("verb=\"replace\"")
        .doesNotContain("verb=\"create\"");
  }

  @Test
  void duplicate_and_older_commands_change_nothing() {
    Commands.App app = new Commands.App(33, "ordered", fx.cluster(0).name());
    fx.commands.send(app, "create");
    app.image = "registry.example.com/web:2";
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    double replaced = writes("Deployment", "replace");

    fx.commands.sendAsIs(app, "create"); // a duplicate
    long current = app.generation;
    app.generation = 1;
    app.image = "registry.example.com/web:1";
    fx.commands.sendAsIs(app, "create"); // an older one, arriving late
    // the app's next command sits behind both on their partition (same key): once its status is
    // out, the worker has read past them
    app.generation = current;
    app.image = "registry.example.com/web:2";
    fx.commands.send(app, "scale");
    fx.awaitStatus(app, "running");

    V1Deployment d = fx.deployment(0, app);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example.com/web:2");
    assertThat(d.getMetadata().getAnnotations())
        .containsEntry(KubeNames.GENERATION_ANNOTATION, Long.toString(current + 1));
    // one write for the new generation; an applied older record would have added two (to web:1 and
    // back)
    assertThat(writes("Deployment", "replace")).isEqualTo(replaced + 1);
  }

  @Test
  void a_poison_command_goes_to_the_dead_letter_topic_and_the_next_one_is_applied() {
    Commands.App next = new Commands.App(35, "after-poison", fx.cluster(0).name());
    // under the next app's key: the same partition, so the poison is in the way of its command
    fx.commands.sendRaw(next.id, "{\"this\": \"is not a CloudEvent\"}");
    fx.commands.send(next, "create");
    fx.awaitStatus(next, "running");

    ReceivedRecord parked =
        fx.broker.awaitRecords(fx.commandsTopic + ".dlq", 1, SyncWorkerFixture.WAIT).get(0);
    assertThat(parked.key()).isEqualTo(next.id);
    assertThat(parked.header("x-error")).contains("CloudEvent");
    assertThat(parked.header("x-original-topic")).isEqualTo(fx.commandsTopic);
  }

  @Test
  void a_deleted_app_followed_by_its_tombstone_is_not_applied_again_after_a_restart()
      throws Exception {
    Commands.App gone = new Commands.App(37, "gone", fx.cluster(0).name());
    // an app on the same partition, after gone's records: once its status is out again after the
    // restart, the worker has replayed gone's create, delete and tombstone
    Commands.App after = samePartition(gone, "after");
    fx.commands.send(gone, "create");
    fx.awaitStatus(gone, "running");
    gone.deleted = true;
    fx.commands.send(gone, "delete");
    fx.awaitStatus(gone, "deleted");
    fx.commands.sendRaw(gone.id, null); // what app-service writes once it has seen "deleted"
    fx.commands.send(after, "create");
    fx.awaitStatus(after, "running");
    int goneStatuses = fx.statuses(gone, 3).size();
    int afterStatuses = fx.statuses(after, 1).size();

    fx.stopWorker();
    fx.startWorker(Map.of());
    fx.broker.awaitRecords(
        fx.statusTopic, afterStatuses + 1, r -> after.id.equals(r.key()), SyncWorkerFixture.WAIT);
    fx.commands.send(after, "scale"); // one more round trip through the same partition
    fx.awaitStatus(after, "running");

    // without the tombstone the worker would hold gone's delete command again, reconcile it and
    // publish "deleted" once more
    List<JsonObject> statuses = fx.statuses(gone, goneStatuses);
    assertThat(statuses).hasSize(goneStatuses);
    assertThat(statuses.get(statuses.size() - 1).getString("status"))
        .isEqualTo(AppStatus.DELETED.value());
    assertThat(fx.deployment(0, gone)).isNull();
  }

  /** A new app whose id lands on the same commands partition as {@code app}'s. */
  private static Commands.App samePartition(Commands.App app, String name) {
    int partitions = 3;
    while (true) {
      Commands.App candidate = new Commands.App(37, name, app.cluster);
      if (partition(candidate.id, partitions) == partition(app.id, partitions)) {
        return candidate;
      }
    }
  }

  /** Kafka's default partitioner for a keyed record. */
  private static int partition(String key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** How many writes of this kind and verb the running worker made since it started. */
  private static double writes(String kind, String verb) {
    return fx.worker()
        .metrics()
        .lines()
        .filter(
            l ->
                l.startsWith("astro_sync_writes_total{")
                    && l.contains("kind=\"" + kind + "\"")
                    && l.contains("verb=\"" + verb + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
