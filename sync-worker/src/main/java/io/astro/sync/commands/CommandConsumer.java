package io.astro.sync.commands;

import io.astro.common.events.DeadLetters;
import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.NamespaceCommand;
import io.astro.common.runtime.DaemonThreads;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code astro.app.commands} on a thread of its own (group {@code sync-worker}). The
 * partitions this instance is assigned decide which apps it owns. On every assignment it reads them
 * from the beginning — the topic is compacted, so that is the latest desired state of each app —
 * and on revocation it lets their apps go. Records of {@code io.astro.app.command.v1} are read as
 * release 0 ({@link AppCommand#read}); {@link NamespaceCommand}s (keyed by a namespace) go to the
 * listener as they come. Offsets are committed after a batch is recorded in {@link DesiredState}; a
 * record off the contract goes to the dead-letter topic with the reason, and consumption goes on.
 */
public final class CommandConsumer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CommandConsumer.class);
  private static final Duration POLL = Duration.ofMillis(500);
  // while partitions are held: how soon the gate opening is noticed
  private static final Duration HELD_POLL = Duration.ofMillis(10);
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  /**
   * Refuses a command that reads well but can never be applied (its sealed values do not open):
   * throws {@link InvalidEventException} with a reason that names no value.
   */
  public interface Check {
    void check(AppCommand app);
  }

  /** What the consumer tells the rest of the worker. */
  public interface Listener {
    /** {@code app} is newer than what was held; {@code commandTime} is the record's timestamp. */
    void changed(AppCommand app, long commandTime);

    /** These apps now belong to another instance (or to nobody until the next assignment). */
    void released(List<String> appIds);

    /**
     * Partitions came to this instance: their apps' commands follow, and another instance may have
     * applied them until now.
     */
    void assigned();

    /** A user's namespace is to be removed from every cluster (their account was deleted). */
    void removeNamespace(NamespaceCommand command);
  }

  private final KafkaConsumer<String, String> consumer;
  private final DeadLetters deadLetters;
  private final String topic;
  private final DesiredState state;
  private final Check check;
  private final Listener listener;
  private final Thread thread;
  private CompletableFuture<?> takeOn;
  private boolean held;
  private volatile boolean running = true;
  private volatile boolean assigned;

  public CommandConsumer(
      Map<String, Object> consumerConfig,
      DeadLetters deadLetters,
      String topic,
      DesiredState state,
      Check check,
      Listener listener) {
    this.consumer = new KafkaConsumer<>(consumerConfig);
    this.deadLetters = deadLetters;
    this.topic = topic;
    this.state = state;
    this.check = check;
    this.listener = listener;
    this.thread = DaemonThreads.thread("sync-worker-commands", this::run);
  }

  /**
   * Starts now but takes on no app before {@code takeOn} completes: the group is joined at once
   * (what readiness waits for) and the partitions it gives are paused until then, so joining and
   * what {@code takeOn} waits for go side by side rather than one after the other.
   */
  public void start(CompletableFuture<?> takeOn) {
    this.takeOn = takeOn;
    thread.start();
  }

  /** True once the group gave this instance its partitions (possibly none) at least once. */
  public boolean assigned() {
    return assigned;
  }

  private void run() {
    try {
      consumer.subscribe(
          List.of(topic),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
              listener.released(
                  state.release(partitions.stream().map(TopicPartition::partition).toList()));
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              if (!partitions.isEmpty()) {
                listener.assigned();
              }
              consumer.seekToBeginning(partitions);
              if (!takeOn.isDone()) {
                consumer.pause(partitions);
                held = true;
              }
              assigned = true;
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
              onPartitionsRevoked(partitions);
            }
          });
      while (running) {
        if (held && takeOn.isDone()) {
          consumer.resume(consumer.paused());
          held = false;
        }
        process(consumer.poll(held ? HELD_POLL : POLL));
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      LOG.error("command consumption stopped: {}", e.toString(), e);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  /**
   * Records a batch and commits it. When a record cannot be handled (the dead-letter topic is
   * away), what came before it is committed, its partition is rewound to it, and the batch ends
   * after a pause.
   */
  private void process(ConsumerRecords<String, String> records) {
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    // apps changed in this batch, told to the listener once the whole batch is recorded: a replay
    // holding an app's create, delete and tombstone reconciles nothing for it, rather than the
    // create for a moment
    Map<String, Long> changed = new LinkedHashMap<>();
    List<String> forgotten = new ArrayList<>();
    try {
      for (ConsumerRecord<String, String> record : records) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        try {
          handle(record, changed, forgotten);
        } catch (RuntimeException e) {
          LOG.warn(
              "command at {}@{} not recorded, retrying: {}",
              partition,
              record.offset(),
              e.getMessage());
          // positions moved past the whole batch: put every partition back to its first unrecorded
          // record
          for (TopicPartition p : records.partitions()) {
            OffsetAndMetadata recorded = done.get(p);
            consumer.seek(
                p, recorded != null ? recorded.offset() : records.records(p).get(0).offset());
          }
          sleep(RETRY_PAUSE);
          return;
        }
        done.put(partition, new OffsetAndMetadata(record.offset() + 1));
      }
    } finally {
      if (!forgotten.isEmpty()) {
        listener.released(forgotten);
      }
      changed.forEach(
          (appId, commandTime) ->
              state.get(appId).ifPresent(app -> listener.changed(app, commandTime)));
      if (!done.isEmpty()) {
        consumer.commitSync(done);
      }
    }
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(
      ConsumerRecord<String, String> record, Map<String, Long> changed, List<String> forgotten) {
    if (record.value() == null) {
      // a tombstone: the app's delete is complete (app-service saw it gone), nothing is left to
      // converge; forget its last command so it is not reconciled again
      if (record.key() != null && state.get(record.key()).isPresent()) {
        state.forget(record.key());
        changed.remove(record.key());
        forgotten.add(record.key());
      }
      return;
    }
    AppCommand app;
    try {
      // a namespace's command shares the topic (keyed by the namespace, not an app)
      CloudEvent event = EventCodec.decode(record.value());
      if (NamespaceCommand.TYPE.equals(event.getType())) {
        listener.removeNamespace(NamespaceCommand.fromData(EventCodec.data(event)));
        return;
      }
      // v1 records of apps not changed since releases came are still on the compacted topic
      app = AppCommand.read(event);
      check.check(app);
    } catch (InvalidEventException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    if (state.offer(app, record.partition())) {
      changed.put(app.appId(), record.timestamp());
      forgotten.remove(app.appId());
    }
  }

  private void deadLetter(ConsumerRecord<String, String> record, String reason) {
    LOG.warn(
        "command at {}-{}@{} goes to the dead-letter topic: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        reason);
    // the offset is committed after this, so the record must really be parked first
    deadLetters.parkAndWait(record, reason);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
