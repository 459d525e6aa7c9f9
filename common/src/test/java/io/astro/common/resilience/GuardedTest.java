package io.astro.common.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuardedTest {

  private static final IllegalStateException DOWN = new IllegalStateException("down");

  private final Vertx vertx = Vertx.vertx();
  private final CircuitBreaker breaker =
      CircuitBreaker.of(
          "upstream",
          CircuitBreakerConfig.custom()
              .slidingWindowSize(10)
              .minimumNumberOfCalls(10)
              .failureRateThreshold(50)
              .build());
  private final Retry retry =
      Retry.of(
          "upstream",
          RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(1)).build());

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void a_success_is_counted_once_and_answered() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    String answer =
        await(
            Guarded.by(vertx, breaker)
                .retrying(retry)
                .call(
                    () -> Future.succeededFuture("ok-" + attempts.incrementAndGet()),
                    Judge.failuresOnly()));

    assertThat(answer).isEqualTo("ok-1");
    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    assertThat(retry.getMetrics().getNumberOfSuccessfulCallsWithoutRetryAttempt()).isEqualTo(1);
  }

  @Test
  void a_failure_is_tried_again_until_an_attempt_works() throws Exception {
    Iterator<Future<String>> outcomes =
        List.of(Future.<String>failedFuture(DOWN), Future.succeededFuture("ok")).iterator();

    String answer =
        await(
            Guarded.by(vertx, breaker).retrying(retry).call(outcomes::next, Judge.failuresOnly()));

    assertThat(answer).isEqualTo("ok");
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    assertThat(retry.getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt()).isEqualTo(1);
  }

  @Test
  void when_no_try_is_left_the_call_fails_with_the_last_cause() {
    AtomicInteger attempts = new AtomicInteger();

    Future<String> call =
        Guarded.by(vertx, breaker)
            .retrying(retry)
            .call(
                () -> {
                  attempts.incrementAndGet();
                  return Future.failedFuture(DOWN);
                },
                Judge.failuresOnly());

    assertThatThrownBy(() -> await(call)).hasCause(DOWN);
    assertThat(attempts).hasValue(3);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(3);
    assertThat(retry.getMetrics().getNumberOfFailedCallsWithRetryAttempt()).isEqualTo(1);
  }

  @Test
  void a_failing_answer_is_retried_dropped_answers_are_discarded_and_the_last_is_answered()
      throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    List<Integer> discarded = new ArrayList<>();
    Judge<Integer> fiveHundredsFail =
        new Judge<>() {
          @Override
          public Verdict ofResult(Integer status) {
            return status >= 500
                ? Verdict.failure(new IllegalStateException("5xx"))
                : Verdict.SUCCESS;
          }

          @Override
          public Verdict ofFailure(Throwable cause) {
            return Verdict.failure(cause);
          }

          @Override
          public void discard(Integer status) {
            discarded.add(status);
          }
        };

    int answer =
        await(
            Guarded.by(vertx, breaker)
                .retrying(retry)
                .call(
                    () -> Future.succeededFuture(500 + attempts.incrementAndGet()),
                    fiveHundredsFail));

    assertThat(answer).isEqualTo(503);
    assertThat(discarded).containsExactly(501, 502);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(3);
  }

  @Test
  void without_retry_a_failure_is_answered_after_one_attempt() {
    AtomicInteger attempts = new AtomicInteger();

    Future<String> call =
        Guarded.by(vertx, breaker)
            .retrying(retry)
            .once()
            .call(
                () -> {
                  attempts.incrementAndGet();
                  return Future.failedFuture(DOWN);
                },
                Judge.failuresOnly());

    assertThatThrownBy(() -> await(call)).hasCause(DOWN);
    assertThat(attempts).hasValue(1);
  }

  @Test
  void an_uncounted_failure_is_neither_counted_nor_retried() {
    AtomicInteger attempts = new AtomicInteger();
    Judge<String> callersFault =
        new Judge<>() {
          @Override
          public Verdict ofResult(String result) {
            return Verdict.SUCCESS;
          }

          @Override
          public Verdict ofFailure(Throwable cause) {
            return Verdict.NOT_COUNTED;
          }
        };

    Future<String> call =
        Guarded.by(vertx, breaker)
            .retrying(retry)
            .call(
                () -> {
                  attempts.incrementAndGet();
                  return Future.failedFuture(DOWN);
                },
                callersFault);

    assertThatThrownBy(() -> await(call)).hasCause(DOWN);
    assertThat(attempts).hasValue(1);
    assertThat(breaker.getMetrics().getNumberOfBufferedCalls()).isZero();
  }

  @Test
  void an_open_breaker_refuses_without_attempting() {
    breaker.transitionToOpenState();
    AtomicInteger attempts = new AtomicInteger();

    Future<String> call =
        Guarded.by(vertx, breaker)
            .call(
                () -> Future.succeededFuture("ok-" + attempts.incrementAndGet()),
                Judge.failuresOnly());

    assertThatThrownBy(() -> await(call)).hasCauseInstanceOf(CallNotPermittedException.class);
    assertThat(attempts).hasValue(0);
  }

  @Test
  void a_bulkhead_place_is_held_until_released_and_a_full_bulkhead_refuses_at_once()
      throws Exception {
    Bulkhead bulkhead =
        Bulkhead.of(
            "upstream",
            BulkheadConfig.custom().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build());
    Guarded guard = Guarded.by(vertx, breaker).bounded(bulkhead);
    Supplier<Future<String>> ok = () -> Future.succeededFuture("ok");
    Promise<Void> streamed = Promise.promise();

    assertThat(await(guard.call(ok, Judge.failuresOnly(), streamed.future()))).isEqualTo("ok");
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isZero();
    assertThatThrownBy(() -> await(guard.call(ok, Judge.failuresOnly())))
        .hasCauseInstanceOf(BulkheadFullException.class);

    streamed.complete();
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
    assertThat(await(guard.call(ok, Judge.failuresOnly()))).isEqualTo("ok");
    assertThat(bulkhead.getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
  }

  // a bound on a broken driver, not a timing assertion: every call here completes in milliseconds
  private static <T> T await(Future<T> future)
      throws InterruptedException, ExecutionException, TimeoutException {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
