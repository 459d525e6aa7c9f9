package io.astro.app.auth;

import static io.astro.app.RunningAppService.code;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.FakeAccounts;
import io.astro.app.RunningAppService;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A still-valid token of a disabled account stops working on app-service reached directly, within
 * one poll of user-service's list; until a first list is read, the API answers 503 rather than let
 * such a token through.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class DisabledAccountsTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void a_disabled_accounts_token_is_refused_on_reads_and_writes_and_works_again_once_enabled(
      TestDatabase db, KafkaBroker kafka) {
    try (RunningAppService app = RunningAppService.start(db, kafka.bootstrapServers(), Map.of())) {
      String uuid = UUID.randomUUID().toString();
      String token = app.token(uuid, 41);
      String bystander = app.token(42);
      String id = app.create(token, "web", "nginx", 1).getString("id");

      FakeAccounts.shared().disable(uuid);
      try {
        HttpResponse<String> refused =
            Eventually.await(
                "the disabled account refused",
                WAIT,
                () -> app.get("/api/v1/apps", token),
                r -> r.statusCode() != 200);
        HttpResponse<String> write = app.post("/api/v1/apps/" + id + "/restart", null, token);
        HttpResponse<String> registries = app.get("/api/v1/registries", token);
        HttpResponse<String> claimDomain =
            app.post(
                "/api/v1/apps/" + id + "/domains",
                new JsonObject().put("domain", "shop.example.org"),
                token);
        HttpResponse<String> domains = app.get("/api/v1/apps/" + id + "/domains", token);

        for (HttpResponse<String> r :
            java.util.List.of(refused, write, registries, claimDomain, domains)) {
          assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
          assertThat(code(r)).isEqualTo(10002);
          assertThat(new JsonObject(r.body()).fieldNames())
              .containsExactlyInAnyOrder("code", "message", "data");
        }
        assertThat(app.get("/api/v1/apps", bystander).statusCode()).isEqualTo(200);
      } finally {
        FakeAccounts.shared().enable(uuid);
      }
      HttpResponse<String> back =
          Eventually.await(
              "the enabled account served again",
              WAIT,
              () -> app.get("/api/v1/apps/" + id, token),
              r -> r.statusCode() != 401);
      assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    }
  }

  @Test
  void until_the_list_of_disabled_accounts_is_read_protected_routes_answer_503(
      TestDatabase db, KafkaBroker kafka) throws IOException {
    int later;
    try (ServerSocket socket = new ServerSocket(0)) {
      later = socket.getLocalPort();
    }
    Vertx userService = Vertx.vertx();
    try (RunningAppService app =
        RunningAppService.start(
            db,
            kafka.bootstrapServers(),
            Map.of(
                "ASTRO_USER_SERVICE_URL",
                "http://127.0.0.1:" + later,
                // the longest period allowed: the first list must not wait for it
                "ASTRO_DISABLED_USERS_POLL",
                "45s"))) {
      String token = app.token(43);
      HttpResponse<String> answer = app.get("/api/v1/apps", token);

      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
      assertThat(code(answer)).isEqualTo(30005);
      assertThat(app.get("/health", null).statusCode()).isEqualTo(200);

      // user-service comes up: the list is read within a retry, well before the poll period
      userService
          .createHttpServer()
          .requestHandler(
              req ->
                  req.response()
                      .putHeader("Content-Type", "application/json")
                      .end(
                          new JsonObject()
                              .put("code", 0)
                              .put("message", "ok")
                              .put("data", new JsonObject().put("uuids", new JsonArray()))
                              .encode()))
          .listen(later, "127.0.0.1")
          .await();
      HttpResponse<String> served =
          Eventually.await(
              "the first list read",
              Duration.ofSeconds(20),
              () -> app.get("/api/v1/apps", token),
              r -> r.statusCode() != 503);
      assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    } finally {
      userService.close().await();
    }
  }
}
