package io.astro.user.http;

import static io.astro.user.RunningUserService.PASSWORD;
import static io.astro.user.RunningUserService.code;
import static io.astro.user.RunningUserService.credentials;
import static io.astro.user.RunningUserService.data;
import static io.astro.user.RunningUserService.fromOneAddress;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.events.audit.AuditEvent;
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
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * user-service's audit trail on a real MariaDB and Kafka: registrations, logins (failed ones
 * without an actor), password changes, personal tokens and account deletions each publish one
 * {@code io.astro.audit.v1} line on {@code astro.audit} through the outbox, naming the actor — and
 * none of them carries a password or a token.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class AuditTrailTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NEW_PASSWORD = "audit second password";

  private static RunningUserService users;
  private static KafkaBroker kafka;
  private static String audit;

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
                    "audit-admin",
                    "ASTRO_ADMIN_PASSWORD",
                    "audit-admin-password")));
    audit = users.auditTopic();
  }

  @AfterAll
  static void stop() {
    users.close();
  }

  @Test
  void an_accounts_life_is_on_the_trail_and_no_line_holds_a_password_or_a_token() {
    String username = "audited";
    assertThat(users.register(username, "audited@example.org").statusCode()).isEqualTo(201);
    HttpResponse<String> failed =
        users.post("/api/v1/login", credentials(username, "not the password"), null);
    assertThat(failed.statusCode()).isEqualTo(401);
    JsonObject session = users.login(username, PASSWORD);
    String login = session.getString("token");
    String uuid = session.getString("uuid");
    HttpResponse<String> changed =
        users.post(
            "/api/v1/users/me/password",
            new JsonObject().put("current", PASSWORD).put("new", NEW_PASSWORD),
            login);
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    String token = data(changed).getString("token");
    HttpResponse<String> created =
        users.post(
            "/api/v1/users/me/tokens",
            new JsonObject()
                .put("name", "ci deploys")
                .put("expires_in_days", 30)
                .put("scope", "write"),
            token);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String patId = data(created).getString("id");
    String patSecret = data(created).getString("token");
    // the personal token's exchanged token names it, so app-service's lines can too
    JsonObject exchanged =
        data(
            users.post(
                "/internal/v1/tokens/exchange", new JsonObject().put("token", patSecret), null));
    JsonObject jwks = new JsonObject(users.get("/.well-known/jwks.json", null).body());
    TokenVerifier verifier =
        TokenVerifier.create(
            users.vertx(),
            JwtSettings.from(users.env()),
            List.of(jwks.getJsonArray("keys").getJsonObject(0)));
    assertThat(verifier.verify(exchanged.getString("token")).await().personalTokenName())
        .isEqualTo("ci deploys");
    assertThat(users.send("DELETE", "/api/v1/users/me/tokens/" + patId, null, token).statusCode())
        .isEqualTo(200);
    assertThat(
            users
                .send(
                    "DELETE",
                    "/api/v1/users/me",
                    new JsonObject().put("password", NEW_PASSWORD),
                    token)
                .statusCode())
        .isEqualTo(202);

    List<AuditEvent> lines =
        kafka
            .awaitRecords(
                audit,
                7,
                r ->
                    r.value() != null
                        && (r.value().contains(uuid) || r.value().contains("\"audited\"")),
                WAIT)
            .stream()
            .peek(r -> EventSchemas.assertValid(AuditEvent.TYPE, r.value()))
            .map(r -> AuditEvent.decode(r.value()))
            .sorted((a, b) -> a.at().compareTo(b.at()))
            .toList();

    assertThat(lines)
        .extracting(AuditEvent::action)
        .containsExactlyInAnyOrder(
            "user.register",
            "user.login",
            "user.login",
            "user.password.change",
            "token.create",
            "token.revoke",
            "user.delete");
    AuditEvent refusedLogin = only(lines, "user.login", 401);
    assertThat(refusedLogin.actor()).isNull();
    assertThat(refusedLogin.key()).isEqualTo(AuditEvent.ANONYMOUS);
    assertThat(refusedLogin.target().name()).isEqualTo(username);
    assertThat(refusedLogin.outcome().code()).isEqualTo(code(failed));
    assertThat(only(lines, "user.login", 200).actor().uuid()).isEqualTo(uuid);
    AuditEvent tokenCreated = only(lines, "token.create", 201);
    assertThat(tokenCreated.target())
        .isEqualTo(new AuditEvent.Target("token", patId, "ci deploys"));
    assertThat(tokenCreated.actor().tokenKind()).isEqualTo(AuditEvent.TokenKind.SESSION);
    assertThat(only(lines, "user.delete", 202).target().id()).isEqualTo(uuid);
    assertThat(only(lines, "token.revoke", 200).target().id()).isEqualTo(patId);

    // the account's own lines (after logging in) and the anonymous ones naming it
    List<ReceivedRecord> records =
        kafka.awaitRecords(
            audit,
            7,
            r ->
                r.value() != null
                    && (r.value().contains(uuid) || r.value().contains("\"audited\"")),
            WAIT);
    for (String secret : List.of(PASSWORD, NEW_PASSWORD, patSecret, login, token)) {
      for (ReceivedRecord record : records) {
        assertThat(record.value()).doesNotContain(secret);
        assertThat(String.valueOf(record.headers())).doesNotContain(secret);
      }
    }
  }

  @Test
  void operators_reading_the_accounts_list_is_recorded_and_a_users_refused_try_too() {
    String admin = users.login("audit-admin", "audit-admin-password").getString("token");
    users.register("curious", "curious@example.org");
    JsonObject curious = users.login("curious", PASSWORD);

    assertThat(users.get("/api/v1/admin/users", admin).statusCode()).isEqualTo(200);
    assertThat(users.get("/api/v1/admin/users", curious.getString("token")).statusCode())
        .isEqualTo(403);
    // a user reading their own profile is no one else's data
    assertThat(users.get("/api/v1/users/me", curious.getString("token")).statusCode())
        .isEqualTo(200);

    List<AuditEvent> reads =
        kafka
            .awaitRecords(
                audit, 2, r -> r.value() != null && r.value().contains("admin.users.list"), WAIT)
            .stream()
            .map(r -> AuditEvent.decode(r.value()))
            .toList();
    assertThat(reads)
        .extracting(e -> e.actor().role() + " " + e.outcome().status())
        .containsExactlyInAnyOrder("admin 200", "user 403");
    assertThat(kafka.awaitRecords(audit, 1, r -> curious.getString("uuid").equals(r.key()), WAIT))
        .extracting(r -> AuditEvent.decode(r.value()).action())
        .doesNotContain("user.read");
  }

  private static AuditEvent only(List<AuditEvent> lines, String action, int status) {
    Optional<AuditEvent> found =
        lines.stream()
            .filter(e -> e.action().equals(action) && e.outcome().status() == status)
            .findFirst();
    assertThat(found).as(action + " " + status).isPresent();
    return found.get();
  }
}
