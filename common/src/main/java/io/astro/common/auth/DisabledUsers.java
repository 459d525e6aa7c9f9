package io.astro.common.auth;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users whose tokens must stop working although they are still valid: user-service's list of
 * disabled users ({@code GET /internal/v1/users/disabled}, {@code data.uuids}) and the token
 * versions of users who changed their password lately ({@code data.token_versions}, uuid to
 * version; a token of an older version than its user's is refused, absent means none), polled in
 * the background (one poll at a time, the next one a poll period after the last ended) so the hot
 * path only looks into a set. When user-service is unreachable the last known list stays in force;
 * until a first list arrives, protected routes are not served at all ({@link #refuseDisabled}
 * answers 503) rather than let a disabled user through. The gateway and app-service each hold one,
 * so a token of a disabled user stops working on app-service reached directly too.
 */
public final class DisabledUsers extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DisabledUsers.class);
  private static final ApiException DISABLED =
      new ApiException(ErrorCode.UNAUTHORIZED, "missing or invalid token");
  private static final ApiException NOT_LOADED =
      new ApiException(ErrorCode.UNAVAILABLE, "account status is not loaded yet, retry shortly");

  private static final long FIRST_RETRY_MS = 1_000;

  private final Supplier<Future<JsonObject>> fetch;
  private final Duration interval;
  private volatile Set<String> uuids;
  private volatile Map<String, Long> tokenVersions = Map.of();
  private volatile long lastSuccessNanos;
  private volatile boolean stopped;
  private boolean failing;

  /**
   * @param fetch one read of the list's envelope
   * @param metricPrefix the owner's metric names start with it ({@code astro.gateway})
   */
  public DisabledUsers(
      Supplier<Future<JsonObject>> fetch,
      Duration interval,
      MeterRegistry registry,
      String metricPrefix) {
    this.fetch = fetch;
    this.interval = interval;
    Gauge.builder(
            metricPrefix + ".disabled.users",
            this,
            d -> d.uuids == null ? Double.NaN : d.uuids.size())
        .description("users whose tokens are refused")
        .register(registry);
    Gauge.builder(metricPrefix + ".disabled.users.age", this, DisabledUsers::ageSeconds)
        .baseUnit("seconds")
        .description("time since the disabled-users list was last fetched")
        .register(registry);
  }

  /**
   * Completes after the first poll, whatever its outcome: the gateway starts while user-service is
   * down.
   */
  @Override
  public Future<?> start() {
    return poll().onComplete(done -> schedule()).otherwiseEmpty();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return Future.succeededFuture();
  }

  /** Whether a list has been fetched at least once. */
  public boolean loaded() {
    return uuids != null;
  }

  /**
   * Route handler after {@link AuthHandler}: a disabled user's token, and a token issued before its
   * user's last password change, answer 401 like any invalid one; before a first list has loaded,
   * 503 (the token may well be valid: a 401 would make clients throw it away).
   */
  public void refuseDisabled(RoutingContext ctx) {
    Set<String> disabled = uuids;
    if (disabled == null) {
      ctx.fail(NOT_LOADED);
    } else if (refused(disabled, AuthHandler.caller(ctx))) {
      ctx.fail(DISABLED);
    } else {
      ctx.next();
    }
  }

  private boolean refused(Set<String> disabled, Caller caller) {
    Long version = tokenVersions.get(caller.uuid());
    return disabled.contains(caller.uuid()) || (version != null && caller.tokenVersion() < version);
  }

  // until a first list is in, protected routes answer 503: try again within a second, not a period
  private void schedule() {
    if (!stopped) {
      long delay =
          uuids == null ? Math.min(interval.toMillis(), FIRST_RETRY_MS) : interval.toMillis();
      vertx.setTimer(delay, id -> poll().onComplete(done -> schedule()));
    }
  }

  private Future<Void> poll() {
    return fetch
        .get()
        .compose(DisabledUsers::parse)
        .onSuccess(
            list -> {
              if (failing || uuids == null) {
                LOG.info("disabled-users list loaded: {} user(s)", list.disabled().size());
              }
              // versions first: a reader that sees the new list sees at least these versions
              tokenVersions = list.tokenVersions();
              uuids = list.disabled();
              lastSuccessNanos = System.nanoTime();
              failing = false;
            })
        .onFailure(
            e -> {
              if (!failing) {
                failing = true;
                LOG.warn(
                    "cannot fetch the disabled-users list ({}); {}",
                    e.getMessage(),
                    uuids == null
                        ? "protected routes answer 503 until it loads"
                        : "keeping the last known list");
              }
            })
        .mapEmpty();
  }

  private record Lists(Set<String> disabled, Map<String, Long> tokenVersions) {}

  // token_versions is optional: a user-service from before password changes does not send it
  private static Future<Lists> parse(JsonObject envelope) {
    JsonObject data = envelope.getValue("data") instanceof JsonObject d ? d : null;
    JsonArray list = data == null || !(data.getValue("uuids") instanceof JsonArray a) ? null : a;
    if (list == null) {
      return Future.failedFuture(
          new IllegalStateException("disabled-users answer has no data.uuids"));
    }
    Set<String> disabled =
        Set.copyOf(list.stream().filter(String.class::isInstance).map(String.class::cast).toList());
    Map<String, Long> versions = new HashMap<>();
    if (data.getValue("token_versions") instanceof JsonObject given) {
      given.forEach(
          entry -> {
            if (entry.getValue() instanceof Number version) {
              versions.put(entry.getKey(), version.longValue());
            }
          });
    }
    return Future.succeededFuture(new Lists(disabled, Map.copyOf(versions)));
  }

  private double ageSeconds() {
    return uuids == null ? Double.NaN : (System.nanoTime() - lastSuccessNanos) / 1e9;
  }
}
