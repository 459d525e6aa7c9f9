package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.dev.AstroServices;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.EmbeddedMariaDb;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database stalls (its process stopped: connections stay open, statements hang) for 30 s under
 * a stream of creates. Each create answers 503 before the gateway's timeout, and a 503 means what
 * it says: none of them is stored once the database goes on — app-service commits a request's
 * changes only before its deadline (ASTRO_DB_REQUEST_DEADLINE) and rolls back what finishes later.
 * Creates before and after all run, the outbox drains, and a create repeated with its
 * Idempotency-Key makes one app however often it is sent.
 */
class DatabaseStallEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  /** More than app-service's pool holds (8): some hang on a connection, the rest in its queue. */
  private static final int DURING_STALL = 12;

  /** How long the database stays stopped while creates keep coming. */
  private static final Duration STALL = Duration.ofSeconds(30);

  /** How often a create is sent once the first ones are in, for the rest of the stall. */
  private static final Duration PACE = Duration.ofMillis(500);

  @Test
  void creates_refused_while_the_database_stalls_are_never_stored_and_the_rest_all_run()
      throws Exception {
    Gateway api = astro.gateway();
    User user = api.newUser("stall");
    EmbeddedMariaDb database = (EmbeddedMariaDb) astro.dev().backing().database();
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      accepted.add(api.create(user, "before-" + i, 1).getString("id"));
    }

    List<Answer> refused = new ArrayList<>();
    Instant stalled = Instant.now();
    database.pause();
    ScheduledExecutorService clients = Executors.newScheduledThreadPool(DURING_STALL);
    try {
      List<CompletableFuture<Answer>> sent = new ArrayList<>();
      // a burst larger than the pool, then a steady stream for the rest of the stall
      for (int i = 0; i < DURING_STALL; i++) {
        String name = "stalled-" + i;
        sent.add(
            CompletableFuture.supplyAsync(() -> create(api, user, name, "key-" + name), clients));
      }
      AtomicInteger next = new AtomicInteger(DURING_STALL);
      ScheduledFuture<?> stream =
          clients.scheduleAtFixedRate(
              () -> {
                String name = "stalled-" + next.getAndIncrement();
                synchronized (sent) {
                  sent.add(
                      CompletableFuture.supplyAsync(
                          () -> create(api, user, name, "key-" + name), clients));
                }
              },
              PACE.toMillis(),
              PACE.toMillis(),
              TimeUnit.MILLISECONDS);
      Eventually.until(
          "the database stopped for " + STALL,
          STALL.plus(Gateway.WAIT),
          () -> Duration.between(stalled, Instant.now()).compareTo(STALL) >= 0);
      stream.cancel(false);
      List<CompletableFuture<Answer>> all;
      synchronized (sent) {
        all = List.copyOf(sent);
      }
      // every create sent during the stall is answered while the database is still stopped
      for (CompletableFuture<Answer> answer : all) {
        refused.add(answer.get(Gateway.WAIT.toSeconds(), TimeUnit.SECONDS));
      }
    } finally {
      database.resume();
      clients.shutdownNow();
    }
    assertThat(refused).hasSizeGreaterThan(DURING_STALL + 40);

    for (Answer answer : refused) {
      // 503 from app-service (30002: its deadline passed, nothing stored) or from the gateway
      // (30005: its breaker opened on those, nothing sent)
      assertThat(answer.status()).as(answer.body()).isEqualTo(503);
      assertThat(answer.code()).isIn(30002, 30005);
    }

    // once the database is back: new creates are taken again (the breaker closes after a while)
    for (int i = 0; i < 2; i++) {
      String name = "after-" + i;
      String key = "key-" + name;
      accepted.add(
          Eventually.await(
                  "a create to be taken after the stall",
                  Gateway.WAIT,
                  () -> create(api, user, name, key),
                  a -> a.status() == 201)
              .data()
              .getString("id"));
    }
    for (String id : accepted) {
      api.awaitRunning(user, id, 1);
    }
    String appService = astro.dev().managementUrl(AstroServices.APP_SERVICE);
    Scrape.awaitSample(appService, "astro_app_outbox_pending", n -> n == 0);

    // the transactions the stall caught have finished by now (their connections served the
    // creates after it): not one refused create was stored
    List<String> names = names(api, user);
    assertThat(names)
        .as("apps of the user")
        .containsExactlyInAnyOrder("before-0", "before-1", "after-0", "after-1");

    // a refused create sent again with its key is made once, and answered the same every time
    JsonObject first = create(api, user, "stalled-0", "key-stalled-0").data();
    JsonObject again = create(api, user, "stalled-0", "key-stalled-0").data();
    assertThat(again.getString("id")).isEqualTo(first.getString("id"));
    assertThat(names(api, user)).filteredOn("stalled-0"::equals).hasSize(1);
    api.awaitRunning(user, first.getString("id"), 1);
  }

  private static Answer create(Gateway api, User user, String name, String key) {
    return api.send(
        "POST",
        "/api/v1/apps",
        user.token(),
        new JsonObject()
            .put("name", name)
            .put("image", "nginx:1.27")
            .put("replicas", 1)
            .put("port", 80)
            .encode(),
        Map.of("Idempotency-Key", key, "X-Request-Id", "stall-" + UUID.randomUUID()));
  }

  private static List<String> names(Gateway api, User user) {
    Answer list = api.get("/api/v1/apps?limit=100", user.token());
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    return list.items().stream().map(a -> ((JsonObject) a).getString("name")).toList();
  }
}
