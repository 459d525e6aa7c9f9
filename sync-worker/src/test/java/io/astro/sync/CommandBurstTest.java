package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kube.ApiTraffic;
import io.astro.testkit.kube.FakeCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Commands on one app in quick succession, while the worker's informers lag behind its writes: each
 * command costs one write, none is refused, and the cluster ends as the last command says.
 */
@ExtendWith(KafkaExtension.class)
class CommandBurstTest {

  /** Longer than the whole burst takes: every reconcile of it works from a stale cache. */
  private static final Duration INFORMER_LAG = Duration.ofSeconds(5);

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
  void each_command_of_a_burst_costs_one_write_and_no_conflict_while_the_informers_lag() {
    FakeCluster cluster = fx.cluster(0);
    ApiTraffic traffic = cluster.traffic();
    Commands.App app = new Commands.App(41, "burst", cluster.name());
    String deployments = "/apis/apps/v1/namespaces/" + app.namespace() + "/deployments";
    String deployment = deployments + "/" + app.k8sName();
    String services = "/api/v1/namespaces/" + app.namespace() + "/services";
    String service = services + "/" + app.k8sName();
    cluster.faults().delayWatches(INFORMER_LAG);

    List<Consumer<Commands.App>> burst =
        List.of(
            a -> fx.commands.send(a, "create"),
            a -> {
              a.replicas = 2;
              fx.commands.send(a, "scale");
            },
            fx.commands::restart,
            a -> {
              a.stopped = true;
              fx.commands.send(a, "stop");
            },
            a -> {
              a.stopped = false;
              fx.commands.send(a, "start");
            },
            a -> {
              a.replicas = 3;
              fx.commands.send(a, "scale");
            });
    int sent = 0;
    for (Consumer<Commands.App> command : burst) {
      command.accept(app);
      sent++;
      int expected = sent;
      // the next command goes out as soon as this one is written: well inside the informers' lag
      SyncWorkerFixture.await(
          "command " + sent + " written",
          () -> deploymentWrites(traffic, deployments, deployment) >= expected);
    }
    cluster.faults().delayWatches(Duration.ZERO);

    // the pods come from their own informer, which may deliver the third pod after the
    // Deployment's status: a status naming all three follows then
    fx.awaitStatus(
        app,
        d ->
            "running".equals(d.getString("status"))
                && d.getLong("observedGeneration") == app.generation
                && d.getInteger("readyReplicas") == 3
                && d.getJsonArray("pods").size() == 3);
    assertThat(traffic.requests("POST", deployments)).isEqualTo(1);
    assertThat(traffic.requests("PUT", deployment)).isEqualTo(burst.size() - 1);
    assertThat(traffic.requests("DELETE", deployment)).isZero();
    assertThat(traffic.requests("POST", services)).isEqualTo(1);
    assertThat(traffic.requests("PUT", service)).isZero();
    assertThat(
            traffic.answers("POST", deployments, 409)
                + traffic.answers("PUT", deployment, 409)
                + traffic.answers("POST", services, 409)
                + traffic.answers("PUT", service, 409))
        .isZero();
    assertThat(fx.deployment(0, app).getSpec().getReplicas()).isEqualTo(3);
  }

  private static long deploymentWrites(ApiTraffic traffic, String deployments, String deployment) {
    return traffic.requests("POST", deployments) + traffic.requests("PUT", deployment);
  }
}
