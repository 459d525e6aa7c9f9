package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kube.ApiFaults;
import io.astro.testkit.kube.ApiTraffic;
import io.astro.testkit.kube.FakeCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An app whose objects are in its cluster is not queued behind apps still to be created: at a cold
 * start every app is new, and each status waited for the pass that created all of them. Here one
 * reconcile worker is kept busy creating apps on a cluster whose Deployment creates hang (each
 * waits out the request timeout), while an app on another cluster that runs already is scaled.
 */
@ExtendWith(KafkaExtension.class)
class StatusesAheadOfCreatesTest {

  private static final int NEW_APPS = 12;

  private static SyncWorkerFixture fx;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx =
        new SyncWorkerFixture(broker, 2)
            .startWorker(
                Map.of("ASTRO_RECONCILE_WORKERS", "1", "ASTRO_KUBE_REQUEST_TIMEOUT", "2s"));
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void
      a_running_apps_command_is_applied_and_reported_while_another_clusters_apps_wait_to_be_made() {
    Commands.App running = new Commands.App(90, "web", fx.clusterName(0));
    fx.commands.send(running, "create");
    fx.awaitStatus(running, "running");

    FakeCluster busy = fx.cluster(1);
    ApiTraffic traffic = busy.traffic();
    List<Commands.App> waiting = new ArrayList<>();
    for (int i = 0; i < NEW_APPS; i++) {
      waiting.add(new Commands.App(91, "new-" + i, fx.clusterName(1)));
    }
    String creates = "/apis/apps/v1/namespaces/" + waiting.get(0).namespace() + "/deployments";
    busy.faults().hang("POST", "/deployments$", ApiFaults.UNTIL_CLEARED);
    try {
      waiting.forEach(app -> fx.commands.send(app, "create"));
      SyncWorkerFixture.await(
          "every new app taken on, the worker held in the first create",
          () ->
              fx.worker().service().registry().get("astro_sync_apps").gauge().value()
                      == NEW_APPS + 1
                  && traffic.requests("POST", creates) >= 1);

      running.replicas = 2;
      fx.commands.send(running, "scale");
      fx.awaitStatus(
          running,
          d ->
              "running".equals(d.getString("status"))
                  && d.getLong("observedGeneration") == running.generation
                  && d.getInteger("readyReplicas") == 2);
      // one lane would have tried every new app's create first (each answered only by the
      // timeout); here the scale and the statuses it led to went ahead of all but a few
      assertThat(traffic.requests("POST", creates)).isLessThan(NEW_APPS / 2);
    } finally {
      busy.faults().clear();
    }
    waiting.forEach(app -> fx.awaitStatus(app, "running"));
  }
}
