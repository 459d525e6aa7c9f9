package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.crypto.KeyRing;
import io.astro.sync.ClusterRecords;
import io.astro.sync.Commands;
import io.astro.sync.SyncWorkerFixture;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.testkit.kube.FakeCluster;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Without ASTRO_KUBECONFIG_KEYS the topic's clusters cannot be opened; the static ones work as
 * before.
 */
@ExtendWith(KafkaExtension.class)
class WithoutKubeconfigKeysTest {

  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx = new SyncWorkerFixture(broker, 2);
    fx.startWorker(Map.of(), List.of(fx.cluster(0)));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void a_cluster_record_goes_to_the_dead_letter_topic_and_static_clusters_keep_working() {
    FakeCluster fromTopic = fx.cluster(1);
    fx.clusterRecords.publish(
        new ClusterRecords.Cluster(fromTopic.name(), fromTopic.kubeconfig()),
        KeyRing.fromSpec(KeyRing.generateSpec("k1")));

    ReceivedRecord parked =
        fx.broker
            .awaitRecords(
                fx.clustersTopic + ".dlq",
                1,
                r -> fromTopic.name().equals(r.key()),
                SyncWorkerFixture.WAIT)
            .get(0);
    assertThat(parked.header("x-error")).isEqualTo("no kubeconfig keys configured");

    FakeCluster configured = fx.cluster(0);
    JsonObject health =
        fx.awaitClusterStatus(configured.name(), d -> "healthy".equals(d.getString("status")));
    assertThat(health.getInteger("nodes")).isEqualTo(2);
    Commands.App app = new Commands.App(51, "static", configured.name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
  }
}
