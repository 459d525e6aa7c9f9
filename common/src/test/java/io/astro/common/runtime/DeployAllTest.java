package io.astro.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A service's verticles start side by side: a start-up takes as long as its slowest verticle, not
 * the sum of all of them.
 */
class DeployAllTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final Service service = Service.create("deploy-all");

  @AfterEach
  void close() {
    service.close().await();
  }

  @Test
  void every_verticle_starts_while_the_others_are_still_starting() throws Exception {
    // each start completes only once all three have begun: one after the other, the first would
    // wait for the second forever
    CountDownLatch begun = new CountDownLatch(3);
    Promise<Void> allBegun = Promise.promise();
    Supplier<? extends Deployable> waiting =
        () ->
            new VerticleBase() {
              @Override
              public Future<?> start() {
                begun.countDown();
                if (begun.getCount() == 0) {
                  allBegun.tryComplete();
                }
                return allBegun.future();
              }
            };

    Future<Service> deployed = service.deployAll(List.of(waiting, waiting, waiting));

    assertThat(begun.await(BOUND.toMillis(), TimeUnit.MILLISECONDS))
        .as("all three started side by side")
        .isTrue();
    assertThat(deployed.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isSameAs(service);
    assertThat(service.vertx().deploymentIDs()).hasSize(3);
  }

  @Test
  void one_verticle_that_fails_to_start_fails_the_whole_start() {
    Supplier<? extends Deployable> fine =
        () ->
            new VerticleBase() {
              @Override
              public Future<?> start() {
                return Future.succeededFuture();
              }
            };
    Supplier<? extends Deployable> failing =
        () ->
            new VerticleBase() {
              @Override
              public Future<?> start() {
                return Future.failedFuture("no broker");
              }
            };

    assertThatThrownBy(
            () ->
                service
                    .deployAll(List.of(fine, failing, fine))
                    .await(BOUND.toMillis(), TimeUnit.MILLISECONDS))
        .hasMessageContaining("no broker");
  }
}
