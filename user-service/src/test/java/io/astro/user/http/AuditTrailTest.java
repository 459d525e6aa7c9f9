package io.astro.user.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.config.Env;
import io.astro.common.events.Topics;
import io.astro.common.events.audit.AuditEvent;
import io.astro.common.runtime.Service;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.user.Main;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PASSWORD = "audit first password";
  private static final String NEW_PASSWORD = "audit second password";

  private static Service service;
  private static String base;
  private static KafkaBroker kafka;
  private static Env env;
  private static String audit;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    kafka = broker;
    audit = KafkaBroker.uniqueTopicName(Topics.AUDIT);
    broker.createTopic(audit, 3);
    String users = KafkaBroker.uniqueTopicName(Topics.USERS);
    broker.createTopic(users, 3);
    env =
        Env.of(
            Map.ofEntries(
                Map.entry("ASTRO_USER_SERVICE_PORT", "0"),
                Map.entry("ASTRO_HTTP_HOST", "127.0.0.1"),
                Map.entry("ASTRO_DB_HOST", db.host()),
                Map.entry("ASTRO_DB_PORT", Integer.toString(db.port())),
                Map.entry("ASTRO_DB_NAME", db.database()),
                Map.entry("ASTRO_DB_USER", db.user()),
                Map.entry("ASTRO_DB_PASSWORD", db.password()),
                Map.entry("ASTRO_DB_CONNECT_TIMEOUT", "10s"),
                Map.entry("ASTRO_ADMIN_USERNAME", "audit-admin"),
                Map.entry("ASTRO_ADMIN_PASSWORD", "audit-admin-password"),
                Map.entry("ASTRO_BCRYPT_THREADS", "2"),
                Map.entry("ASTRO_LOGIN_IP_MAX_FAILURES", "1000"),
                Map.entry("ASTRO_SIGNUP_MAX_PER_IP", "1000"),
                Map.entry("ASTRO_KAFKA_BOOTSTRAP", broker.bootstrapServers()),
                Map.entry("ASTRO_USERS_TOPIC", users),
                Map.entry("ASTRO_AUDIT_TOPIC", audit)));
    service = Main.start(env).await();
    base = "http://127.0.0.1:" + service.httpPort();
  }

  @AfterAll
  static void stop() {
    service.close().await();
  }

  @Test
  void an_accounts_life_is_on_the_trail_and_no_line_holds_a_password_or_a_token() throws Exception {
    String username = "audited";
    assertThat(
            send(
                    "POST",
                    "/api/v1/register",
                    new JsonObject()
                        .put("username", username)
                        .put("email", "audited@example.org")
                        .put("password", PASSWORD),
                    null)
                .statusCode())
        .isEqualTo(201);
    HttpResponse<String> failed =
        send(
            "POST",
            "/api/v1/login",
            new JsonObject().put("username", username).put("password", "not the password"),
            null);
    assertThat(failed.statusCode()).isEqualTo(401);
    JsonObject session = login(username, PASSWORD);
    String login = session.getString("token");
    String uuid = session.getString("uuid");
    HttpResponse<String> changed =
        send(
            "POST",
            "/api/v1/users/me/password",
            new JsonObject().put("current", PASSWORD).put("new", NEW_PASSWORD),
            login);
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    String token = data(changed).getString("token");
    HttpResponse<String> created =
        send(
            "POST",
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
            send(
                "POST",
                "/internal/v1/tokens/exchange",
                new JsonObject().put("token", patSecret),
                null));
    JsonObject jwks = new JsonObject(send("GET", "/.well-known/jwks.json", null, null).body());
    TokenVerifier verifier =
        TokenVerifier.create(
            service.vertx(),
            JwtSettings.from(env),
            List.of(jwks.getJsonArray("keys").getJsonObject(0)));
    assertThat(verifier.verify(exchanged.getString("token")).await().personalTokenName())
        .isEqualTo("ci deploys");
    assertThat(send("DELETE", "/api/v1/users/me/tokens/" + patId, null, token).statusCode())
        .isEqualTo(200);
    assertThat(
            send(
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
  void operators_reading_the_accounts_list_is_recorded_and_a_users_refused_try_too()
      throws Exception {
    String admin = login("audit-admin", "audit-admin-password").getString("token");
    send(
        "POST",
        "/api/v1/register",
        new JsonObject()
            .put("username", "curious")
            .put("email", "curious@example.org")
            .put("password", PASSWORD),
        null);
    JsonObject curious = login("curious", PASSWORD);

    assertThat(send("GET", "/api/v1/admin/users", null, admin).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/api/v1/admin/users", null, curious.getString("token")).statusCode())
        .isEqualTo(403);
    // a user reading their own profile is no one else's data
    assertThat(send("GET", "/api/v1/users/me", null, curious.getString("token")).statusCode())
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

  private static JsonObject login(String username, String password) throws Exception {
    HttpResponse<String> response =
        send(
            "POST",
            "/api/v1/login",
            new JsonObject().put("username", username).put("password", password),
            null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return data(response);
  }

  private static JsonObject data(HttpResponse<String> response) {
    return new JsonObject(response.body()).getJsonObject("data");
  }

  private static int code(HttpResponse<String> response) {
    return new JsonObject(response.body()).getInteger("code");
  }

  private static HttpResponse<String> send(
      String method, String path, JsonObject body, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
