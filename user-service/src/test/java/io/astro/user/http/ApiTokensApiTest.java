package io.astro.user.http;

import static io.astro.user.RunningUserService.fromOneAddress;
import static io.astro.user.RunningUserService.invalidFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.astro.common.auth.Caller;
import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.TokenScope;
import io.astro.common.auth.TokenVerifier;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.user.RunningUserService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Personal API tokens over HTTP on a real MariaDB: created with the secret shown once and stored
 * only as its hash, listed, bounded per user, revoked, and exchanged on the internal endpoint for a
 * short-lived token of their scope, which user-service itself holds to that scope.
 */
@ExtendWith(MySqlExtension.class)
class ApiTokensApiTest {

  private static final int MAX_TOKENS = 3;
  private static final String EXCHANGE = "/internal/v1/tokens/exchange";
  private static final String TOKENS = "/api/v1/users/me/tokens";
  private static final JwtSettings JWT =
      new JwtSettings("astro", "astro-api", Duration.ofSeconds(30));
  private static RunningUserService users;
  private static Vertx vertx;
  private static Pool db;
  private static TokenVerifier verifier;

  @BeforeAll
  static void start(TestDatabase database) {
    users =
        RunningUserService.startWithoutBroker(
            database,
            fromOneAddress(
                Map.of(
                    "ASTRO_ADMIN_USERNAME",
                    "root-admin",
                    "ASTRO_ADMIN_PASSWORD",
                    "admin-password-1",
                    "ASTRO_API_TOKENS_PER_USER",
                    Integer.toString(MAX_TOKENS))));
    vertx = Vertx.vertx();
    db =
        MySQLBuilder.pool()
            .connectingTo(MySQLConnectOptions.fromUri(database.uri()))
            .using(vertx)
            .build();
    JsonObject jwks = new JsonObject(users.get("/.well-known/jwks.json", null).body());
    verifier =
        TokenVerifier.create(vertx, JWT, List.of(jwks.getJsonArray("keys").getJsonObject(0)));
  }

  @AfterAll
  static void stop() {
    users.close();
    db.close().await();
    vertx.close().await();
  }

