package io.astro.sync.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.sync.SyncWorkerFixture;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.testkit.kube.ApiFaults;
import io.astro.testkit.kube.FakeCluster;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cluster whose health check fails is checked again long before the interval — ten minutes here,
 * while every wait below is bounded by {@link SyncWorkerFixture#WAIT} — and one that stays down is
 * checked ever less often. Only the node list fails: the worker's informers and its {@code
 * /version} probe keep working, so nothing but the re-check asks for another health check.
 */
@ExtendWith(KafkaExtension.class)
class ClusterRecheckTest {

  private static final Duration RETRY = Duration.ofMillis(200);
  private static final String NODES = "^/api/v1/nodes$";

  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx = new SyncWorkerFixture(broker, 2);
    // the faults are in place before the worker's first check of each cluster
    fx.cluster(0).faults().respond(500, "GET", NODES, 3);
    fx.cluster(1).faults().respond(500, "GET", NODES, ApiFaults.UNTIL_CLEARED);
    fx.startWorker(
        Map.of(
            "ASTRO_CLUSTER_HEALTH_INTERVAL", "10m",
            "ASTRO_CLUSTER_HEALTH_RETRY", RETRY.toMillis() + "ms",
            // one check gives up after two tries of the node list
            "ASTRO_CLUSTER_HEALTH_TIMEOUT", "1s"));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void a_cluster_whose_api_failed_once_is_healthy_again_without_waiting_for_the_interval() {
    FakeCluster blip = fx.cluster(0);

    JsonObject down =
        fx.awaitClusterStatus(blip.name(), d -> "unhealthy".equals(d.getString("status")));
    assertThat(down.getString("error")).startsWith("nodes cannot be listed").contains("500");

    JsonObject up =
        fx.awaitClusterStatus(
            blip.name(),
            d ->
                "healthy".equals(d.getString("status"))
                    && Instant.parse(d.getString("checkedAt"))
                        .isAfter(Instant.parse(down.getString("checkedAt"))));
    assertThat(up.getString("error")).isNull();
    assertThat(up.getInteger("readyNodes")).isPositive();
  }

  @Test
  void a_cluster_that_stays_down_is_checked_again_after_ever_longer_waits() {
    FakeCluster down = fx.cluster(1);
    int checks = 6;

    List<Instant> checked =
        fx
            .broker
            .awaitRecords(
                fx.clusterStatusTopic,
                checks,
                r -> down.name().equals(r.key()) && unhealthy(r),
                SyncWorkerFixture.WAIT)
            .stream()
            .map(r -> Instant.parse(SyncWorkerFixture.data(r).getString("checkedAt")))
            .sorted(Comparator.naturalOrder())
            .toList();
    // a check makes at most three node requests and one more check may be under way
    assertThat(down.traffic().requests("GET", "/api/v1/nodes"))
        .isLessThanOrEqualTo(3L * (checked.size() + 1));

    // the n-th failure in a row waits RETRY * 2^(n-1) before the next check starts
    for (int n = 1; n < checked.size(); n++) {
      Duration waited = Duration.between(checked.get(n - 1), checked.get(n));
      assertThat(waited)
          .as("wait after failure %d of %s", n, checked)
          .isGreaterThanOrEqualTo(RETRY.multipliedBy(1L << (n - 1)));
    }
  }

  private static boolean unhealthy(ReceivedRecord r) {
    return "unhealthy".equals(SyncWorkerFixture.data(r).getString("status"));
  }
}
