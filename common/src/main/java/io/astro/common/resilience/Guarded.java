package io.astro.common.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a Future-returning call under a resilience4j circuit breaker, and optionally a retry and a
 * bulkhead, without blocking: resilience4j's decorators wait on threads, so this drives their state
 * machines from Vert.x callbacks instead.
 *
 * <ul>
 *   <li>bulkhead: a place is taken before the first attempt and given back when the call is over —
 *       or later, when the caller says so (a response streamed after the call answered). Full: the
 *       call fails at once with {@link BulkheadFullException}; nothing queues.
 *   <li>breaker: every attempt asks it first (open: the call fails at once with {@link
 *       CallNotPermittedException}) and reports how it went, timed from the attempt's start; a
 *       {@link Judge} says what an outcome counts as.
 *   <li>retry: a counted failure is tried again after the retry's back-off, on a Vert.x timer, as
 *       long as it allows; then the call ends with the last outcome.
 * </ul>
 *
 * Timeouts belong to the attempt itself (an HTTP client's connect and idle timeouts): a streamed
 * body has no overall deadline, only a longest silence. Metrics are the registries' own ({@code
 * resilience4j_*}): this only reports to the state machines.
 */
public final class Guarded {

  private final Vertx vertx;
  private final CircuitBreaker breaker;
  private final Optional<Retry> retry;
  private final Optional<Bulkhead> bulkhead;

  private Guarded(
      Vertx vertx, CircuitBreaker breaker, Optional<Retry> retry, Optional<Bulkhead> bulkhead) {
    this.vertx = vertx;
    this.breaker = breaker;
    this.retry = retry;
    this.bulkhead = bulkhead;
  }

  /** Calls guarded by {@code breaker} alone: one attempt each, no concurrency bound. */
  public static Guarded by(Vertx vertx, CircuitBreaker breaker) {
    return new Guarded(vertx, breaker, Optional.empty(), Optional.empty());
  }

  /** The same guard, trying failed calls again as {@code retry} allows. */
  public Guarded retrying(Retry retry) {
    return new Guarded(vertx, breaker, Optional.of(retry), bulkhead);
  }

  /** The same guard without retries (calls that must not be repeated, e.g. with a body). */
  public Guarded once() {
    return new Guarded(vertx, breaker, Optional.empty(), bulkhead);
  }

  /** The same guard, bounding concurrent calls by {@code bulkhead}. */
  public Guarded bounded(Bulkhead bulkhead) {
    return new Guarded(vertx, breaker, retry, Optional.of(bulkhead));
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  /** Runs {@code attempt} under the guard; a bulkhead place is held until the call is over. */
  public <T> Future<T> call(Supplier<Future<T>> attempt, Judge<T> judge) {
    Promise<Void> over = Promise.promise();
    return call(attempt, judge, over.future()).andThen(done -> over.tryComplete());
  }

  /**
   * Runs {@code attempt} under the guard; a bulkhead place is held until {@code release} completes,
   * however the call went.
   */
  public <T> Future<T> call(Supplier<Future<T>> attempt, Judge<T> judge, Future<?> release) {
    if (bulkhead.isPresent()) {
      Bulkhead bound = bulkhead.get();
      if (!bound.tryAcquirePermission()) {
        return Future.failedFuture(BulkheadFullException.createBulkheadFullException(bound));
      }
      release.onComplete(done -> bound.onComplete());
    }
    Promise<T> outcome = Promise.promise();
    attempt(new Call<>(attempt, judge, retry.map(Retry::asyncContext), outcome));
    return outcome.future();
  }

  private record Call<T>(
      Supplier<Future<T>> attempt,
      Judge<T> judge,
      Optional<Retry.AsyncContext<T>> retry,
      Promise<T> outcome) {}

  private <T> void attempt(Call<T> call) {
    if (!breaker.tryAcquirePermission()) {
      call.outcome().fail(CallNotPermittedException.createCallNotPermittedException(breaker));
      return;
    }
    long start = System.nanoTime();
    Future<T> attempted;
    try {
      attempted = call.attempt().get();
    } catch (RuntimeException e) {
      attempted = Future.failedFuture(e);
    }
    attempted.onComplete(result -> judged(call, System.nanoTime() - start, result));
  }

  private <T> void judged(Call<T> call, long nanos, AsyncResult<T> result) {
    Verdict verdict =
        result.succeeded()
            ? call.judge().ofResult(result.result())
            : call.judge().ofFailure(result.cause());
    if (verdict instanceof Verdict.Failure failure) {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, failure.cause());
      long delay = call.retry().map(retry -> retry.onError(failure.cause())).orElse(-1L);
      if (delay < 0) {
        call.outcome().handle(result);
        return;
      }
      if (result.succeeded()) {
        call.judge().discard(result.result());
      }
      vertx.setTimer(Math.max(1, delay), id -> attempt(call));
    } else if (verdict instanceof Verdict.NotCounted) {
      breaker.releasePermission();
      call.outcome().handle(result);
    } else {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
      call.retry().ifPresent(Retry.AsyncContext::onComplete);
      call.outcome().handle(result);
    }
  }
}