  @Test
  void a_created_token_is_shown_once_and_stored_only_as_its_sha256() throws Exception {
    String login = signUp("ci_owner");

    HttpResponse<String> created = create(login, "deploy from CI", 30, "write");

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject token = data(created);
    String secret = token.getString("token");
    assertThat(secret).startsWith("astro_pat_").hasSize(53);
    assertThat(secret).startsWith(token.getString("prefix"));
    assertThat(token.getString("prefix")).hasSize("astro_pat_".length() + 6);
    assertThat(token.getString("name")).isEqualTo("deploy from CI");
    assertThat(token.getString("scope")).isEqualTo("write");
    assertThat(token.getValue("last_used_at")).isNull();
    assertThat(Instant.parse(token.getString("expires_at")))
        .isCloseTo(Instant.now().plus(Duration.ofDays(30)), within(1, ChronoUnit.MINUTES));

    JsonArray listed = data(users.get(TOKENS, login)).getJsonArray("items");
    assertThat(listed).hasSize(1);
    JsonObject item = listed.getJsonObject(0);
    assertThat(item.fieldNames())
        .containsExactlyInAnyOrder(
            "id", "name", "prefix", "scope", "created_at", "last_used_at", "expires_at");
    assertThat(item.getString("id")).isEqualTo(token.getString("id"));
    assertThat(listed.encode()).doesNotContain(secret);

    Row row =
        db.preparedQuery("SELECT * FROM api_tokens WHERE uuid = ?")
            .execute(Tuple.of(token.getString("id")))
            .await()
            .iterator()
            .next();
    assertThat(row.getBuffer("token_hash").getBytes())
        .isEqualTo(
            MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    for (int i = 0; i < row.size(); i++) {
      assertThat(String.valueOf(row.getValue(i))).doesNotContain(secret.substring(16));
    }
  }

  @Test
  void bad_requests_answer_400_naming_each_field() {
    String login = signUp("ci_careless");

    HttpResponse<String> allWrong =
        users.post(
            TOKENS,
            new JsonObject().put("name", " ").put("expires_in_days", 0).put("scope", "admin"),
            login);
    HttpResponse<String> tooLong =
        users.post(
            TOKENS,
            new JsonObject()
                .put("name", "x".repeat(65))
                .put("expires_in_days", 366)
                .put("scope", "read")
                .put("owner", "someone"),
            login);
    HttpResponse<String> missing = users.post(TOKENS, new JsonObject(), login);
    HttpResponse<String> fraction =
        users.post(
            TOKENS,
            new JsonObject().put("name", "n").put("expires_in_days", 1.5).put("scope", "read"),
            login);

    assertThat(invalidFields(allWrong)).containsExactly("name", "expires_in_days", "scope");
    assertThat(invalidFields(tooLong))
        .containsExactlyInAnyOrder("owner", "name", "expires_in_days");
    assertThat(invalidFields(missing)).containsExactly("name", "expires_in_days", "scope");
    assertThat(invalidFields(fraction)).containsExactly("expires_in_days");
    assertThat(data(users.get(TOKENS, login)).getJsonArray("items")).isEmpty();
  }

  @Test
  void a_user_holds_at_most_the_configured_number_of_live_tokens() {
    String login = signUp("ci_hoarder");
    String first = null;
    for (int i = 0; i < MAX_TOKENS; i++) {
      HttpResponse<String> created = create(login, "t" + i, 1, "read");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      first = first == null ? data(created).getString("id") : first;
    }

    HttpResponse<String> over = create(login, "one more", 1, "read");

    assertThat(over.statusCode()).isEqualTo(422);
    JsonObject envelope = new JsonObject(over.body());
    assertThat(envelope.getInteger("code")).isEqualTo(10011);
    assertThat(envelope.getJsonObject("data").getInteger("max_tokens")).isEqualTo(MAX_TOKENS);
    // another user's bound is their own
    assertThat(create(signUp("ci_neighbour"), "mine", 1, "read").statusCode()).isEqualTo(201);
    // revoking one makes room
    assertThat(users.send("DELETE", TOKENS + "/" + first, null, login).statusCode()).isEqualTo(200);
    assertThat(create(login, "one more", 1, "read").statusCode()).isEqualTo(201);
    // an expired one does not count either
    expire(data(users.get(TOKENS, login)).getJsonArray("items").getJsonObject(0));
    assertThat(create(login, "and another", 1, "read").statusCode()).isEqualTo(201);
  }

  @Test
  void revoking_is_for_the_owner_only_and_answers_404_for_anything_else() {
    String owner = signUp("ci_revoker");
    String id = data(create(owner, "mine", 7, "write")).getString("id");

    HttpResponse<String> byOther =
        users.send("DELETE", TOKENS + "/" + id, null, signUp("ci_thief"));
    HttpResponse<String> unknown = users.send("DELETE", TOKENS + "/no-such-token", null, owner);
    HttpResponse<String> revoked = users.send("DELETE", TOKENS + "/" + id, null, owner);
    HttpResponse<String> again = users.send("DELETE", TOKENS + "/" + id, null, owner);

    assertThat(byOther.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(byOther.body()).getInteger("code")).isEqualTo(10004);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(data(users.get(TOKENS, owner)).getJsonArray("items")).isEmpty();
  }

  @Test
  void
      an_exchange_answers_a_token_of_five_minutes_with_the_scope_and_records_the_use_at_most_once_a_minute() {
    String login = signUp("ci_reader");
    JsonObject created = data(create(login, "read only", 1, "read"));
    String uuid = verifier.verify(login).await().uuid();

    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonObject exchanged = exchange(created.getString("token"));
    Caller caller = verifier.verify(exchanged.getString("token")).await();

    assertThat(exchanged.getString("scope")).isEqualTo("read");
    assertThat(caller.uuid()).isEqualTo(uuid);
    assertThat(caller.scope()).isEqualTo(TokenScope.READ);
    assertThat(caller.personalTokenId()).isEqualTo(created.getString("id"));
    assertThat(caller.expiresAt())
        .isBetween(before.plus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofMinutes(5)));
    String lastUsed = lastUsed(created);
    assertThat(lastUsed).isNotNull();
    exchange(created.getString("token"));
    assertThat(lastUsed(created)).as("one write a minute at most").isEqualTo(lastUsed);
  }

