package io.astro.user.http;

import static io.astro.user.RunningUserService.PASSWORD;
import static io.astro.user.RunningUserService.credentials;
import static io.astro.user.RunningUserService.envelope;
import static io.astro.user.RunningUserService.fromOneAddress;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.config.ConfigException;
import io.astro.common.events.user.UserEvent;
import io.astro.common.events.user.UserEventKind;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.user.RunningUserService;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
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

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static RunningUserService users;
  private static KafkaBroker kafka;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    kafka = broker;
    users =
        RunningUserService.start(
            db,
            broker,
            fromOneAddress(
                Map.of(
                    "ASTRO_ADMIN_USERNAME",
                    "life-admin",
                    "ASTRO_ADMIN_PASSWORD",
                    "admin-password-1")));
  }

  @AfterAll
  static void stop() {
    users.close();
  }

  @Test
  void deleting_ones_account_refuses_its_token_at_once_and_announces_it() {
    JsonObject session = users.signUp("leaving", "leaving@example.org");
    String token = session.getString("token");
    String uuid = session.getString("uuid");

    HttpResponse<String> deleted = delete(token, new JsonObject().put("password", PASSWORD));

    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
    assertThat(envelope(deleted).getJsonObject("data").getString("status")).isEqualTo("deleted");
    assertThat(users.get("/api/v1/users/me", token).statusCode()).isEqualTo(401);
    assertThat(users.post("/api/v1/login", credentials("leaving", PASSWORD), null).statusCode())
        .isEqualTo(401);
    // the gateway and app-service refuse its tokens through the list they poll
    assertThat(
            envelope(users.get("/internal/v1/users/disabled", null))
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
  void a_wrong_password_deletes_nothing_and_names_the_field() {
    JsonObject session = users.signUp("staying", "staying@example.org");
    String token = session.getString("token");

    HttpResponse<String> refused = delete(token, new JsonObject().put("password", "not it at all"));

    assertThat(refused.statusCode()).isEqualTo(403);
    JsonObject body = envelope(refused);
    assertThat(body.getInteger("code")).isEqualTo(10003);
    assertThat(body.getString("message")).contains("password");
    assertThat(
            body.getJsonObject("data").getJsonArray("fields").getJsonObject(0).getString("field"))
        .isEqualTo("password");
    assertThat(users.get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
  }

  @Test
  void a_delete_without_a_password_answers_400_naming_it() {
    String token = users.signUp("unsure", "unsure@example.org").getString("token");

    HttpResponse<String> missing = delete(token, new JsonObject());
    HttpResponse<String> extra =
        delete(token, new JsonObject().put("password", PASSWORD).put("force", true));

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(envelope(missing).getInteger("code")).isEqualTo(10001);
    assertThat(envelope(missing).encode()).contains("password");
    assertThat(extra.statusCode()).isEqualTo(400);
    assertThat(envelope(extra).encode()).contains("force");
    assertThat(users.get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
  }

  @Test
  void a_delete_with_a_password_over_72_bytes_answers_400_and_wrong_ones_are_throttled() {
    String token = users.signUp("guarded", "guarded@example.org").getString("token");

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
    assertThat(users.get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
  }

  @Test
  void a_disabled_accounts_token_is_refused_on_every_route_of_its_own_account() {
    JsonObject session = users.signUp("benched", "benched@example.org");
    String token = session.getString("token");
    String uuid = session.getString("uuid");
    String admin = users.login("life-admin", "admin-password-1").getString("token");
    JsonObject pat =
        new JsonObject().put("name", "ci").put("scope", "write").put("expires_in_days", 1);
    assertThat(users.post("/api/v1/users/me/tokens", pat, token).statusCode()).isEqualTo(201);

    assertThat(
            users
                .post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), admin)
                .statusCode())
        .isEqualTo(200);

    // the token itself is still valid: each route reads the account's status on every call
    List<HttpResponse<String>> refused =
        List.of(
            users.get("/api/v1/users/me", token),
            users.post("/api/v1/users/me/tokens", pat.copy().put("name", "ci2"), token),
            users.get("/api/v1/users/me/tokens", token),
            users.send(
                "DELETE",
                "/api/v1/users/me/tokens/00000000-0000-4000-8000-000000000000",
                null,
                token),
            users.post(
                "/api/v1/users/me/password",
                new JsonObject().put("current", PASSWORD).put("new", "another long one"),
                token),
            users.send(
                "PATCH", "/api/v1/users/me", new JsonObject().put("email", "b@example.org"), token),
            delete(token, new JsonObject().put("password", PASSWORD)));
    for (HttpResponse<String> r : refused) {
      assertThat(r.statusCode()).as(r.request().method() + " " + r.uri()).isEqualTo(401);
      assertThat(envelope(r).getInteger("code")).isEqualTo(10002);
    }
    // nothing was changed by them: enabled again, the account logs in with its old password
    assertThat(
            users
                .post("/api/v1/admin/users/" + uuid + "/enable", new JsonObject(), admin)
                .statusCode())
        .isEqualTo(200);
    assertThat(users.login("benched", PASSWORD).getString("token")).isNotBlank();
  }

  @Test
  void an_admin_cannot_delete_itself() {
    String token = users.login("life-admin", "admin-password-1").getString("token");

    HttpResponse<String> refused =
        delete(token, new JsonObject().put("password", "admin-password-1"));

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(users.get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
  }

  @Test
  void a_deleted_accounts_names_stay_reserved_with_a_clear_answer() {
    String token = users.signUp("gone", "gone@example.org").getString("token");
    assertThat(delete(token, new JsonObject().put("password", PASSWORD)).statusCode())
        .isEqualTo(202);

    HttpResponse<String> sameName = users.register("GONE", "other@example.org");
    HttpResponse<String> sameEmail = users.register("other", "gone@example.org");

    assertThat(sameName.statusCode()).isEqualTo(409);
    assertThat(envelope(sameName).getInteger("code")).isEqualTo(20001);
    assertThat(envelope(sameName).getString("message")).contains("deleted account", "reserved");
    assertThat(envelope(sameName).getJsonObject("data").getString("field")).isEqualTo("username");
    assertThat(sameEmail.statusCode()).isEqualTo(409);
    assertThat(envelope(sameEmail).getJsonObject("data").getString("field")).isEqualTo("email");
    assertThat(envelope(sameEmail).getJsonObject("data").getString("reason")).isEqualTo("reserved");
  }

  @Test
  void housekeeping_frees_the_names_once_the_reservation_has_passed() {
    String token = users.signUp("brief", "brief@example.org").getString("token");
    assertThat(delete(token, new JsonObject().put("password", PASSWORD)).statusCode())
        .isEqualTo(202);
    try (RunningUserService noReservation =
        users.startAnother(
            Map.of("ASTRO_USERNAME_RESERVATION", "0s", "ASTRO_HOUSEKEEPING_INTERVAL", "200ms"))) {
      Eventually.until(
          "the reserved name freed by housekeeping",
          WAIT,
          () -> noReservation.register("brief", "brief@example.org").statusCode() == 201);
    }

    JsonObject again = users.login("brief", PASSWORD);
    assertThat(again.getString("uuid")).isNotEqualTo(null);
  }

  @Test
  void a_bootstrap_admin_never_takes_a_reserved_name_and_the_start_is_refused() {
    String token = users.signUp("oldboss", "oldboss@example.org").getString("token");
    assertThat(delete(token, new JsonObject().put("password", PASSWORD)).statusCode())
        .isEqualTo(202);

    Throwable refused =
        users.refusedStart(
            Map.of("ASTRO_ADMIN_USERNAME", "oldboss", "ASTRO_ADMIN_EMAIL", "new-boss@example.org"));

    assertThat(refused).isInstanceOf(ConfigException.class).hasMessageContaining("reserved");
  }

  @Test
  void disabling_and_enabling_announce_each_change_once_in_order() {
    String uuid = users.signUp("managed", "managed@example.org").getString("uuid");
    String admin = users.login("life-admin", "admin-password-1").getString("token");

    assertThat(
            users
                .post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), admin)
                .statusCode())
        .isEqualTo(200);
    // already disabled: nothing changes, nothing is announced
    assertThat(
            users
                .post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), admin)
                .statusCode())
        .isEqualTo(200);
    assertThat(
            users
                .post("/api/v1/admin/users/" + uuid + "/enable", new JsonObject(), admin)
                .statusCode())
        .isEqualTo(200);

    List<ReceivedRecord> records = events(uuid, 2);
    assertThat(records)
        .extracting(r -> UserEvent.decode(r.value()).kind())
        .containsExactly(UserEventKind.DISABLED, UserEventKind.ENABLED);
    assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(uuid));
    records.forEach(r -> EventSchemas.assertValid(UserEvent.TYPE, r.value()));
  }

  private static HttpResponse<String> delete(String token, JsonObject body) {
    return users.send("DELETE", "/api/v1/users/me", body, token);
  }

  private static List<ReceivedRecord> events(String uuid, int count) {
    return kafka.awaitRecords(users.usersTopic(), count, r -> uuid.equals(r.key()), WAIT);
  }
}
