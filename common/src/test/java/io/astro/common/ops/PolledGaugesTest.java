package io.astro.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PolledGaugesTest {

  private final MeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void every_series_exists_at_zero_before_the_first_read() {
    new PolledGauges(registry)
        .gaugesBy("astro_things", "things", "status", List.of("on", "off"), () -> never())
        .gauge("astro_pending", "pending", () -> never());

    assertThat(value("astro_things", "on")).isZero();
    assertThat(value("astro_things", "off")).isZero();
    assertThat(registry.get("astro_pending").gauge().value()).isZero();
  }

  @Test
  void a_refresh_sets_each_series_to_what_was_read_and_unnamed_values_to_zero() {
    AtomicReference<Map<String, Long>> counts =
        new AtomicReference<>(Map.of("on", 3L, "off", 1L, "unknown", 9L));
    PolledGauges gauges =
        new PolledGauges(registry)
            .gaugesBy(
                "astro_things",
                "things",
                "status",
                List.of("on", "off"),
                () -> Future.succeededFuture(counts.get()))
            .gauge("astro_pending", "pending", () -> Future.succeededFuture(4L));

    gauges.refresh().await();
    assertThat(value("astro_things", "on")).isEqualTo(3);
    assertThat(value("astro_things", "off")).isEqualTo(1);
    assertThat(registry.find("astro_things").tag("status", "unknown").gauge()).isNull();
    assertThat(registry.get("astro_pending").gauge().value()).isEqualTo(4);

    counts.set(Map.of("on", 2L));
    gauges.refresh().await();
    assertThat(value("astro_things", "on")).isEqualTo(2);
    assertThat(value("astro_things", "off")).isZero();
  }

  @Test
  void a_failed_read_keeps_its_last_values_and_does_not_stop_the_others() {
    AtomicReference<Future<Map<String, Long>>> things =
        new AtomicReference<>(Future.succeededFuture(Map.of("on", 5L)));
    AtomicReference<Long> pending = new AtomicReference<>(1L);
    PolledGauges gauges =
        new PolledGauges(registry)
            .gaugesBy("astro_things", "things", "status", List.of("on"), things::get)
            .gauge("astro_pending", "pending", () -> Future.succeededFuture(pending.get()));
    gauges.refresh().await();

    things.set(Future.failedFuture(new IllegalStateException("database away")));
    pending.set(7L);
    Future<Void> refreshed = gauges.refresh();

    assertThat(refreshed.failed()).isTrue();
    assertThat(refreshed.cause()).hasMessage("database away");
    assertThat(value("astro_things", "on")).isEqualTo(5);
    assertThat(registry.get("astro_pending").gauge().value()).isEqualTo(7);
  }

  private double value(String name, String status) {
    return registry.get(name).tag("status", status).gauge().value();
  }

  private static <T> Future<T> never() {
    throw new AssertionError("not read before a refresh");
  }
}
