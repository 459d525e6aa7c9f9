package io.astro.common.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges whose values are read by a Future-returning call (a database count, say) on a timer,
 * instead of being tracked in memory: a scrape only reads the last values and never waits for a
 * query. Every series exists from registration on (0 until the first read), so a status nobody is
 * in reads 0 rather than missing. A failed read keeps that gauge's last values and does not stop
 * the others.
 */
public final class PolledGauges {

  private static final Logger LOG = LoggerFactory.getLogger(PolledGauges.class);

  private final MeterRegistry registry;
  private final List<Supplier<Future<Void>>> reads = new ArrayList<>();
  private Vertx vertx;
  private long timer = -1;

  public PolledGauges(MeterRegistry registry) {
    this.registry = registry;
  }

  /** One gauge {@code name}, set to what {@code read} answers. */
  public PolledGauges gauge(String name, String description, Supplier<Future<Long>> read) {
    AtomicLong value = new AtomicLong();
    Gauge.builder(name, value, AtomicLong::get).description(description).register(registry);
    reads.add(() -> read.get().map(n -> store(value, n)));
    return this;
  }

  /**
   * One series {@code name{tag=value}} per value in {@code values}; {@code read} answers counts by
   * tag value, and a value it does not name reads 0 (values outside {@code values} are ignored).
   */
  public PolledGauges gaugesBy(
      String name,
      String description,
      String tag,
      Collection<String> values,
      Supplier<Future<Map<String, Long>>> read) {
    Map<String, AtomicLong> series = new LinkedHashMap<>();
    for (String value : values) {
      AtomicLong count = new AtomicLong();
      series.put(value, count);
      Gauge.builder(name, count, AtomicLong::get)
          .tag(tag, value)
          .description(description)
          .register(registry);
    }
    reads.add(
        () ->
            read.get()
                .map(
                    counts -> {
                      series.forEach((value, count) -> store(count, counts.get(value)));
                      return null;
                    }));
    return this;
  }

  /** Reads every gauge once, one after the other; fails if any read failed. */
  public Future<Void> refresh() {
    Future<Void> done = Future.succeededFuture();
    List<Throwable> failures = new ArrayList<>();
    for (Supplier<Future<Void>> read : reads) {
      done = done.transform(previous -> read(read).onFailure(failures::add).otherwiseEmpty());
    }
    return done.compose(
        v -> failures.isEmpty() ? Future.succeededFuture() : Future.failedFuture(failures.get(0)));
  }

  /** Reads now and then every {@code every} on {@code vertx}'s timer, until {@link #stop()}. */
  public void start(Vertx vertx, Duration every) {
    this.vertx = vertx;
    timer =
        vertx.setPeriodic(
            1,
            every.toMillis(),
            t -> refresh().onFailure(e -> LOG.debug("gauges not refreshed: {}", e.getMessage())));
  }

  public void stop() {
    if (vertx != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** A verticle that reads these gauges while it is deployed: now, then every {@code every}. */
  public Deployable polledEvery(Duration every) {
    return new VerticleBase() {
      @Override
      public Future<?> start() {
        PolledGauges.this.start(vertx, every);
        return Future.succeededFuture();
      }

      @Override
      public Future<?> stop() {
        PolledGauges.this.stop();
        return Future.succeededFuture();
      }
    };
  }

  private static Future<Void> read(Supplier<Future<Void>> read) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static Void store(AtomicLong gauge, Long value) {
    gauge.set(value == null ? 0 : value);
    return null;
  }
}
