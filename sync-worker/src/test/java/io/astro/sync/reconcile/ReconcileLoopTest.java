package io.astro.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order in which the work queue hands apps to its workers. Apps whose Deployment exists (a
 * command on them, an informer event about them) go ahead of apps still to be created, so at a cold
 * start statuses go out while the first pass still creates; creates still get their turn.
 */
class ReconcileLoopTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> order = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstEntered = new CountDownLatch(1);
  private final CountDownLatch releaseFirst = new CountDownLatch(1);
  private final AtomicInteger calls = new AtomicInteger();
  private ReconcileLoop loop;

  @AfterEach
  void close() {
    releaseFirst.countDown();
    if (loop != null) {
      loop.close();
    }
  }

  /**
   * One worker; the first reconcile holds it until {@link #releaseFirst}, so everything queued
   * meanwhile is ordered by the queue alone. An app counts as deployed when {@code deployed} says
   * so.
   */
  private ReconcileLoop oneWorker(Predicate<String> deployed) {
    return start(1, deployed, id -> new AppReconciler.Result.Done());
  }

  private ReconcileLoop start(
      int workers, Predicate<String> deployed, Function<String, AppReconciler.Result> result) {
    loop =
        new ReconcileLoop(
            new ReconcileLoop.Reconciler() {
              @Override
              public AppReconciler.Result reconcile(String appId) {
                order.add(appId);
                if (calls.getAndIncrement() == 0) {
                  firstEntered.countDown();
                  await(releaseFirst);
                }
                return result.apply(appId);
              }

              @Override
              public boolean deployed(String appId) {
                return deployed.test(appId);
              }
            },
            workers,
            Duration.ofMillis(1),
            Duration.ofMillis(10),
            registry);
    loop.start();
    return loop;
  }

  @Test
  void apps_whose_deployment_exists_go_ahead_of_apps_still_to_be_created() {
    oneWorker(id -> id.startsWith("existing"));
    loop.enqueue("new-0");
    await(firstEntered);
    for (int i = 1; i <= 5; i++) {
      loop.enqueue("new-" + i);
    }
    loop.enqueue("existing-scaled"); // a command on an app whose Deployment is there
    loop.touched("new-ready"); // an informer event: the app's objects exist by now
    releaseFirst.countDown();

    awaitReconciles(8);
    assertThat(order)
        .containsExactly(
            "new-0", "existing-scaled", "new-ready", "new-1", "new-2", "new-3", "new-4", "new-5");
  }

  @Test
  void an_app_waiting_to_be_created_moves_ahead_when_an_informer_event_names_it_and_runs_once() {
    oneWorker(id -> false);
    loop.enqueue("new-0");
    await(firstEntered);
    loop.enqueue("new-1");
    loop.enqueue("new-2");
    loop.enqueue("new-3");
    loop.touched("new-2");
    loop.enqueue("new-2"); // queued again behind: it keeps its place ahead
    releaseFirst.countDown();

    awaitReconciles(4);
    assertThat(order).containsExactly("new-0", "new-2", "new-1", "new-3");
  }

  @Test
  void apps_to_be_created_still_get_a_turn_while_informer_events_keep_coming() {
    oneWorker(id -> id.startsWith("ready"));
    loop.enqueue("new-0");
    await(firstEntered);
    loop.enqueue("new-1");
    loop.enqueue("new-2");
    int ready = 2 * ReconcileQueue.EXISTING_IN_A_ROW + 4;
    for (int i = 1; i <= ready; i++) {
      loop.touched("ready-" + i);
    }
    releaseFirst.countDown();

    awaitReconciles(3 + ready);
    List<String> expected = new ArrayList<>(List.of("new-0"));
    int n = ReconcileQueue.EXISTING_IN_A_ROW;
    for (int i = 1; i <= n; i++) {
      expected.add("ready-" + i);
    }
    expected.add("new-1");
    for (int i = n + 1; i <= 2 * n; i++) {
      expected.add("ready-" + i);
    }
    expected.add("new-2");
    for (int i = 2 * n + 1; i <= ready; i++) {
      expected.add("ready-" + i);
    }
    assertThat(order).containsExactlyElementsOf(expected);
  }

  @Test
  void an_app_queued_while_a_worker_has_it_runs_again_afterwards_never_twice_at_once() {
    start(4, id -> true, id -> new AppReconciler.Result.Done());
    loop.enqueue("a");
    await(firstEntered);
    loop.touched("a");
    loop.enqueue("b"); // behind the second "a": once a worker has "b", "a" was not to be had
    Eventually.until("b taken by another worker", WAIT, () -> order.contains("b"));
    assertThat(order).containsExactly("a", "b");
    releaseFirst.countDown();

    awaitReconciles(3);
    assertThat(order).containsExactly("a", "b", "a");
  }

  @Test
  void a_failed_reconcile_comes_back_after_its_back_off_and_is_counted() {
    AtomicInteger attempts = new AtomicInteger();
    start(
        1,
        id -> false,
        id ->
            attempts.incrementAndGet() < 3
                ? new AppReconciler.Result.Retry("InternalError")
                : new AppReconciler.Result.Done());
    releaseFirst.countDown();
    loop.enqueue("flaky");

    awaitReconciles(3);
    assertThat(order).containsExactly("flaky", "flaky", "flaky");
    assertThat(
            registry
                .get("astro_sync_reconcile_retries")
                .tag("reason", "InternalError")
                .counter()
                .count())
        .isEqualTo(2.0);
  }

  @Test
  void an_app_whose_status_could_not_be_sent_is_reconciled_again_and_counted() {
    start(1, id -> true, id -> new AppReconciler.Result.Done());
    loop.enqueue("a");
    awaitReconciles(1);
    releaseFirst.countDown();

    loop.unpublished("a");

    awaitReconciles(2);
    assertThat(order).containsExactly("a", "a");
    assertThat(
            registry
                .get("astro_sync_reconcile_retries")
                .tag("reason", ReconcileLoop.UNPUBLISHED)
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  private void awaitReconciles(int n) {
    Eventually.until(n + " reconciles", WAIT, () -> order.size() >= n);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("latch").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
