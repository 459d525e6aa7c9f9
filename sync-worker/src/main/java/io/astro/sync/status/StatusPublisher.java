package io.astro.sync.status;

import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.events.app.NamespaceStatusEvent;
import io.micrometer.core.instrument.Counter;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes {@link AppStatusEvent}s (key = app id) when what a user sees of an app changed since
 * this worker last published it. After a start, a rebalance or a reconnect the memory is dropped
 * ({@link #forget}), so the current status of every app goes out once more. Sends are awaited: a
 * reconcile that could not publish fails and is retried.
 */
public final class StatusPublisher {

  private record Commanded(long generation, long at) {}

  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final Map<String, Published> published = new ConcurrentHashMap<>();

  /** A status as published: the state, where the app answered and its certificates' state. */
  private record Published(
      AppState status,
      String url,
      List<String> domains,
      List<AppStatusEvent.Certificate> certificates) {}

  private final Map<String, Commanded> commanded = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final Timer commandToStatus;

  public StatusPublisher(
      KafkaProducer<String, String> producer, String topic, MeterRegistry registry) {
    this.producer = producer;
    this.topic = topic;
    this.registry = registry;
    this.commandToStatus =
        Timer.builder("astro_sync_command_to_status")
            .description("time from a command record to the first settled status of its generation")
            .publishPercentileHistogram()
            .register(registry);
  }

  /**
   * A command of this generation was recorded at {@code epochMillis} (its record time), for the
   * latency metric.
   */
  public void commanded(String appId, long generation, long epochMillis) {
    commanded.put(appId, new Commanded(generation, epochMillis));
  }

  /** Publishes {@code status} unless it is what was published last; true when it went out. */
  public boolean publish(AppCommand app, AppState status) {
    return publish(app, status, null);
  }

  /**
   * Publishes {@code status} with the app's public {@code url} (null: none) and, with it, the
   * custom domains its Ingress answers for, unless all are what was published last; true when it
   * went out.
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
    if (now.equals(published.get(app.appId()))) {
      return false;
    }
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    AppStatusEvent observed = AppStatusEvent.observed(app.appId(), app.cluster(), status, at);
    String event =
        (url == null ? observed : observed.reachableAt(url, domains).withCertificates(certs))
            .encode();
    try {
      producer.send(new ProducerRecord<>(topic, app.appId(), event)).get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing a status", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "status of " + app.appId() + " not published: " + e.getMessage(), e);
    }
    published.put(app.appId(), now);
    Counter.builder("astro_sync_status_published")
        .tag("status", status.status().value())
        .register(registry)
        .increment();
    Commanded c = commanded.get(app.appId());
    if (c != null
        && c.generation() == status.observedGeneration()
        && status.status().settled()
        && commanded.remove(app.appId(), c)) {
      commandToStatus.record(Duration.ofMillis(Math.max(0, at.toEpochMilli() - c.at())));
    }
    return true;
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

  /** Forgets what was published for these apps, so their next reconcile publishes again. */
  public void forget(Collection<String> appIds) {
    appIds.forEach(published::remove);
  }
}
