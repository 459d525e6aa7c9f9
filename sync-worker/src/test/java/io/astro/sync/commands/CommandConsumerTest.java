package io.astro.sync.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.DeadLetters;
import io.astro.common.events.KafkaClients;
import io.astro.common.events.KafkaSecurity;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.NamespaceCommand;
import io.astro.sync.Commands;
import io.astro.sync.SyncWorkerFixture;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The command consumer joins its group as soon as it starts, and takes on apps only once what it
 * was told to wait for (the cluster topic's read, in the worker) is done.
 */
@ExtendWith(KafkaExtension.class)
class CommandConsumerTest {

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void it_joins_at_once_and_takes_on_apps_once_the_gate_opens(KafkaBroker broker) {
    String topic = KafkaBroker.uniqueTopicName("commands");
    broker.createCompactedTopic(topic, 3);
    Commands commands = new Commands(broker, topic);
    open.add(commands);
    Commands.App app = new Commands.App(7, "web", "c1");
    commands.send(app, "create");

    CompletableFuture<Void> clustersKnown = new CompletableFuture<>();
    Queue<String> heldTakenOn = new ConcurrentLinkedQueue<>();
    CommandConsumer held = consumer(broker, topic, heldTakenOn);
    held.start(clustersKnown);
    SyncWorkerFixture.await("the held consumer given its partitions", held::assigned);

    // a consumer with nothing to wait for, started after the held one had its partitions, takes
    // the app on: the records were there for the held one to fetch too
    Queue<String> freeTakenOn = new ConcurrentLinkedQueue<>();
    consumer(broker, topic, freeTakenOn).start(CompletableFuture.completedFuture(null));
    SyncWorkerFixture.await(
        "the free consumer took the app on", () -> freeTakenOn.contains(app.id));
    assertThat(heldTakenOn).as("taken on while held").isEmpty();

    clustersKnown.complete(null);

    SyncWorkerFixture.await(
        "the held consumer took the app on", () -> heldTakenOn.contains(app.id));
  }

  /** A consumer in a group of its own, telling the ids of the apps it takes on to {@code into}. */
  private CommandConsumer consumer(KafkaBroker broker, String topic, Queue<String> into) {
    CommandConsumer consumer =
        new CommandConsumer(
            Map.<String, Object>copyOf(
                KafkaClients.consumer(
                    broker.bootstrapServers(),
                    KafkaSecurity.PLAINTEXT,
                    "sync-worker-" + UUID.randomUUID(),
                    500)),
            new DeadLetters(record -> CompletableFuture.completedFuture(null), parked -> {}),
            topic,
            new DesiredState(),
            app -> {},
            new CommandConsumer.Listener() {
              @Override
              public void changed(AppCommand app, long commandTime) {
                into.add(app.appId());
              }

              @Override
              public void released(List<String> appIds) {}

              @Override
              public void assigned() {}

              @Override
              public void removeNamespace(NamespaceCommand command) {}
            });
    open.add(consumer);
    return consumer;
  }
}
