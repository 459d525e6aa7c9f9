package io.astro.user.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.TokenVerifier;
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

/** user-service over HTTP, on a real MariaDB, started the way Main starts it. */
@ExtendWith(MySqlExtension.class)
class UserApiTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Service service;
  private static String base;
  private static Env env;

  @BeforeAll
  static void start(TestDatabase db) {
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
                Map.entry("ASTRO_ADMIN_USERNAME", "root-admin"),
                Map.entry("ASTRO_ADMIN_PASSWORD", "admin-password-1"),
                Map.entry("ASTRO_BCRYPT_THREADS", "2"),
                Map.entry("ASTRO_BCRYPT_MAX_QUEUED", "4")));
    service = Main.start(env).await();
    base = "http://127.0.0.1:" + service.httpPort();
  }

  @AfterAll
  static void stop() {
    service.close().await();
  }

  @Test
  void register_returns_the_public_profile_and_never_the_hash() throws Exception {
    HttpResponse<String> response =
        post("/api/v1/register", registration("grace", "grace@example.org"), null);

    assertThat(response.statusCode()).isEqualTo(201);
    JsonObject profile = envelope(response).getJsonObject("data");
    assertThat(profile.fieldNames())
        .containsExactlyInAnyOrder("uuid", "username", "email", "role", "status", "created_at");
    assertThat(profile.getString("role")).isEqualTo("user");
    assertThat(profile.getString("status")).isEqualTo("active");
    assertThat(response.body()).doesNotContain("$2a$", "password");
  }

  @Test
  void invalid_registrations_answer_400_naming_each_field() throws Exception {
    HttpResponse<String> response =
        post(
            "/api/v1/register",
            new JsonObject().put("username", "x").put("email", "nope").put("password", "short"),
            null);

    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject body = envelope(response);
    assertThat(body.getInteger("code")).isEqualTo(10001);
    assertThat(
            body.getJsonObject("data").getJsonArray("fields").stream()
                .map(f -> ((JsonObject) f).getString("field")))
        .containsExactly("username", "email", "password");
  }

  @Test
  void a_taken_username_or_email_answers_409_even_in_another_case() throws Exception {
    assertThat(
            post("/api/v1/register", registration("linus", "linus@example.org"), null).statusCode())
        .isEqualTo(201);

    HttpResponse<String> sameName =
        post("/api/v1/register", registration("LINUS", "other@example.org"), null);
    HttpResponse<String> sameEmail =
        post("/api/v1/register", registration("linus2", "Linus@Example.org"), null);

    assertThat(sameName.statusCode()).isEqualTo(409);
    assertThat(envelope(sameName).getInteger("code")).isEqualTo(20001);
    assertThat(sameEmail.statusCode()).isEqualTo(409);
    assertThat(envelope(sameEmail).getInteger("code")).isEqualTo(20001);
  }

  @Test
  void login_by_username_or_email_gives_a_token_that_opens_me() throws Exception {
    post("/api/v1/register", registration("barbara", "barbara@example.org"), null);

    JsonObject byName = login("barbara", "a long password");
    JsonObject byEmail = login("BARBARA@example.org", "a long password");
    HttpResponse<String> me = get("/api/v1/users/me", byName.getString("token"));

    assertThat(byName.getString("uuid")).isEqualTo(byEmail.getString("uuid"));
    assertThat(byName.getString("expires_at")).isNotBlank();
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(envelope(me).getJsonObject("data").getString("username")).isEqualTo("barbara");
    assertThat(get("/api/v1/users/me", null).statusCode()).isEqualTo(401);
  }

  @Test
  void tokens_are_verifiable_with_the_published_keys() throws Exception {
    post("/api/v1/register", registration("margaret", "margaret@example.org"), null);
    String token = login("margaret", "a long password").getString("token");
    JsonObject jwks = new JsonObject(get("/.well-known/jwks.json", null).body());

    var verifier =
        TokenVerifier.create(
            service.vertx(),
            JwtSettings.from(env),
            List.of(jwks.getJsonArray("keys").getJsonObject(0)));
    var caller = verifier.verify(token).await();

    assertThat(caller.role()).isEqualTo("user");
    assertThat(caller.userId()).isPositive();
  }

  @Test
  void login_failures_look_the_same_for_unknown_user_wrong_password_and_disabled_user()
      throws Exception {
    post("/api/v1/register", registration("alan", "alan@example.org"), null);
    String victim =
        envelope(post("/api/v1/register", registration("joan", "joan@example.org"), null))
            .getJsonObject("data")
            .getString("uuid");
    post("/api/v1/admin/users/" + victim + "/disable", new JsonObject(), adminToken());

    HttpResponse<String> unknown =
        post("/api/v1/login", credentials("nobody-here", "a long password"), null);
    HttpResponse<String> wrongPassword =
        post("/api/v1/login", credentials("alan", "not the password"), null);
    HttpResponse<String> disabled =
        post("/api/v1/login", credentials("joan", "a long password"), null);

    for (HttpResponse<String> r : List.of(unknown, wrongPassword, disabled)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(unknown.body());
    }
    assertThat(envelope(unknown).getInteger("code")).isEqualTo(20009);
  }

  @Test
  void admins_disable_and_enable_users_and_others_may_not() throws Exception {
    post("/api/v1/register", registration("edsger", "edsger@example.org"), null);
    JsonObject session = login("edsger", "a long password");
    String uuid = session.getString("uuid");

    HttpResponse<String> selfService =
        post(
            "/api/v1/admin/users/" + uuid + "/disable",
            new JsonObject(),
            session.getString("token"));
    HttpResponse<String> disable =
        post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), adminToken());
    HttpResponse<String> meWhileDisabled = get("/api/v1/users/me", session.getString("token"));
    HttpResponse<String> disabledList = get("/internal/v1/users/disabled", null);
    HttpResponse<String> enable =
        post("/api/v1/admin/users/" + uuid + "/enable", new JsonObject(), adminToken());
    HttpResponse<String> unknown =
        post(
            "/api/v1/admin/users/00000000-0000-0000-0000-000000000000/disable",
            new JsonObject(),
            adminToken());

    assertThat(selfService.statusCode()).isEqualTo(403);
    assertThat(envelope(selfService).getInteger("code")).isEqualTo(10003);
    assertThat(disable.statusCode()).isEqualTo(200);
    assertThat(meWhileDisabled.statusCode()).isEqualTo(401);
    assertThat(envelope(disabledList).getJsonObject("data").getJsonArray("uuids")).contains(uuid);
    assertThat(enable.statusCode()).isEqualTo(200);
    assertThat(login("edsger", "a long password").getString("uuid")).isEqualTo(uuid);
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void repeated_failures_for_one_account_are_throttled_with_retry_after() throws Exception {
    post("/api/v1/register", registration("ken", "ken@example.org"), null);
    for (int i = 0; i < 5; i++) {
      assertThat(
              post("/api/v1/login", credentials("ken", "wrong password " + i), null).statusCode())
          .isEqualTo(401);
    }

    HttpResponse<String> throttled =
        post("/api/v1/login", credentials("ken", "a long password"), null);

    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(envelope(throttled).getInteger("code")).isEqualTo(10008);
    assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void a_login_flood_is_refused_fast_and_does_not_stall_other_requests() throws Exception {
    post("/api/v1/register", registration("dennis", "dennis@example.org"), null);
    List<CompletableFuture<HttpResponse<String>>> flood =
        IntStream.range(0, 40)
            .mapToObj(
                i ->
                    HTTP.sendAsync(
                        request("/api/v1/login", credentials("dennis", "a long password"), null),
                        HttpResponse.BodyHandlers.ofString()))
            .toList();

    HttpResponse<String> health = get("/health", null);
    List<Integer> statuses = flood.stream().map(f -> f.join().statusCode()).toList();

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(statuses).contains(200).contains(503).containsOnly(200, 503);
  }

  @Test
  void the_bootstrap_admin_is_idempotent() throws Exception {
    Service second = Main.start(env).await();
    try {
      assertThat(login("root-admin", "admin-password-1").getString("uuid")).isNotBlank();
    } finally {
      second.close().await();
    }
  }

  @Test
  void malformed_json_answers_400() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/register"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(envelope(response).getInteger("code")).isEqualTo(10001);
  }

  private static String adminToken() throws Exception {
    return login("root-admin", "admin-password-1").getString("token");
  }

  private static JsonObject login(String identifier, String password) throws Exception {
    HttpResponse<String> response = post("/api/v1/login", credentials(identifier, password), null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return envelope(response).getJsonObject("data");
  }

  private static JsonObject registration(String username, String email) {
    return new JsonObject()
        .put("username", username)
        .put("email", email)
        .put("password", "a long password");
  }

  private static JsonObject credentials(String identifier, String password) {
    return new JsonObject()
        .put(identifier.contains("@") ? "email" : "username", identifier)
        .put("password", password);
  }

  private static JsonObject envelope(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  private static HttpRequest request(String path, JsonObject body, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b.build();
  }

  private static HttpResponse<String> post(String path, JsonObject body, String token)
      throws Exception {
    return HTTP.send(request(path, body, token), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
