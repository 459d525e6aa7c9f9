package io.astro.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sandbox's own reads and writes of the mock's storage end, answered or not. */
class MockStoreTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void a_request_the_mock_never_answers_fails_instead_of_holding_its_caller_for_good()
      throws Exception {
    // takes the request and says nothing, as a mock stuck in a blocked write does
    HttpServer silent =
        vertx
            .createHttpServer()
            .requestHandler(request -> {})
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    try {
      MockStore store =
          new MockStore(
              vertx.createHttpClient(), "127.0.0.1", silent.actualPort(), Duration.ofMillis(300));

      Future<MockStore.Answer> answer =
          store.send(HttpMethod.GET, "/api/v1/namespaces/quiet/configmaps", null);

      // bounded far above the store's timeout: without one, the future never completes
      Throwable failure =
          answer
              .<Throwable>transform(done -> Future.succeededFuture(done.cause()))
              .await(20, TimeUnit.SECONDS);
      assertThat(failure).isNotNull();
    } finally {
      silent.close().await(10, TimeUnit.SECONDS);
    }
  }
}
