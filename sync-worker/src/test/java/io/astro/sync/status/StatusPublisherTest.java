package io.astro.sync.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.KafkaClients;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.Eventually;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Statuses go out without the reconcile waiting for Kafka, yet none is lost, each app's stay in
 * order, and no more than the bound wait for their acknowledgement.
 */
@ExtendWith(KafkaExtension.class)
class StatusPublisherTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BlockingQueue<String> unpublished = new LinkedBlockingQueue<>();

  @Test
  void a_status_whose_send_fails_is_handed_back_and_not_taken_for_sent(KafkaBroker broker)
      throws Exception {
    String topic = KafkaBroker.uniqueTopicName("status");
    // the broker refuses every status record until the limit is raised
    broker.createTopic(topic, 3, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "100"));
    AppCommand app = app(1);
    AppState running = AppState.of(AppStatus.RUNNING, 1, 1, List.of(), 1);
    try (KafkaProducer<String, String> producer = producer(broker, Map.of())) {
      StatusPublisher publisher = publisher(producer, topic, 8);

      assertThat(publisher.publish(app, running)).isTrue();
      assertThat(unpublished.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(app.appId());
      Eventually.until("the failed send to leave room", WAIT, () -> publisher.inFlight() == 0);

      raiseMessageLimit(broker, topic);
      // the same status again, as the app's next reconcile would: the failed send was not
      // remembered as published (the broker may refuse once more until it applied the new limit)
      Eventually.until(
          "the status to be sent and not handed back",
          WAIT,
          () -> {
            assertThat(publisher.publish(app, running)).isTrue();
            Eventually.until("its outcome", WAIT, () -> publisher.inFlight() == 0);
            return unpublished.poll() == null;
          });
      List<ReceivedRecord> records =
          broker.awaitRecords(topic, 1, r -> app.appId().equals(r.key()), WAIT);
      assertThat(records).hasSize(1);
      assertThat(AppStatusEvent.decode(records.get(0).value()).state().status())
          .isEqualTo(AppStatus.RUNNING);
      Eventually.until("the acknowledgement", WAIT, () -> publisher.inFlight() == 0);
      // sent and acknowledged: an unchanged status is not sent again
      assertThat(publisher.publish(app, running)).isFalse();
      assertThat(unpublished).isEmpty();
    }
  }

  @Test
  void statuses_wait_for_their_acknowledgement_together_in_order_up_to_the_bound(KafkaBroker broker)
      throws Exception {
    String topic = KafkaBroker.uniqueTopicName("status");
    broker.createTopic(topic, 3);
    // records stay in the producer until flushed: nothing is acknowledged before that
    Map<String, String> holding =
        Map.of(
            "linger.ms", "600000",
            "delivery.timeout.ms", "700000");
    try (KafkaProducer<String, String> producer = producer(broker, holding)) {
      StatusPublisher publisher = publisher(producer, topic, 4);
      AppCommand first = app(1);
      AppCommand second = app(2);
      AppCommand third = app(3);

      assertThat(publisher.publish(first, AppState.of(AppStatus.STARTING, 1, 0, List.of(), 1)))
          .isTrue();
      assertThat(publisher.publish(first, AppState.of(AppStatus.RUNNING, 1, 1, List.of(), 1)))
          .isTrue();
      assertThat(publisher.publish(second, AppState.of(AppStatus.RUNNING, 1, 1, List.of(), 1)))
          .isTrue();
      assertThat(publisher.publish(third, AppState.of(AppStatus.RUNNING, 1, 1, List.of(), 1)))
          .isTrue();
      assertThat(publisher.inFlight()).isEqualTo(4);

      // a fifth waits for room
      Thread caller = Thread.currentThread();
      CompletableFuture<Boolean> fifth =
          CompletableFuture.supplyAsync(
              () -> publisher.publish(app(4), AppState.of(AppStatus.RUNNING, 1, 1, List.of(), 1)));
      Eventually.until(
          "the fifth publish to wait",
          WAIT,
          () ->
              Thread.getAllStackTraces().keySet().stream()
                  .filter(t -> t != caller)
                  .anyMatch(
                      t ->
                          t.getState() == Thread.State.WAITING
                              && List.of(t.getStackTrace()).stream()
                                  .anyMatch(f -> f.getMethodName().equals("publish"))));
      assertThat(fifth).isNotDone();

      producer.flush();
      assertThat(fifth.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      producer.flush();
      List<ReceivedRecord> records = broker.awaitRecords(topic, 5, WAIT);
      assertThat(
              records.stream()
                  .filter(r -> first.appId().equals(r.key()))
                  .map(r -> AppStatusEvent.decode(r.value()).state().status()))
          .containsExactly(AppStatus.STARTING, AppStatus.RUNNING);
      Eventually.until("every acknowledgement", WAIT, () -> publisher.inFlight() == 0);
      assertThat(unpublished).isEmpty();
    }
  }

  private StatusPublisher publisher(
      KafkaProducer<String, String> producer, String topic, int maxInFlight) {
    return new StatusPublisher(producer, topic, registry, maxInFlight, unpublished::add);
  }

  private static KafkaProducer<String, String> producer(
      KafkaBroker broker, Map<String, String> extra) {
    Map<String, Object> config =
        new HashMap<>(KafkaClients.producer(broker.bootstrapServers(), "status-publisher-test"));
    config.putAll(extra);
    return new KafkaProducer<>(config);
  }

  private static void raiseMessageLimit(KafkaBroker broker, String topic) throws Exception {
    try (Admin admin = broker.admin()) {
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.TOPIC, topic),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588"),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static AppCommand app(int n) {
    return new AppCommand(
        AppCommand.Command.CREATE,
        "0b6f8a36-2f7e-4f5e-9a55-6b3c1b3c9d0" + n,
        7,
        "web" + n,
        "default",
        KubeNames.namespace(7),
        KubeNames.objectName("web" + n, 7),
        1,
        new AppCommand.Desired(
            "nginx:1.27", 1, null, false, null, false, AppCommand.Release.BEFORE_RELEASES));
  }
}
