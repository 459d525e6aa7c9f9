package io.astro.user.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.astro.common.config.Env;
import io.astro.common.runtime.Service;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.user.Main;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Login and sign-up limits with their default settings, over HTTP, each client telling its address
 * the way the gateway does ({@code X-Real-IP}).
 */
@ExtendWith(MySqlExtension.class)
class LoginLimitsTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String PASSWORD = "a long password";
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  private static Service service;
  private static String base;

  @BeforeAll
  static void start(TestDatabase db) {
    Env env =
        Env.of(
            Map.ofEntries(
                Map.entry("ASTRO_USER_SERVICE_PORT", "0"),
                Map.entry("ASTRO_HTTP_HOST", "127.0.0.1"),
                Map.entry("ASTRO_DB_HOST", db.host()),
                Map.entry("ASTRO_DB_PORT", Integer.toString(db.port())),
                Map.entry("ASTRO_DB_NAME", db.database()),
                Map.entry("ASTRO_DB_USER", db.user()),
                Map.entry("ASTRO_DB_PASSWORD", db.password()),
                // no broker: account events wait in the outbox (AccountLifecycleTest publishes
                // them)
                Map.entry("ASTRO_KAFKA_BOOTSTRAP", "127.0.0.1:1"),
                Map.entry("ASTRO_BCRYPT_THREADS", "2")));
    service = Main.start(env).await();
    base = "http://127.0.0.1:" + service.httpPort();
    LOGS.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
    service.close().await();
  }

  @Test
  void a_guesser_from_one_address_cannot_lock_the_owner_out_from_another() throws Exception {
    register("victim", "10.0.1.1");
    for (int i = 0; i < 5; i++) {
      assertThat(login("victim", "wrong password " + i, "10.0.1.66").statusCode()).isEqualTo(401);
    }

    HttpResponse<String> guesser = login("victim", PASSWORD, "10.0.1.66");
    HttpResponse<String> owner = login("victim", PASSWORD, "10.0.1.2");

    assertThat(guesser.statusCode()).as("the guesser is stopped").isEqualTo(429);
    assertThat(envelope(guesser).getInteger("code")).isEqualTo(10008);
    assertThat(guesser.headers().firstValue("Retry-After")).isPresent();
    assertThat(owner.statusCode()).as("the owner, elsewhere, is not").isEqualTo(200);
  }

  @Test
  void a_team_of_20_behind_one_address_all_log_in_within_a_minute() throws Exception {
    List<String> team = IntStream.rangeClosed(1, 20).mapToObj(i -> "member" + i).toList();
    for (int i = 0; i < team.size(); i++) {
      register(team.get(i), "10.0.2." + (i + 1));
    }
    // a few typos on the way in: failures, but fewer than one address may make
    for (int i = 0; i < 5; i++) {
      assertThat(login(team.get(i), "typo in it " + i, "192.0.2.20").statusCode()).isEqualTo(401);
    }

    List<CompletableFuture<HttpResponse<String>>> logins =
        team.stream()
            .map(
                member ->
                    HTTP.sendAsync(
                        request("/api/v1/login", credentials(member, PASSWORD), "192.0.2.20"),
                        HttpResponse.BodyHandlers.ofString()))
            .toList();

    for (CompletableFuture<HttpResponse<String>> answer : logins) {
      HttpResponse<String> response = answer.join();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  @Test
  void one_address_failing_on_many_accounts_is_stopped_and_others_are_not() throws Exception {
    register("sprayed", "10.0.3.1");
    for (int i = 0; i < 10; i++) {
      assertThat(login("nobody" + i, "Summer2026!", "10.0.3.99").statusCode()).isEqualTo(401);
    }

    HttpResponse<String> sprayer = login("sprayed", PASSWORD, "10.0.3.99");
    HttpResponse<String> other = login("sprayed", PASSWORD, "10.0.3.2");

    assertThat(sprayer.statusCode()).isEqualTo(429);
    assertThat(other.statusCode()).isEqualTo(200);
  }

  @Test
  void sign_ups_have_their_own_limit_per_address() throws Exception {
    for (int i = 1; i <= 20; i++) {
      assertThat(register("signup" + i, "10.0.4.1").statusCode()).isEqualTo(201);
    }

    HttpResponse<String> limited = register("signup21", "10.0.4.1");
    HttpResponse<String> elsewhere = register("signup22", "10.0.4.2");

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(envelope(limited).getInteger("code")).isEqualTo(10008);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(elsewhere.statusCode()).isEqualTo(201);
    // logging in is another matter: the sign-ups spent nothing of it
    assertThat(login("signup1", PASSWORD, "10.0.4.1").statusCode()).isEqualTo(200);
  }

  @Test
  void a_password_over_72_bytes_answers_400_naming_it_and_logs_no_stack_trace() throws Exception {
    register("longpass", "10.0.5.1");
    String tooLong = "x".repeat(73);
    LOGS.list.clear();

    HttpResponse<String> login = login("longpass", tooLong, "10.0.5.1");
    HttpResponse<String> signUp =
        post(
            "/api/v1/register",
            new JsonObject()
                .put("username", "longpass2")
                .put("email", "longpass2@example.org")
                .put("password", "é".repeat(37)),
            "10.0.5.1");

    for (HttpResponse<String> response : List.of(login, signUp)) {
      assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
      JsonObject body = envelope(response);
      assertThat(body.getInteger("code")).isEqualTo(10001);
      assertThat(
              body.getJsonObject("data").getJsonArray("fields").getJsonObject(0).getString("field"))
          .isEqualTo("password");
    }
    assertThat(LOGS.list)
        .as("nothing logged as an error, no stack trace")
        .noneMatch(
            e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null);
    // not counted as a failed login either: the right password still opens the account
    assertThat(login("longpass", PASSWORD, "10.0.5.1").statusCode()).isEqualTo(200);
  }

  private static HttpResponse<String> register(String username, String address) throws Exception {
    return post(
        "/api/v1/register",
        new JsonObject()
            .put("username", username)
            .put("email", username + "@example.org")
            .put("password", PASSWORD),
        address);
  }

  private static HttpResponse<String> login(String username, String password, String address)
      throws Exception {
    return post("/api/v1/login", credentials(username, password), address);
  }

  private static JsonObject credentials(String username, String password) {
    return new JsonObject().put("username", username).put("password", password);
  }

  private static JsonObject envelope(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  private static HttpRequest request(String path, JsonObject body, String address) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .header("X-Real-IP", address)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .build();
  }

  private static HttpResponse<String> post(String path, JsonObject body, String address)
      throws Exception {
    return HTTP.send(request(path, body, address), HttpResponse.BodyHandlers.ofString());
  }
}
