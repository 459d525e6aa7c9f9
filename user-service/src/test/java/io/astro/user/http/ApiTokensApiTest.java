package io.astro.user.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.astro.common.auth.Caller;
import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.TokenScope;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.config.Env;
import io.astro.common.runtime.Service;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.user.Main;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int MAX_TOKENS = 3;
  private static final String EXCHANGE = "/internal/v1/tokens/exchange";
  private static final String TOKENS = "/api/v1/users/me/tokens";
  private static final JwtSettings JWT =
      new JwtSettings("astro", "astro-api", Duration.ofSeconds(30));
  private static Service service;
  private static String base;
  private static Vertx vertx;
  private static Pool db;
  private static TokenVerifier verifier;

  @BeforeAll
  static void start(TestDatabase database) throws Exception {
    service =
        Main.start(
                Env.of(
                    Map.ofEntries(
                        Map.entry("ASTRO_USER_SERVICE_PORT", "0"),
                        Map.entry("ASTRO_HTTP_HOST", "127.0.0.1"),
                        Map.entry("ASTRO_DB_HOST", database.host()),
                        Map.entry("ASTRO_DB_PORT", Integer.toString(database.port())),
                        Map.entry("ASTRO_DB_NAME", database.database()),
                        Map.entry("ASTRO_DB_USER", database.user()),
                        Map.entry("ASTRO_DB_PASSWORD", database.password()),
                        Map.entry("ASTRO_ADMIN_USERNAME", "root-admin"),
                        Map.entry("ASTRO_ADMIN_PASSWORD", "admin-password-1"),
                        Map.entry("ASTRO_BCRYPT_THREADS", "2"),
                        // a busy machine can be slow with the first connections of a fresh
                        // database;
                        // the default 2 s is meant for production
                        Map.entry("ASTRO_DB_CONNECT_TIMEOUT", "10s"),
                        Map.entry("ASTRO_LOGIN_IP_MAX_FAILURES", "1000"),
                        Map.entry("ASTRO_SIGNUP_MAX_PER_IP", "1000"),
                        Map.entry("ASTRO_API_TOKENS_PER_USER", Integer.toString(MAX_TOKENS)))))
            .await();
    base = "http://127.0.0.1:" + service.httpPort();
    vertx = Vertx.vertx();
    db =
        MySQLBuilder.pool()
            .connectingTo(MySQLConnectOptions.fromUri(database.uri()))
            .using(vertx)
            .build();
    JsonObject jwks = new JsonObject(send("GET", "/.well-known/jwks.json", null, null).body());
    verifier =
        TokenVerifier.create(vertx, JWT, List.of(jwks.getJsonArray("keys").getJsonObject(0)));
  }

  @AfterAll
  static void stop() {
    service.close().await();
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

    JsonArray listed = data(send("GET", TOKENS, login, null)).getJsonArray("items");
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
  void bad_requests_answer_400_naming_each_field() throws Exception {
    String login = signUp("ci_careless");

    HttpResponse<String> allWrong =
        send(
            "POST",
            TOKENS,
            login,
            new JsonObject().put("name", " ").put("expires_in_days", 0).put("scope", "admin"));
    HttpResponse<String> tooLong =
        send(
            "POST",
            TOKENS,
            login,
            new JsonObject()
                .put("name", "x".repeat(65))
                .put("expires_in_days", 366)
                .put("scope", "read")
                .put("owner", "someone"));
    HttpResponse<String> missing = send("POST", TOKENS, login, new JsonObject());
    HttpResponse<String> fraction =
        send(
            "POST",
            TOKENS,
            login,
            new JsonObject().put("name", "n").put("expires_in_days", 1.5).put("scope", "read"));

    assertThat(fields(allWrong)).containsExactly("name", "expires_in_days", "scope");
    assertThat(fields(tooLong)).containsExactlyInAnyOrder("owner", "name", "expires_in_days");
    assertThat(fields(missing)).containsExactly("name", "expires_in_days", "scope");
    assertThat(fields(fraction)).containsExactly("expires_in_days");
    assertThat(data(send("GET", TOKENS, login, null)).getJsonArray("items")).isEmpty();
  }

  @Test
  void a_user_holds_at_most_the_configured_number_of_live_tokens() throws Exception {
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
    assertThat(send("DELETE", TOKENS + "/" + first, login, null).statusCode()).isEqualTo(200);
    assertThat(create(login, "one more", 1, "read").statusCode()).isEqualTo(201);
    // an expired one does not count either
    expire(data(send("GET", TOKENS, login, null)).getJsonArray("items").getJsonObject(0));
    assertThat(create(login, "and another", 1, "read").statusCode()).isEqualTo(201);
  }

  @Test
  void revoking_is_for_the_owner_only_and_answers_404_for_anything_else() throws Exception {
    String owner = signUp("ci_revoker");
    String id = data(create(owner, "mine", 7, "write")).getString("id");

    HttpResponse<String> byOther = send("DELETE", TOKENS + "/" + id, signUp("ci_thief"), null);
    HttpResponse<String> unknown = send("DELETE", TOKENS + "/no-such-token", owner, null);
    HttpResponse<String> revoked = send("DELETE", TOKENS + "/" + id, owner, null);
    HttpResponse<String> again = send("DELETE", TOKENS + "/" + id, owner, null);

    assertThat(byOther.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(byOther.body()).getInteger("code")).isEqualTo(10004);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(data(send("GET", TOKENS, owner, null)).getJsonArray("items")).isEmpty();
  }

  @Test
  void
      an_exchange_answers_a_token_of_five_minutes_with_the_scope_and_records_the_use_at_most_once_a_minute()
          throws Exception {
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
  void an_exchanged_token_never_outlives_its_personal_token() throws Exception {
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
  void an_exchange_refuses_unknown_revoked_and_expired_tokens_and_disabled_users_alike()
      throws Exception {
    String login = signUp("ci_refused");
    String revoked = data(create(login, "revoked", 1, "write")).getString("token");
    JsonObject expired = data(create(login, "expired", 1, "write"));
    send("DELETE", TOKENS + "/" + idOf(login, "revoked"), login, null);
    expire(expired);
    String disabledOwner = signUp("ci_disabled");
    String ofDisabled = data(create(disabledOwner, "theirs", 1, "write")).getString("token");
    String adminToken = loginToken("root-admin", "admin-password-1");
    String disabledUuid = verifier.verify(disabledOwner).await().uuid();
    assertThat(
            send("POST", "/api/v1/admin/users/" + disabledUuid + "/disable", adminToken, null)
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
          send("POST", EXCHANGE, null, new JsonObject().put("token", secret));
      assertThat(refused.statusCode()).as(secret).isEqualTo(401);
      assertThat(new JsonObject(refused.body()).getInteger("code")).isEqualTo(10002);
    }
    HttpResponse<String> missing = send("POST", EXCHANGE, null, new JsonObject());
    assertThat(fields(missing)).containsExactly("token");
  }

  @Test
  void a_read_token_reads_but_may_not_write_and_no_personal_token_manages_the_account()
      throws Exception {
    String adminLogin = loginToken("root-admin", "admin-password-1");
    String reader =
        exchange(data(create(adminLogin, "admin read", 1, "read")).getString("token"))
            .getString("token");
    String writer =
        exchange(data(create(adminLogin, "admin write", 1, "write")).getString("token"))
            .getString("token");
    String target = verifier.verify(signUp("ci_target")).await().uuid();

    assertThat(send("GET", "/api/v1/users/me", reader, null).statusCode()).isEqualTo(200);
    HttpResponse<String> readOnly =
        send("POST", "/api/v1/admin/users/" + target + "/disable", reader, null);
    assertThat(readOnly.statusCode()).isEqualTo(403);
    JsonObject refusal = new JsonObject(readOnly.body());
    assertThat(refusal.getInteger("code")).isEqualTo(10012);
    assertThat(refusal.getString("message")).contains("read");
    assertThat(refusal.getJsonObject("data").getString("required")).isEqualTo("write");
    assertThat(
            send("POST", "/api/v1/admin/users/" + target + "/disable", writer, null).statusCode())
        .isEqualTo(200);
    assertThat(send("POST", "/api/v1/admin/users/" + target + "/enable", writer, null).statusCode())
        .isEqualTo(200);

    for (HttpResponse<String> loginOnly :
        List.of(
            send("GET", TOKENS, writer, null),
            send("POST", TOKENS, writer, tokenRequest("more", 1, "write")),
            send("DELETE", TOKENS + "/" + idOf(adminLogin, "admin read"), writer, null),
            send(
                "POST",
                "/api/v1/users/me/password",
                writer,
                new JsonObject().put("current", "admin-password-1").put("new", "taken over!!")),
            send("PATCH", "/api/v1/users/me", writer, new JsonObject().put("email", "x@e.org")))) {
      assertThat(loginOnly.statusCode()).as(loginOnly.body()).isEqualTo(403);
      JsonObject envelope = new JsonObject(loginOnly.body());
      assertThat(envelope.getInteger("code")).isEqualTo(10012);
      assertThat(envelope.getJsonObject("data").getString("required")).isEqualTo("login");
    }
    assertThat(data(send("GET", TOKENS, adminLogin, null)).getJsonArray("items")).hasSize(2);
  }

  @Test
  void a_revoked_tokens_exchanged_tokens_are_refused_here_at_once_and_listed_for_the_pollers()
      throws Exception {
    String login = signUp("ci_leaked");
    JsonObject created = data(create(login, "leaked", 1, "write"));
    String exchanged = exchange(created.getString("token")).getString("token");
    assertThat(send("GET", "/api/v1/users/me", exchanged, null).statusCode()).isEqualTo(200);

    send("DELETE", TOKENS + "/" + created.getString("id"), login, null);

    assertThat(send("GET", "/api/v1/users/me", exchanged, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/api/v1/users/me", login, null).statusCode()).isEqualTo(200);
    JsonObject list = data(send("GET", "/internal/v1/users/disabled", null, null));
    assertThat(list.getJsonArray("revoked_tokens").stream()).contains(created.getString("id"));
  }

  private static String idOf(String login, String name) throws Exception {
    return data(send("GET", TOKENS, login, null)).getJsonArray("items").stream()
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

  private static JsonObject exchange(String secret) throws Exception {
    HttpResponse<String> answer =
        send("POST", EXCHANGE, null, new JsonObject().put("token", secret));
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return data(answer);
  }

  private static HttpResponse<String> create(String login, String name, int days, String scope)
      throws Exception {
    return send("POST", TOKENS, login, tokenRequest(name, days, scope));
  }

  private static JsonObject tokenRequest(String name, int days, String scope) {
    return new JsonObject().put("name", name).put("expires_in_days", days).put("scope", scope);
  }

  private static String signUp(String username) throws Exception {
    HttpResponse<String> created =
        send(
            "POST",
            "/api/v1/register",
            null,
            new JsonObject()
                .put("username", username)
                .put("email", username + "@example.org")
                .put("password", "a long password"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return loginToken(username, "a long password");
  }

  private static String loginToken(String username, String password) throws Exception {
    HttpResponse<String> login =
        send(
            "POST",
            "/api/v1/login",
            null,
            new JsonObject().put("username", username).put("password", password));
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    return data(login).getString("token");
  }

  private static List<String> fields(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonObject envelope = new JsonObject(response.body());
    assertThat(envelope.getInteger("code")).isEqualTo(10001);
    return envelope.getJsonObject("data").getJsonArray("fields").stream()
        .map(f -> ((JsonObject) f).getString("field"))
        .toList();
  }

  private static JsonObject data(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    return new JsonObject(response.body()).getJsonObject("data");
  }

  private static HttpResponse<String> send(
      String method, String path, String token, JsonObject body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
