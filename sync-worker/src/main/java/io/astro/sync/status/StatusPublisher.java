package io.astro.sync.status;

import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.events.app.NamespaceStatusEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes {@link AppStatusEvent}s (key = app id) when what a user sees of an app changed since
 * this worker last sent it. After a start, a rebalance or a reconnect the memory is dropped ({@link
 * #forget}), so the current status of every app goes out once more.
 *
 * <p>Sends are not awaited: a reconcile worker waiting for each acknowledgement spent most of a
 * cold start waiting for Kafka. What that gave stays so. A send that fails is forgotten, and the
 * app is handed to {@code unpublished} (the reconcile queue), whose next reconcile publishes the
 * app's status as it is then: never the failed record again, which could overtake a newer one.
 * Records of one app share its key, hence its partition, and the idempotent producer keeps their
 * order. At most {@code maxInFlight} statuses wait for their acknowledgement; a publish beyond that
 * waits for one, so a slow Kafka slows the reconcile workers instead of filling the heap.
 */
public final class StatusPublisher {

  /** Statuses waiting for their acknowledgement, beyond which a publish waits (one KiB each). */
  public static final int MAX_IN_FLIGHT = 1024;

  private record Commanded(long generation, long at) {}

  /**
   * A status as sent. Compared by identity: only a failure of the latest send of an app forgets it.
   */
  private static final class Sent {
    final Published status;

    Sent(Published status) {
      this.status = status;
    }
  }

  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final Consumer<String> unpublished;
  private final int maxInFlight;
  private final Semaphore inFlight;
  private final Map<String, Sent> sent = new ConcurrentHashMap<>();

  /** A status as published: the state, where the app answered and its certificates' state. */
  private record Published(
      AppState status,
      String url,
      List<String> domains,
      List<AppStatusEvent.Certificate> certificates) {}

  private final Map<String, Commanded> commanded = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final Timer commandToStatus;

  /**
   * @param unpublished told the id of an app whose latest status could not be sent (called on the
   *     producer's thread: it should only queue the app)
   */
  public StatusPublisher(
      KafkaProducer<String, String> producer,
      String topic,
      MeterRegistry registry,
      int maxInFlight,
      Consumer<String> unpublished) {
    this.producer = producer;
    this.topic = topic;
    this.unpublished = unpublished;
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    this.registry = registry;
    this.commandToStatus =
        Timer.builder("astro_sync_command_to_status")
            .description("time from a command record to the first settled status of its generation")
            .publishPercentileHistogram()
            .register(registry);
    Gauge.builder("astro_sync_status_in_flight", this, StatusPublisher::inFlight)
        .description("statuses sent and not yet acknowledged")
        .register(registry);
  }

  /**
   * A command of this generation was recorded at {@code epochMillis} (its record time), for the
   * latency metric.
   */
  public void commanded(String appId, long generation, long epochMillis) {
    commanded.put(appId, new Commanded(generation, epochMillis));
  }

  /** Publishes {@code status} unless it is what was sent last; true when it was sent. */
  public boolean publish(AppCommand app, AppState status) {
    return publish(app, status, null);
  }

  /**
   * Publishes {@code status} with the app's public {@code url} (null: none) and, with it, the
   * custom domains its Ingress answers for, unless all are what was sent last; true when it was
   * sent (its acknowledgement may still be on its way).
   */
  public boolean publish(AppCommand app, AppState status, String url) {
    return publish(app, status, url, List.of());
  }

  /**
   * As {@link #publish(AppCommand, AppState, String)}, with the state of the TLS certificates of
   * the app's hosts (none: the cluster does not say).
   */
  public boolean publish(
      AppCommand app, AppState status, String url, List<AppStatusEvent.Certificate> certificates) {
    List<String> domains = url == null ? List.of() : app.desired().domains();
    List<AppStatusEvent.Certificate> certs = url == null ? List.of() : certificates;
    Published now = new Published(status, url, domains, certs);
    Sent last = sent.get(app.appId());
    if (last != null && now.equals(last.status)) {
      return false;
    }
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    AppStatusEvent observed = AppStatusEvent.observed(app.appId(), app.cluster(), status, at);
    String event =
        (url == null ? observed : observed.reachableAt(url, domains).withCertificates(certs))
            .encode();
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing a status", e);
    }
    Sent mine = new Sent(now);
    sent.put(app.appId(), mine);
    AtomicBoolean completed = new AtomicBoolean();
    Callback done =
        (metadata, failure) -> {
          if (!completed.compareAndSet(false, true)) {
            return;
          }
          try {
            if (failure == null) {
              acknowledged(app.appId(), status, at);
            } else if (sent.remove(app.appId(), mine)) {
              // a newer status sent since carries what is true now; else the app is reconciled
              // again
              unpublished.accept(app.appId());
            }
          } finally {
            inFlight.release();
          }
        };
    try {
      // the callback has the outcome
      var unused = producer.send(new ProducerRecord<>(topic, app.appId(), event), done);
    } catch (RuntimeException e) {
      // a closed producer, or an interrupt while waiting for room in its buffer
      done.onCompletion(null, e);
      throw new IllegalStateException(
          "status of " + app.appId() + " not published: " + e.getMessage(), e);
    }
    return true;
  }

  private void acknowledged(String appId, AppState status, Instant at) {
    Counter.builder("astro_sync_status_published")
        .tag("status", status.status().value())
        .register(registry)
        .increment();
    Commanded c = commanded.get(appId);
    if (c != null
        && c.generation() == status.observedGeneration()
        && status.status().settled()
        && commanded.remove(appId, c)) {
      commandToStatus.record(Duration.ofMillis(Math.max(0, at.toEpochMilli() - c.at())));
    }
  }

  /** Statuses sent and not yet acknowledged (or failed). */
  public int inFlight() {
    return maxInFlight - inFlight.availablePermits();
  }

  /**
   * Publishes that a namespace is gone from every cluster, keyed by the namespace (the answer to
   * its removal command).
   */
  public void publish(NamespaceStatusEvent event) {
    try {
      producer
          .send(new ProducerRecord<>(topic, event.namespace(), event.encode()))
          .get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing a status", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "status of " + event.namespace() + " not published: " + e.getMessage(), e);
    }
    Counter.builder("astro_sync_status_published")
        .tag("status", "namespace " + event.status().value())
        .register(registry)
        .increment();
  }

  /** Forgets what was sent for these apps, so their next reconcile publishes again. */
  public void forget(Collection<String> appIds) {
    appIds.forEach(sent::remove);
  }
}
