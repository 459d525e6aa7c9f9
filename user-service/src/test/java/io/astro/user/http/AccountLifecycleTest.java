package io.astro.user.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.events.Topics;
import io.astro.common.events.user.UserEvent;
import io.astro.common.events.user.UserEventKind;
import io.astro.common.runtime.Service;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.user.Main;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An account's lifecycle on a real MariaDB and Kafka: deleting one's own account, its names held
 * for the reservation and freed by housekeeping after it, and the {@code io.astro.user.v1} events
 * each change writes through user-service's outbox to {@code astro.users}.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class AccountLifecycleTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PASSWORD = "a long password";

  private static Service service;
  private static String base;
  private static Map<String, String> settings;
  private static KafkaBroker kafka;
  private static String topic;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    kafka = broker;
    topic = KafkaBroker.uniqueTopicName(Topics.USERS);
    broker.createTopic(topic, 3);
    settings =
        Map.ofEntries(
            Map.entry("ASTRO_USER_SERVICE_PORT", "0"),
            Map.entry("ASTRO_HTTP_HOST", "127.0.0.1"),
            Map.entry("ASTRO_DB_HOST", db.host()),
            Map.entry("ASTRO_DB_PORT", Integer.toString(db.port())),
            Map.entry("ASTRO_DB_NAME", db.database()),
            Map.entry("ASTRO_DB_USER", db.user()),
            Map.entry("ASTRO_DB_PASSWORD", db.password()),
            // room for a loaded machine: the start reads the admin account before serving
            Map.entry("ASTRO_DB_CONNECT_TIMEOUT", "10s"),
            Map.entry("ASTRO_ADMIN_USERNAME", "life-admin"),
            Map.entry("ASTRO_ADMIN_PASSWORD", "admin-password-1"),
            Map.entry("ASTRO_BCRYPT_THREADS", "2"),
            Map.entry("ASTRO_LOGIN_IP_MAX_FAILURES", "1000"),
            Map.entry("ASTRO_SIGNUP_MAX_PER_IP", "1000"),
            Map.entry("ASTRO_KAFKA_BOOTSTRAP", broker.bootstrapServers()),
            Map.entry("ASTRO_USERS_TOPIC", topic));
    service = Main.start(Env.of(settings)).await();
    base = "http://127.0.0.1:" + service.httpPort();
  }

  @AfterAll
  static void stop() {
    service.close().await();
  }

  @Test
  void deleting_ones_account_refuses_its_token_at_once_and_announces_it() throws Exception {
    JsonObject session = signUp("leaving", "leaving@example.org");
    String token = session.getString("token");
    String uuid = session.getString("uuid");

    HttpResponse<String> deleted = delete(token, new JsonObject().put("password", PASSWORD));

    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
    assertThat(envelope(deleted).getJsonObject("data").getString("status")).isEqualTo("deleted");
    assertThat(get("/api/v1/users/me", token).statusCode()).isEqualTo(401);
    assertThat(post("/api/v1/login", credentials("leaving"), null).statusCode()).isEqualTo(401);
    // the gateway and app-service refuse its tokens through the list they poll
    assertThat(
            envelope(get("/internal/v1/users/disabled", null))
                .getJsonObject("data")
                .getJsonArray("uuids")
                .contains(uuid))
        .isTrue();
    ReceivedRecord record = events(uuid, 1).get(0);
    EventSchemas.assertValid(UserEvent.TYPE, record.value());
    UserEvent event = UserEvent.decode(record.value());
    assertThat(event.kind()).isEqualTo(UserEventKind.DELETED);
    assertThat(event.uuid()).isEqualTo(uuid);
    assertThat(event.namespace()).isEqualTo("astro-user-" + event.userId());
    // a repeat with the old token changes nothing more
    assertThat(delete(token, new JsonObject().put("password", PASSWORD)).statusCode())
        .isEqualTo(401);
  }

  @Test
  void a_wrong_password_deletes_nothing_and_names_the_field() throws Exception {
    JsonObject session = signUp("staying", "staying@example.org");
    String token = session.getString("token");

    HttpResponse<String> refused = delete(token, new JsonObject().put("password", "not it at all"));

    assertThat(refused.statusCode()).isEqualTo(403);
    JsonObject body = envelope(refused);
    assertThat(body.getInteger("code")).isEqualTo(10003);
    assertThat(body.getString("message")).contains("password");
    assertThat(
            body.getJsonObject("data").getJsonArray("fields").getJsonObject(0).getString("field"))
        .isEqualTo("password");
    assertThat(get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
  }

  @Test
  void a_delete_without_a_password_answers_400_naming_it() throws Exception {
    String token = signUp("unsure", "unsure@example.org").getString("token");

    HttpResponse<String> missing = delete(token, new JsonObject());
    HttpResponse<String> extra =
        delete(token, new JsonObject().put("password", PASSWORD).put("force", true));

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(envelope(missing).getInteger("code")).isEqualTo(10001);
    assertThat(envelope(missing).encode()).contains("password");
    assertThat(extra.statusCode()).isEqualTo(400);
    assertThat(envelope(extra).encode()).contains("force");
    assertThat(get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
  }

  @Test
  void a_delete_with_a_password_over_72_bytes_answers_400_and_wrong_ones_are_throttled()
      throws Exception {
    String token = signUp("guarded", "guarded@example.org").getString("token");

    // 73 bytes in UTF-8: bcrypt would see only 72 of them
    HttpResponse<String> tooLong =
        delete(token, new JsonObject().put("password", "é".repeat(36) + "x"));

    assertThat(tooLong.statusCode()).as(tooLong.body()).isEqualTo(400);
    assertThat(envelope(tooLong).getInteger("code")).isEqualTo(10001);
    assertThat(envelope(tooLong).getString("message")).contains("72 bytes");
    assertThat(
            envelope(tooLong)
                .getJsonObject("data")
                .getJsonArray("fields")
                .getJsonObject(0)
                .getString("field"))
        .isEqualTo("password");
    // ASTRO_LOGIN_MAX_FAILURES (5 per account and address) holds for guesses here too: the sixth
    // try is refused before the password is checked, the right one included
    for (int i = 0; i < 5; i++) {
      assertThat(delete(token, new JsonObject().put("password", "guess " + i)).statusCode())
          .isEqualTo(403);
    }
    HttpResponse<String> throttled = delete(token, new JsonObject().put("password", PASSWORD));
    assertThat(throttled.statusCode()).as(throttled.body()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
    assertThat(get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
  }

  @Test
  void a_disabled_accounts_token_is_refused_on_every_route_of_its_own_account() throws Exception {
    JsonObject session = signUp("benched", "benched@example.org");
    String token = session.getString("token");
    String uuid = session.getString("uuid");
    String admin = login("life-admin", "admin-password-1").getString("token");
    JsonObject pat =
        new JsonObject().put("name", "ci").put("scope", "write").put("expires_in_days", 1);
    assertThat(post("/api/v1/users/me/tokens", pat, token).statusCode()).isEqualTo(201);

    assertThat(
            post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), admin).statusCode())
        .isEqualTo(200);

    // the token itself is still valid: each route reads the account's status on every call
    List<HttpResponse<String>> refused =
        List.of(
            get("/api/v1/users/me", token),
            post("/api/v1/users/me/tokens", pat.copy().put("name", "ci2"), token),
            get("/api/v1/users/me/tokens", token),
            send(
                "DELETE",
                "/api/v1/users/me/tokens/00000000-0000-4000-8000-000000000000",
                null,
                token),
            post(
                "/api/v1/users/me/password",
                new JsonObject().put("current", PASSWORD).put("new", "another long one"),
                token),
            send(
                "PATCH", "/api/v1/users/me", new JsonObject().put("email", "b@example.org"), token),
            delete(token, new JsonObject().put("password", PASSWORD)));
    for (HttpResponse<String> r : refused) {
      assertThat(r.statusCode()).as(r.request().method() + " " + r.uri()).isEqualTo(401);
      assertThat(envelope(r).getInteger("code")).isEqualTo(10002);
    }
    // nothing was changed by them: enabled again, the account logs in with its old password
    assertThat(
            post("/api/v1/admin/users/" + uuid + "/enable", new JsonObject(), admin).statusCode())
        .isEqualTo(200);
    assertThat(login("benched", PASSWORD).getString("token")).isNotBlank();
  }

  @Test
  void an_admin_cannot_delete_itself() throws Exception {
    String token = login("life-admin", "admin-password-1").getString("token");

    HttpResponse<String> refused =
        delete(token, new JsonObject().put("password", "admin-password-1"));

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
  }

  @Test
  void a_deleted_accounts_names_stay_reserved_with_a_clear_answer() throws Exception {
    String token = signUp("gone", "gone@example.org").getString("token");
    assertThat(delete(token, new JsonObject().put("password", PASSWORD)).statusCode())
        .isEqualTo(202);

    HttpResponse<String> sameName =
        post("/api/v1/register", registration("GONE", "other@example.org"), null);
    HttpResponse<String> sameEmail =
        post("/api/v1/register", registration("other", "gone@example.org"), null);

    assertThat(sameName.statusCode()).isEqualTo(409);
    assertThat(envelope(sameName).getInteger("code")).isEqualTo(20001);
    assertThat(envelope(sameName).getString("message")).contains("deleted account", "reserved");
    assertThat(envelope(sameName).getJsonObject("data").getString("field")).isEqualTo("username");
    assertThat(sameEmail.statusCode()).isEqualTo(409);
    assertThat(envelope(sameEmail).getJsonObject("data").getString("field")).isEqualTo("email");
    assertThat(envelope(sameEmail).getJsonObject("data").getString("reason")).isEqualTo("reserved");
  }

  @Test
  void housekeeping_frees_the_names_once_the_reservation_has_passed() throws Exception {
    String token = signUp("brief", "brief@example.org").getString("token");
    assertThat(delete(token, new JsonObject().put("password", PASSWORD)).statusCode())
        .isEqualTo(202);
    Map<String, String> other = new HashMap<>(settings);
    other.put("ASTRO_USERNAME_RESERVATION", "0s");
    other.put("ASTRO_HOUSEKEEPING_INTERVAL", "200ms");
    Service noReservation = Main.start(Env.of(other)).await();
    try {
      String otherBase = "http://127.0.0.1:" + noReservation.httpPort();
      Eventually.until(
          "the reserved name freed by housekeeping",
          WAIT,
          () ->
              send(otherBase, "/api/v1/register", registration("brief", "brief@example.org"))
                  == 201);
    } finally {
      noReservation.close().await();
    }

    JsonObject again = login("brief", PASSWORD);
    assertThat(again.getString("uuid")).isNotEqualTo(null);
  }

  @Test
  void a_bootstrap_admin_never_takes_a_reserved_name_and_the_start_is_refused() throws Exception {
    String token = signUp("oldboss", "oldboss@example.org").getString("token");
    assertThat(delete(token, new JsonObject().put("password", PASSWORD)).statusCode())
        .isEqualTo(202);
    Map<String, String> other = new HashMap<>(settings);
    other.put("ASTRO_ADMIN_USERNAME", "oldboss");
    other.put("ASTRO_ADMIN_EMAIL", "new-boss@example.org");

    Future<Service> started = Main.start(Env.of(other));
    started.<Void>transform(settled -> Future.succeededFuture()).await();
    if (started.succeeded()) {
      started.result().close().await();
    }

    assertThat(started.failed()).as("start-up refused").isTrue();
    assertThat(started.cause())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void disabling_and_enabling_announce_each_change_once_in_order() throws Exception {
    String uuid = signUp("managed", "managed@example.org").getString("uuid");
    String admin = login("life-admin", "admin-password-1").getString("token");

    assertThat(
            post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), admin).statusCode())
        .isEqualTo(200);
    // already disabled: nothing changes, nothing is announced
    assertThat(
            post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), admin).statusCode())
        .isEqualTo(200);
    assertThat(
            post("/api/v1/admin/users/" + uuid + "/enable", new JsonObject(), admin).statusCode())
        .isEqualTo(200);

    List<ReceivedRecord> records = events(uuid, 2);
    assertThat(records)
        .extracting(r -> UserEvent.decode(r.value()).kind())
        .containsExactly(UserEventKind.DISABLED, UserEventKind.ENABLED);
    assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(uuid));
    records.forEach(r -> EventSchemas.assertValid(UserEvent.TYPE, r.value()));
  }

  private static List<ReceivedRecord> events(String uuid, int count) {
    return kafka.awaitRecords(topic, count, r -> uuid.equals(r.key()), WAIT);
  }

  private static int send(String at, String path, JsonObject body) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(at + path))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject signUp(String username, String email) throws Exception {
    HttpResponse<String> created = post("/api/v1/register", registration(username, email), null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return login(username, PASSWORD);
  }

  private static JsonObject login(String username, String password) throws Exception {
    HttpResponse<String> response =
        post(
            "/api/v1/login",
            new JsonObject().put("username", username).put("password", password),
            null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return envelope(response).getJsonObject("data");
  }

  private static JsonObject credentials(String username) {
    return new JsonObject().put("username", username).put("password", PASSWORD);
  }

  private static JsonObject registration(String username, String email) {
    return new JsonObject().put("username", username).put("email", email).put("password", PASSWORD);
  }

  private static JsonObject envelope(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> delete(String token, JsonObject body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/users/me"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .method("DELETE", HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, JsonObject body, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(
      String method, String path, JsonObject body, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.encode()))
            .header("Authorization", "Bearer " + token);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