  @Test
  void an_exchanged_token_never_outlives_its_personal_token() {
    String login = signUp("ci_shortlived");
    JsonObject created = data(create(login, "short", 1, "write"));
    Instant soon = Instant.now().plus(Duration.ofMinutes(2)).truncatedTo(ChronoUnit.SECONDS);
    db.preparedQuery("UPDATE api_tokens SET expires_at = ? WHERE uuid = ?")
        .execute(
            Tuple.of(
                soon.atOffset(java.time.ZoneOffset.UTC).toLocalDateTime(), created.getString("id")))
        .await();

    Caller caller =
        verifier.verify(exchange(created.getString("token")).getString("token")).await();

    assertThat(caller.expiresAt()).isEqualTo(soon);
  }

  @Test
  void an_exchange_refuses_unknown_revoked_and_expired_tokens_and_disabled_users_alike() {
    String login = signUp("ci_refused");
    String revoked = data(create(login, "revoked", 1, "write")).getString("token");
    JsonObject expired = data(create(login, "expired", 1, "write"));
    users.send("DELETE", TOKENS + "/" + idOf(login, "revoked"), null, login);
    expire(expired);
    String disabledOwner = signUp("ci_disabled");
    String ofDisabled = data(create(disabledOwner, "theirs", 1, "write")).getString("token");
    String adminToken = loginToken("root-admin", "admin-password-1");
    String disabledUuid = verifier.verify(disabledOwner).await().uuid();
    assertThat(
            users
                .post("/api/v1/admin/users/" + disabledUuid + "/disable", null, adminToken)
                .statusCode())
        .isEqualTo(200);

    for (String secret :
        List.of(
            revoked,
            expired.getString("token"),
            ofDisabled,
            "astro_pat_" + "A".repeat(43),
            "astro_pat_short",
            login)) {
      HttpResponse<String> refused =
          users.post(EXCHANGE, new JsonObject().put("token", secret), null);
      assertThat(refused.statusCode()).as(secret).isEqualTo(401);
      assertThat(new JsonObject(refused.body()).getInteger("code")).isEqualTo(10002);
    }
    HttpResponse<String> missing = users.post(EXCHANGE, new JsonObject(), null);
    assertThat(invalidFields(missing)).containsExactly("token");
  }

