package io.astro.common.ops;

import io.astro.common.http.ApiResponse;
import io.astro.common.http.ErrorCode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What operators and orchestrators call: {@code /health} (the process is alive), {@code /ready}
 * (every dependency answers, checked in parallel with a timeout each; 503 naming the failed ones)
 * and {@code /metrics} (Prometheus text format from this service's registry). The public port
 * serves {@code /health} only, for load balancers; the management port serves all three, since
 * {@code /ready} names internal hosts in its failures and {@code /metrics} describes the service.
 */
public final class OpsRoutes {

  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final PrometheusMeterRegistry registry;
  private final List<ReadinessCheck> checks;

  private OpsRoutes(PrometheusMeterRegistry registry, List<ReadinessCheck> checks) {
    this.registry = registry;
    this.checks = List.copyOf(checks);
  }

  public static OpsRoutes create(PrometheusMeterRegistry registry, List<ReadinessCheck> checks) {
    return new OpsRoutes(registry, checks);
  }

  /** The public port's: {@code /health}. */
  public void mountPublic(Router router) {
    router.get("/health").handler(ctx -> ApiResponse.ok(ctx, new JsonObject().put("status", "UP")));
  }

  /** The management port's: {@code /health}, {@code /ready}, {@code /metrics}. */
  public void mountManagement(Router router) {
    mountPublic(router);
    router.get("/ready").handler(this::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
  }

  private void ready(RoutingContext ctx) {
    List<Future<String>> results = new ArrayList<>(checks.size());
    for (ReadinessCheck check : checks) {
      results.add(bounded(check).map("UP").otherwise(failure -> "DOWN: " + describe(failure)));
    }
    Future.join(results)
        .onComplete(
            done -> {
              JsonObject report = new JsonObject();
              List<String> down = new ArrayList<>();
              for (int i = 0; i < checks.size(); i++) {
                String state = results.get(i).result();
                report.put(checks.get(i).name(), state);
                if (!"UP".equals(state)) {
                  down.add(checks.get(i).name());
                }
              }
              JsonObject data =
                  new JsonObject()
                      .put("status", down.isEmpty() ? "UP" : "DOWN")
                      .put("checks", report);
              if (down.isEmpty()) {
                ApiResponse.ok(ctx, data);
              } else {
                ApiResponse.error(
                    ctx, ErrorCode.UNAVAILABLE, "not ready: " + String.join(", ", down), data);
              }
            });
  }

  private Future<Void> bounded(ReadinessCheck check) {
    Future<Void> result;
    try {
      result = check.check();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return result.timeout(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String describe(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return "no answer within " + CHECK_TIMEOUT.toSeconds() + "s";
    }
    return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
  }
}
