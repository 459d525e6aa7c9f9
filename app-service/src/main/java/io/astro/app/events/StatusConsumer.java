package io.astro.app.events;

import io.astro.common.events.DeadLetters;
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
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.mysqlclient.MySQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies status events (of apps, of clusters) one record at a time, in partition order. The store
 * applies an event only when it is newer than what it holds, so redelivered and reordered events
 * change nothing. Offsets are committed after the records' database transactions. A record that
 * cannot be read, or that the database refuses after bounded retries, goes to the dead-letter topic
 * with the reason and consumption goes on; while the database is unreachable the record is retried
 * (with back-off) and never skipped.
 */
public final class StatusConsumer extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StatusConsumer.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final int ATTEMPTS = 3;
  private static final long RETRY_MS = 200;
  private static final long OUTAGE_BACKOFF_MS = 2_000;

  private final String what;
  private final Function<String, Future<?>> apply;
  private final String bootstrap;
  private final KafkaSecurity security;
  private final String topic;
  private final String group;
  private KafkaConsumer<String, String> consumer;
  private KafkaProducer<String, String> producer;
  private DeadLetters deadLetters;
  private boolean stopping;
  private Future<Void> loop = Future.succeededFuture();

  /**
   * @param what names the events in logs and client ids ({@code app-status}, {@code
   *     cluster-status})
   * @param apply parses a record value (throwing {@code InvalidEventException} for poison) and
   *     stores it
   */
  public StatusConsumer(
      String what,
      Function<String, Future<?>> apply,
      String bootstrap,
      KafkaSecurity security,
      String topic,
      String group) {
    this.what = what;
    this.apply = apply;
    this.bootstrap = bootstrap;
    this.security = security;
    this.topic = topic;
    this.group = group;
  }

  @Override
  public Future<?> start() {
    consumer = KafkaConsumer.create(vertx, KafkaClients.consumer(bootstrap, security, group, 100));
    // Vert.x's stream runs the send off the event loop (it may wait for metadata); the producer
    // is made for the first record parked: most runs park none, and an idle producer holds a
    // thread, buffers and metrics
    deadLetters =
        new DeadLetters(
            record -> deadLetterProducer().asStream().send(record).toCompletionStage(),
            topic -> {});
    Promise<Void> done = Promise.promise();
    loop = done.future();
    consumer.subscribe(topic).onSuccess(v -> poll(done)).onFailure(done::fail);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    return loop.transform(v -> consumer.close())
        .transform(v -> producer == null ? Future.succeededFuture() : producer.close());
  }

  private KafkaProducer<String, String> deadLetterProducer() {
    if (producer == null) {
      producer =
          KafkaProducer.create(
              vertx, KafkaClients.producer(bootstrap, security, "app-service-" + what + "-dlq"));
    }
    return producer;
  }

  private void poll(Promise<Void> done) {
    if (stopping) {
      done.complete();
      return;
    }
    consumer
        .poll(POLL)
        .compose(this::process)
        .onComplete(
            result -> {
              if (result.failed()) {
                LOG.warn("{} consumption paused: {}", what, result.cause().getMessage());
                vertx.setTimer(OUTAGE_BACKOFF_MS, t -> poll(done));
              } else {
                poll(done);
              }
            });
  }

  /**
   * Handles a batch in order and commits what is done. When the database is unreachable, the
   * partition is rewound to the record that failed, what came before it is committed, and the
   * failure ends the batch.
   */
  private Future<Void> process(KafkaConsumerRecords<String, String> records) {
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> record = records.recordAt(i);
      chain =
          chain.compose(
              v ->
                  handle(record, 1)
                      .onSuccess(
                          ok ->
                              done.put(
                                  new TopicPartition(record.topic(), record.partition()),
                                  new OffsetAndMetadata(record.offset() + 1, null)))
                      .recover(
                          outage ->
                              consumer
                                  .seek(
                                      new TopicPartition(record.topic(), record.partition()),
                                      record.offset())
                                  .transform(seek -> Future.failedFuture(outage))));
    }
    return chain.transform(
        result -> {
          Future<?> commit = done.isEmpty() ? Future.succeededFuture() : consumer.commit(done);
          return commit.transform(
              c ->
                  result.succeeded() && c.succeeded()
                      ? Future.<Void>succeededFuture()
                      : Future.failedFuture(result.failed() ? result.cause() : c.cause()));
        });
  }

  /**
   * Succeeds once the record is applied, skipped, or dead-lettered; fails only while the database
   * is away.
   */
  private Future<Void> handle(KafkaConsumerRecord<String, String> record, int attempt) {
    return Future.<Void>succeededFuture()
        .compose(v -> apply.apply(record.value()))
        .<Void>map(
            applied -> {
              LOG.debug(
                  "{} event {} at {}-{}@{}: {}",
                  what,
                  record.key(),
                  record.topic(),
                  record.partition(),
                  record.offset(),
                  applied);
              return null;
            })
        .recover(
            failure -> {
              if (failure instanceof InvalidEventException) {
                return deadLetter(record, failure);
              }
              if (attempt < ATTEMPTS) {
                return vertx.timer(RETRY_MS * attempt).compose(t -> handle(record, attempt + 1));
              }
              // the database answered with an error: this record is the problem, not the database
              return failure instanceof MySQLException
                  ? deadLetter(record, failure)
                  : Future.failedFuture(failure);
            });
  }

  private Future<Void> deadLetter(KafkaConsumerRecord<String, String> record, Throwable reason) {
    LOG.warn(
        "{} event at {}-{}@{} goes to the dead-letter topic: {}",
        what,
        record.topic(),
        record.partition(),
        record.offset(),
        reason.getMessage());
    return Future.fromCompletionStage(
        deadLetters.park(record.record(), String.valueOf(reason.getMessage())),
        vertx.getOrCreateContext());
  }
}
