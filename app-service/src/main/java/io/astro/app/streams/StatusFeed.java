package io.astro.app.streams;

import io.astro.app.apps.Observation;
import io.astro.app.events.StatusEvents;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.KafkaClients;
import io.astro.common.events.KafkaSecurity;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the app status topic for {@link StatusStreams}: every partition, by hand, with no consumer
 * group and no commits, from its end when the instance starts. A group would share the partitions
 * among the instances, and a user's stream on one instance would miss the changes of apps whose
 * partition another instance holds; here every instance reads every event (the database is still
 * updated by the {@code ASTRO_APP_STATUS_GROUP} group). Records that cannot be read are skipped:
 * the group's consumer parks them. While no stream is open on the instance, records are read and
 * dropped.
 */
public final class StatusFeed extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StatusFeed.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final long RETRY_MS = 2_000;
  private static final long TOPIC_MISSING_MS = 5_000;
  private static final long START_WAIT_MS = 6_000;

  /** Records handled at once: half the database pool's default size. */
  static final int LANES = 4;

  private final StatusStreams streams;
  private final String bootstrap;
  private final KafkaSecurity security;
  private final String topic;
  private KafkaConsumer<String, String> consumer;
  private boolean stopping;
  private final Promise<Void> done = Promise.promise();
  private long retry = -1;

  public StatusFeed(StatusStreams streams, String bootstrap, KafkaSecurity security, String topic) {
    this.streams = streams;
    this.bootstrap = bootstrap;
    this.security = security;
    this.topic = topic;
  }

  @Override
  public Future<?> start() {
    consumer =
        KafkaConsumer.create(
            vertx,
            KafkaClients.settings(
                Map.of(
                    "bootstrap.servers", bootstrap,
                    "client.id", "app-service-status-stream",
                    "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                    "value.deserializer",
                        "org.apache.kafka.common.serialization.StringDeserializer",
                    "enable.auto.commit", "false",
                    // a call while Kafka is away fails in seconds and is tried again
                    "default.api.timeout.ms", "5000",
                    "auto.offset.reset", "latest",
                    "max.poll.records", "100"),
                security));
    // started once the first try is over, so when the topic is there every event published after
    // the start is streamed; with no such topic, or Kafka away (at most a few seconds), the
    // positions are taken when it is there
    Promise<Void> tried = Promise.promise();
    assign(tried);
    return Future.any(tried.future(), vertx.timer(START_WAIT_MS)).mapEmpty();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    // waiting to try the topic again: nothing to wait for
    if (retry >= 0 && vertx.cancelTimer(retry)) {
      done.tryComplete();
    }
    return done.future().transform(v -> consumer.close());
  }

  private void assign(Promise<Void> tried) {
    retry = -1;
    if (stopping) {
      done.tryComplete();
      return;
    }
    consumer
        .partitionsFor(topic)
        .compose(
            infos -> {
              if (infos.isEmpty()) {
                return Future.failedFuture("topic " + topic + " does not exist (yet)");
              }
              Set<TopicPartition> partitions =
                  infos.stream()
                      .map(p -> new TopicPartition(p.getTopic(), p.getPartition()))
                      .collect(Collectors.toSet());
              return consumer
                  .assign(partitions)
                  .compose(v -> consumer.seekToEnd(partitions))
                  // seeking is lazy: asking the positions fixes them now
                  .compose(
                      v ->
                          Future.all(partitions.stream().map(consumer::position).toList())
                              .<Void>mapEmpty());
            })
        .onComplete(
            result -> {
              if (result.succeeded()) {
                poll();
              } else {
                // said once: a deployment may start before its topics exist
                if (!tried.future().isComplete()) {
                  LOG.info(
                      "status stream feed not reading yet, trying again: {}",
                      result.cause().getMessage());
                }
                if (stopping) {
                  done.tryComplete();
                } else {
                  retry = vertx.setTimer(TOPIC_MISSING_MS, t -> assign(tried));
                }
              }
              tried.tryComplete();
            });
  }

  private void poll() {
    if (stopping) {
      done.tryComplete();
      return;
    }
    consumer
        .poll(POLL)
        .compose(this::process)
        .onComplete(
            result -> {
              if (result.failed()) {
                LOG.warn("status stream feed paused: {}", result.cause().getMessage());
                vertx.setTimer(RETRY_MS, t -> poll());
              } else {
                poll();
              }
            });
  }

  /**
   * A batch in {@value #LANES} lanes at once, an app's records (its id is the key) always in the
   * same lane, one after the other: a stream sees an app's changes in the order they were
   * published, a slow app (its row locked by a change) holds back only its lane, and a burst takes
   * at most that many pooled connections from the requests.
   */
  private Future<Void> process(KafkaConsumerRecords<String, String> records) {
    List<Future<Void>> lanes =
        new ArrayList<>(Collections.nCopies(LANES, Future.succeededFuture()));
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> record = records.recordAt(i);
      int lane = laneOf(record.key());
      lanes.set(lane, lanes.get(lane).compose(v -> handle(record)));
    }
    return Future.join(lanes).mapEmpty();
  }

  static int laneOf(String key) {
    return Math.floorMod(Objects.hashCode(key), LANES);
  }

  private Future<Void> handle(KafkaConsumerRecord<String, String> record) {
    if (streams.idle()) {
      return Future.succeededFuture();
    }
    Observation observation;
    try {
      observation = StatusEvents.parse(record.value());
    } catch (InvalidEventException e) {
      return Future.succeededFuture();
    }
    return streams.observed(observation);
  }
}