  @Test
  void a_read_token_reads_but_may_not_write_and_no_personal_token_manages_the_account() {
    String adminLogin = loginToken("root-admin", "admin-password-1");
    String reader =
        exchange(data(create(adminLogin, "admin read", 1, "read")).getString("token"))
            .getString("token");
    String writer =
        exchange(data(create(adminLogin, "admin write", 1, "write")).getString("token"))
            .getString("token");
    String target = verifier.verify(signUp("ci_target")).await().uuid();

    assertThat(users.get("/api/v1/users/me", reader).statusCode()).isEqualTo(200);
    HttpResponse<String> readOnly =
        users.post("/api/v1/admin/users/" + target + "/disable", null, reader);
    assertThat(readOnly.statusCode()).isEqualTo(403);
    JsonObject refusal = new JsonObject(readOnly.body());
    assertThat(refusal.getInteger("code")).isEqualTo(10012);
    assertThat(refusal.getString("message")).contains("read");
    assertThat(refusal.getJsonObject("data").getString("required")).isEqualTo("write");
    assertThat(users.post("/api/v1/admin/users/" + target + "/disable", null, writer).statusCode())
        .isEqualTo(200);
    assertThat(users.post("/api/v1/admin/users/" + target + "/enable", null, writer).statusCode())
        .isEqualTo(200);

    for (HttpResponse<String> loginOnly :
        List.of(
            users.get(TOKENS, writer),
            users.post(TOKENS, tokenRequest("more", 1, "write"), writer),
            users.send("DELETE", TOKENS + "/" + idOf(adminLogin, "admin read"), null, writer),
            users.post(
                "/api/v1/users/me/password",
                new JsonObject().put("current", "admin-password-1").put("new", "taken over!!"),
                writer),
            users.send(
                "PATCH", "/api/v1/users/me", new JsonObject().put("email", "x@e.org"), writer))) {
      assertThat(loginOnly.statusCode()).as(loginOnly.body()).isEqualTo(403);
      JsonObject envelope = new JsonObject(loginOnly.body());
      assertThat(envelope.getInteger("code")).isEqualTo(10012);
      assertThat(envelope.getJsonObject("data").getString("required")).isEqualTo("login");
    }
    assertThat(data(users.get(TOKENS, adminLogin)).getJsonArray("items")).hasSize(2);
  }

  @Test
  void a_revoked_tokens_exchanged_tokens_are_refused_here_at_once_and_listed_for_the_pollers() {
    String login = signUp("ci_leaked");
    JsonObject created = data(create(login, "leaked", 1, "write"));
    String exchanged = exchange(created.getString("token")).getString("token");
    assertThat(users.get("/api/v1/users/me", exchanged).statusCode()).isEqualTo(200);

    users.send("DELETE", TOKENS + "/" + created.getString("id"), null, login);

    assertThat(users.get("/api/v1/users/me", exchanged).statusCode()).isEqualTo(401);
    assertThat(users.get("/api/v1/users/me", login).statusCode()).isEqualTo(200);
    JsonObject list = data(users.get("/internal/v1/users/disabled", null));
    assertThat(list.getJsonArray("revoked_tokens").stream()).contains(created.getString("id"));
  }

  private static String idOf(String login, String name) {
    return data(users.get(TOKENS, login)).getJsonArray("items").stream()
        .map(JsonObject.class::cast)
        .filter(t -> name.equals(t.getString("name")))
        .findFirst()
        .orElseThrow()
        .getString("id");
  }

  private static void expire(JsonObject token) {
    db.preparedQuery(
            "UPDATE api_tokens SET expires_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND"
                + " WHERE uuid = ?")
        .execute(Tuple.of(token.getString("id")))
        .await();
  }

  private static String lastUsed(JsonObject token) {
    Object value =
        db.preparedQuery("SELECT last_used_at FROM api_tokens WHERE uuid = ?")
            .execute(Tuple.of(token.getString("id")))
            .await()
            .iterator()
            .next()
            .getValue(0);
    return value == null ? null : value.toString();
  }

  private static JsonObject exchange(String secret) {
    HttpResponse<String> answer = users.post(EXCHANGE, new JsonObject().put("token", secret), null);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return data(answer);
  }

  private static HttpResponse<String> create(String login, String name, int days, String scope) {
    return users.post(TOKENS, tokenRequest(name, days, scope), login);
  }

  private static JsonObject tokenRequest(String name, int days, String scope) {
    return new JsonObject().put("name", name).put("expires_in_days", days).put("scope", scope);
  }

  private static String signUp(String username) {
    return users.signUp(username, username + "@example.org").getString("token");
  }

  private static String loginToken(String username, String password) {
    return users.login(username, password).getString("token");
  }

  private static JsonObject data(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    return new JsonObject(response.body()).getJsonObject("data");
  }
}
