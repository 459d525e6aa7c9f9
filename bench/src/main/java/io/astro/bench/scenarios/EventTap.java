package io.astro.bench.scenarios;

import io.astro.common.events.EventCodec;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.runtime.DaemonThreads;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the command and status topics from their current end, as an integration would, on a thread
 * of its own, and keeps a {@link Timeline} per app; waiters complete when the app's {@code running}
 * / {@code deleted} event shows. An extra hook sees every status event (reconcile at scale counts
 * them), or every record with its timestamp ({@link Records}).
 */
final class EventTap implements AutoCloseable {

  private final KafkaConsumer<String, byte[]> consumer;
  private final String commandTopic;
  private final Map<String, Timeline> timelines = new ConcurrentHashMap<>();
  private final Records records;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Throwable failure;

  /**
   * Sees every command and status record the tap reads, with the record's timestamp (and a
   * command's CloudEvent {@code time}, when app-service built it), in epoch milliseconds.
   */
  interface Records {
    default void command(AppCommand command, long eventTime, long recordTimestamp) {}

    default void status(AppStatusEvent status, long recordTimestamp) {}
  }

  EventTap(
      String bootstrap,
      String commandTopic,
      String statusTopic,
      Consumer<AppStatusEvent> onStatus) {
    this(
        bootstrap,
        commandTopic,
        statusTopic,
        new Records() {
          @Override
          public void status(AppStatusEvent status, long recordTimestamp) {
            onStatus.accept(status);
          }
        });
  }

  EventTap(String bootstrap, String commandTopic, String statusTopic, Records records) {
    this.commandTopic = commandTopic;
    this.records = records;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                10,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                5000),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic :
        commandTopic == null ? List.of(statusTopic) : List.of(commandTopic, statusTopic)) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve the end now, before anything is published
    this.thread = DaemonThreads.thread("bench-event-tap", this::poll);
    thread.start();
  }

  Timeline timeline(String appId) {
    return timelines.computeIfAbsent(appId, Timeline::new);
  }

  private void poll() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          if (record.value() != null) {
            accept(record);
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private void accept(ConsumerRecord<String, byte[]> record) {
    CloudEvent event;
    try {
      event = EventCodec.decode(record.value());
      if (record.topic().equals(commandTopic)) {
        if (AppCommand.TYPE.equals(event.getType())) {
          command(AppCommand.fromData(EventCodec.data(event)), event, record);
        }
      } else if (AppStatusEvent.TYPE.equals(event.getType())) {
        status(AppStatusEvent.fromData(EventCodec.data(event)), record);
      }
    } catch (RuntimeException offContract) {
      // tombstones, namespace events and older versions: not what the tap times
    }
  }

  private void command(AppCommand command, CloudEvent event, ConsumerRecord<?, ?> record) {
    long time = event.getTime() == null ? 0 : event.getTime().toInstant().toEpochMilli();
    records.command(command, time, record.timestamp());
    Timeline t = timeline(command.appId());
    if (command.command() == AppCommand.Command.CREATE && t.commandRecord == 0) {
      t.commandTime = time;
      t.commandRecord = record.timestamp();
    }
  }

  private void status(AppStatusEvent status, ConsumerRecord<?, ?> record) {
    records.status(status, record.timestamp());
    Timeline t = timeline(status.appId());
    AppStatus reached = status.state().status();
    if (reached == AppStatus.RUNNING && t.runningRecord == 0) {
      t.runningObservedAt = status.observedAt().toEpochMilli();
      t.runningRecord = record.timestamp();
      t.running.complete(null);
    } else if (reached == AppStatus.DELETED) {
      t.deleted.complete(null);
    }
  }

  void check() {
    if (failure != null) {
      throw new IllegalStateException("event tap failed", failure);
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
