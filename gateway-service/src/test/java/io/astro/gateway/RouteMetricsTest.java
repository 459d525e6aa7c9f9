package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RouteMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RouteMetrics metrics = new RouteMetrics(registry);

  @Test
  void aRouteRecordsEveryRequestOfOneMethodAndStatusIntoTheSameTimer() {
    RouteMetrics.RouteTimers timers = metrics.timersFor("/api/v1/apps/**");

    Timer first = timers.timer(HttpMethod.GET, 200);
    Timer again = timers.timer(HttpMethod.GET, 200);
    first.record(1, TimeUnit.MILLISECONDS);
    again.record(1, TimeUnit.MILLISECONDS);

    assertThat(again).isSameAs(first);
    assertThat(
            registry
                .get("astro.gateway.requests")
                .tags("route", "/api/v1/apps/**", "method", "GET", "status", "200")
                .timer()
                .count())
        .isEqualTo(2);
  }

  @Test
  void methodAndStatusEachGetTheirOwnSeries() {
    RouteMetrics.RouteTimers timers = metrics.timersFor("/api/v1/apps/**");

    timers.timer(HttpMethod.GET, 200).record(1, TimeUnit.MILLISECONDS);
    timers.timer(HttpMethod.GET, 429).record(1, TimeUnit.MILLISECONDS);
    timers.timer(HttpMethod.POST, 200).record(1, TimeUnit.MILLISECONDS);

    assertThat(registry.get("astro.gateway.requests").timers()).hasSize(3);
    assertThat(timers.timer(HttpMethod.GET, 429)).isNotSameAs(timers.timer(HttpMethod.GET, 200));
  }

  @Test
  void customMethodsShareOneLabelSoTheSeriesStayBounded() {
    RouteMetrics.RouteTimers timers = metrics.timersFor("/api/v1/apps/**");

    Timer purge = timers.timer(HttpMethod.valueOf("PURGE"), 405);
    Timer brew = timers.timer(HttpMethod.valueOf("BREW"), 405);

    assertThat(brew).isSameAs(purge);
    assertThat(purge.getId().getTag("method")).isEqualTo("OTHER");
  }
}
