package io.astro.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code astro_gateway_requests_seconds}: latency histogram and request rate of every proxied
 * route, labelled by route template (never the raw path, which would make one series per app id),
 * method and status. Refusals made at the gateway (401, 429, 503) are counted too.
 */
public final class RouteMetrics {

  private static final Set<HttpMethod> METHODS =
      Set.of(
          HttpMethod.GET,
          HttpMethod.HEAD,
          HttpMethod.POST,
          HttpMethod.PUT,
          HttpMethod.PATCH,
          HttpMethod.DELETE,
          HttpMethod.OPTIONS);
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final MeterRegistry registry;

  public RouteMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** First handler of a route: times the request until its response is done. */
  public Handler<RoutingContext> timing(String routeTemplate) {
    return ctx -> {
      long start = System.nanoTime();
      ctx.addEndHandler(
          done ->
              Timer.builder("astro.gateway.requests")
                  .description("requests through the gateway by route template")
                  .tag("route", routeTemplate)
                  // custom methods would make the label unbounded
                  .tag(
                      "method",
                      METHODS.contains(ctx.request().method())
                          ? ctx.request().method().name()
                          : "OTHER")
                  .tag("status", Integer.toString(ctx.response().getStatusCode()))
                  .serviceLevelObjectives(BUCKETS)
                  .register(registry)
                  .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
      ctx.next();
    };
  }
}
