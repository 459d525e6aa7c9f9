package io.astro.user.http;

import static io.astro.user.RunningUserService.PASSWORD;
import static io.astro.user.RunningUserService.credentials;
import static io.astro.user.RunningUserService.envelope;
import static io.astro.user.RunningUserService.registration;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.user.RunningUserService;
import io.vertx.core.json.JsonObject;
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
// with a broker: the outbox relay of a service without one logs an error every few seconds, which
// the log check below would take for the request's
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class LoginLimitsTest {

  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  private static RunningUserService users;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    users = RunningUserService.start(db, broker, Map.of());
    LOGS.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
    users.close();
  }

  @Test
  void a_guesser_from_one_address_cannot_lock_the_owner_out_from_another() {
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
  void a_team_of_20_behind_one_address_all_log_in_within_a_minute() {
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
                    users.sendAsync(
                        "POST",
                        "/api/v1/login",
                        credentials(member, PASSWORD),
                        null,
                        from("192.0.2.20")))
            .toList();

    for (CompletableFuture<HttpResponse<String>> answer : logins) {
      HttpResponse<String> response = answer.join();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  @Test
  void one_address_failing_on_many_accounts_is_stopped_and_others_are_not() {
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
  void sign_ups_have_their_own_limit_per_address() {
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
  void a_password_over_72_bytes_answers_400_naming_it_and_logs_no_stack_trace() {
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

  private static HttpResponse<String> register(String username, String address) {
    return post("/api/v1/register", registration(username, username + "@example.org"), address);
  }

  private static HttpResponse<String> login(String username, String password, String address) {
    return post("/api/v1/login", credentials(username, password), address);
  }

  private static HttpResponse<String> post(String path, JsonObject body, String address) {
    return users.send("POST", path, body, null, from(address));
  }

  /** The header by which the gateway tells the client's address. */
  private static Map<String, String> from(String address) {
    return Map.of("X-Real-IP", address);
  }
}
