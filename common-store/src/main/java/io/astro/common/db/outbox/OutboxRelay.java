package io.astro.common.db.outbox;

import io.astro.common.events.KafkaClients;
import io.astro.common.events.KafkaSecurity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outbox rows in id order to their topic (the commands topic unless the row names
 * another), keyed by their aggregate (app id, cluster name, user uuid), and marks them published.
 * It runs a pass when {@link #wake() woken} after a local commit, on a timer for rows committed by
 * other instances, and with growing back-off while Kafka fails — rows stay in the outbox until
 * Kafka has acknowledged them. Delivery is at least once (a crash between Kafka's ack and the
 * database commit sends a row again, with the same CloudEvent id); consumers act on {@code
 * generation}, so a repeat changes nothing. app-service and user-service each run one over their
 * own outbox.
 */
public final class OutboxRelay extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int BATCH = 100;
  private static final long FIRST_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final OutboxStore outbox;
  private final String bootstrap;
  private final KafkaSecurity security;
  private final String topic;
  private final Duration pollInterval;
  private final MeterRegistry registry;
  private final String clientId;
  private final String metric;
  private KafkaProducer<String, String> producer;
  private Context relayContext;
  private boolean running;
  private boolean wanted;
  private boolean stopping;
  private long backoffMs;
  private long backoffTimer = -1;
  private long pollTimer;

  /**
   * @param topic where rows that name no topic go
   * @param clientId the producer's Kafka client id ({@code app-service-outbox})
   * @param metric {@code registry} gets {@code <metric>_total{type}}: rows Kafka took, by event
   *     type ({@code astro_app_events_emitted})
   */
  public OutboxRelay(
      OutboxStore outbox,
      String bootstrap,
      KafkaSecurity security,
      String topic,
      Duration pollInterval,
      MeterRegistry registry,
      String clientId,
      String metric) {
    this.clientId = clientId;
    this.metric = metric;
    this.outbox = outbox;
    this.registry = registry;
    this.bootstrap = bootstrap;
    this.security = security;
    this.topic = topic;
    this.pollInterval = pollInterval;
  }

  @Override
  public Future<?> start() {
    relayContext = context;
    producer = KafkaProducer.create(vertx, KafkaClients.producer(bootstrap, security, clientId));
    pollTimer = vertx.setPeriodic(pollInterval.toMillis(), t -> pass());
    pass();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(backoffTimer);
    return producer.close();
  }

  /** Asks for a pass soon; safe from any thread. A pass already running is followed by another. */
  public void wake() {
    Context ctx = relayContext;
    if (ctx != null) {
      ctx.runOnContext(v -> pass());
    }
  }

  private void pass() {
    if (stopping || backoffTimer != -1) {
      return;
    }
    if (running) {
      wanted = true;
      return;
    }
    running = true;
    wanted = false;
    outbox
        .publishNext(BATCH, this::publish)
        .onComplete(
            done -> {
              running = false;
              boolean failed = done.failed() || done.result().published() < done.result().found();
              if (failed) {
                backoffMs =
                    backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(backoffMs * 2, MAX_BACKOFF_MS);
                LOG.warn(
                    "outbox pass failed ({}), next try in {} ms",
                    done.failed() ? done.cause().getMessage() : "Kafka refused some records",
                    backoffMs);
                backoffTimer =
                    vertx.setTimer(
                        backoffMs,
                        t -> {
                          backoffTimer = -1;
                          pass();
                        });
                return;
              }
              backoffMs = 0;
              // a full batch means more are waiting; a wake during the pass may have committed more
              if (wanted || done.result().found() == BATCH) {
                pass();
              }
            });
  }

  /**
   * Sends the first row alone, then the rest together: while the broker is unreachable the producer
   * blocks on metadata for each send, so one probe fails fast instead of a whole batch blocking in
   * turn. Returns the rows Kafka acknowledged, except those after a failed row of the same
   * aggregate (they are resent with it, in order).
   */
  private Future<List<Long>> publish(List<OutboxStore.Row> rows) {
    return send(rows.get(0))
        .transform(
            first -> {
              if (first.failed()) {
                LOG.debug("outbox probe send failed", first.cause());
                return Future.succeededFuture(List.of());
              }
              List<Future<?>> rest = new ArrayList<>(rows.size());
              for (int i = 1; i < rows.size(); i++) {
                rest.add(send(rows.get(i)));
              }
              return Future.join(rest)
                  .transform(
                      all -> {
                        List<Long> sent = new ArrayList<>(rows.size());
                        sent.add(rows.get(0).id());
                        Set<String> failedAggregates = new HashSet<>();
                        for (int i = 1; i < rows.size(); i++) {
                          OutboxStore.Row row = rows.get(i);
                          if (rest.get(i - 1).succeeded()
                              && !failedAggregates.contains(row.aggregateId())) {
                            sent.add(row.id());
                          } else {
                            failedAggregates.add(row.aggregateId());
                          }
                        }
                        rows.stream()
                            .filter(row -> sent.contains(row.id()))
                            .forEach(
                                row ->
                                    Counter.builder(metric)
                                        .description(
                                            "outbox rows Kafka acknowledged, by event type")
                                        .tag("type", row.type())
                                        .register(registry)
                                        .increment());
                        return Future.succeededFuture(sent);
                      });
            });
  }

  private Future<?> send(OutboxStore.Row row) {
    KafkaProducerRecord<String, String> record =
        KafkaProducerRecord.create(
            row.topic() == null ? topic : row.topic(), row.aggregateId(), row.payload());
    row.headers().forEach(h -> record.addHeader(h.getKey(), String.valueOf(h.getValue())));
    return producer.send(record);
  }
}
