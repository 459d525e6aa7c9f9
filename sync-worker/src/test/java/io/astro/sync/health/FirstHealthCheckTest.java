package io.astro.sync.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.sync.SyncWorkerFixture;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kube.ApiFaults;
import io.astro.testkit.kube.FakeCluster;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cluster's first health check waits for its informers' first lists, at most one check's time
 * budget. Here the Deployments list never answers (the informers list with no read timeout), so the
 * wait ends at the budget; the worker's {@code /version} probe, every 2 s from the start, tells how
 * long the check has been held.
 */
@ExtendWith(KafkaExtension.class)
class FirstHealthCheckTest {

  private static final String NODES = "/api/v1/nodes";

  @Test
  void the_first_check_waits_for_the_informers_first_lists_and_no_longer_than_its_budget(
      KafkaBroker broker) {
    try (SyncWorkerFixture fx = new SyncWorkerFixture(broker, 1)) {
      FakeCluster cluster = fx.cluster(0);
      cluster.faults().hang("GET", "^/apis/apps/v1/deployments$", ApiFaults.UNTIL_CLEARED);
      fx.startWorker(Map.of("ASTRO_CLUSTER_HEALTH_TIMEOUT", "8s"));

      // two probes: about 4 s in, while a check made at once would have listed the nodes in
      // milliseconds
      SyncWorkerFixture.await(
          "the Deployments list held and two probes made",
          () ->
              cluster.faults().hung() >= 1 && cluster.traffic().requests("GET", "/version/") >= 2);
      assertThat(cluster.traffic().requests("GET", NODES)).isZero();

      JsonObject checked = fx.awaitClusterStatus(cluster.name(), d -> true);
      assertThat(checked.getString("status")).isEqualTo("healthy");
      // every Deployments list is held: the check came at the end of its budget
      assertThat(cluster.traffic().requests("GET", NODES)).isPositive();
    }
  }
}
