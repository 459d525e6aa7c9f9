package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Instances of one group share the apps by command partition: each app has one owner, and a
 * leaver's apps move.
 */
@ExtendWith(KafkaExtension.class)
class OwnershipTest {

  @Test
  void two_workers_own_every_app_exactly_once_and_the_survivor_takes_over_the_leavers_apps(
      KafkaBroker broker) {
    try (SyncWorkerFixture fx = new SyncWorkerFixture(broker, 1).startWorker(Map.of());
        RunningSyncWorker second =
            RunningSyncWorker.start(
                fx.broker.bootstrapServers(),
                fx.commandsTopic,
                fx.statusTopic,
                fx.group,
                fx.clusters,
                Map.of(
                    "ASTRO_CLUSTERS_TOPIC",
                    fx.clustersTopic,
                    "ASTRO_CLUSTER_STATUS_TOPIC",
                    fx.clusterStatusTopic))) {
      List<Commands.App> apps =
          IntStream.range(0, 6)
              .mapToObj(i -> new Commands.App(60 + i, "shared" + i, fx.cluster(0).name()))
              .toList();
      apps.forEach(app -> fx.commands.send(app, "create"));
      apps.forEach(app -> fx.awaitStatus(app, "running"));

      SyncWorkerFixture.await(
          "each app owned once", () -> owned(fx.worker()) + owned(second) == apps.size());

      fx.stopWorker();
      SyncWorkerFixture.await("the survivor owns everything", () -> owned(second) == apps.size());
      apps.forEach(
          app -> {
            app.replicas = 2;
            fx.commands.send(app, "scale");
          });
      apps.forEach(
          app ->
              assertThat(fx.awaitStatus(app, "running").getInteger("readyReplicas")).isEqualTo(2));
    }
  }

  private static double owned(RunningSyncWorker worker) {
    return worker.service().registry().get("astro_sync_apps").gauge().value();
  }
}
