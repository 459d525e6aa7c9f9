package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.app.NamespaceCommand;
import io.astro.common.events.app.NamespaceStatusEvent;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A deleted account's namespace command: the namespace goes from every cluster, only once the
 * user's apps are gone from it, and its removal is reported on the status topic.
 */
@ExtendWith(KafkaExtension.class)
class NamespaceRemovalTest {

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
  void the_namespace_goes_from_every_cluster_after_its_apps_and_the_removal_is_reported() {
    long user = 71;
    Commands.App web = new Commands.App(user, "web", fx.cluster(0).name());
    Commands.App api = new Commands.App(user, "api", fx.cluster(1).name());
    fx.commands.send(web, "create");
    fx.commands.send(api, "create");
    fx.awaitStatus(web, "running");
    fx.awaitStatus(api, "running");
    String namespace = KubeNames.namespace(user);

    // the removal arrives while an app is still there: it waits for the app's delete
    send(NamespaceCommand.delete(user, Instant.now()));
    web.deleted = true;
    fx.commands.send(web, "delete");
    fx.awaitStatus(web, "deleted");
    assertThat(namespace(1, namespace)).as("api still runs there").isNotNull();
    assertThat(fx.awaitStatus(api, "running")).isNotNull();
    api.deleted = true;
    fx.commands.send(api, "delete");
    fx.awaitStatus(api, "deleted");

    ReceivedRecord report =
        fx.broker
            .awaitRecords(fx.statusTopic, 1, r -> namespace.equals(r.key()), SyncWorkerFixture.WAIT)
            .get(0);
    EventSchemas.assertValid(NamespaceStatusEvent.TYPE, report.value());
    NamespaceStatusEvent removed = NamespaceStatusEvent.decode(report.value());
    assertThat(removed.status()).isEqualTo(NamespaceStatusEvent.Status.DELETED);
    assertThat(removed.userId()).isEqualTo(user);
    assertThat(removed.clusters())
        .containsExactlyInAnyOrder(fx.cluster(0).name(), fx.cluster(1).name());
    assertThat(namespace(0, namespace)).isNull();
    assertThat(namespace(1, namespace)).isNull();
  }

  @Test
  void a_namespace_that_never_was_is_reported_removed_and_a_repeat_is_harmless() {
    long user = 72;
    String namespace = KubeNames.namespace(user);

    send(NamespaceCommand.delete(user, Instant.now()));
    send(NamespaceCommand.delete(user, Instant.now()));

    List<ReceivedRecord> reports =
        fx.broker.awaitRecords(
            fx.statusTopic, 1, r -> namespace.equals(r.key()), SyncWorkerFixture.WAIT);
    assertThat(reports)
        .allSatisfy(
            r ->
                assertThat(NamespaceStatusEvent.decode(r.value()).status())
                    .isEqualTo(NamespaceStatusEvent.Status.DELETED));
  }

  @Test
  void apps_of_other_users_are_left_alone() {
    Commands.App other = new Commands.App(73, "keep", fx.cluster(0).name());
    fx.commands.send(other, "create");
    fx.awaitStatus(other, "running");

    send(NamespaceCommand.delete(74, Instant.now()));

    fx.broker.awaitRecords(
        fx.statusTopic, 1, r -> KubeNames.namespace(74).equals(r.key()), SyncWorkerFixture.WAIT);
    assertThat(namespace(0, other.namespace())).isNotNull();
    assertThat(fx.deployment(0, other)).isNotNull();
  }

  private static void send(NamespaceCommand command) {
    fx.commands.sendRaw(command.namespace(), command.encode());
  }

  private static V1Namespace namespace(int cluster, String name) {
    try {
      return new CoreV1Api(fx.kube(cluster).apiClient()).readNamespace(name).execute();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw new IllegalStateException(e);
    }
  }
}
