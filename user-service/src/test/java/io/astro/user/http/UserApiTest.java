package io.astro.user.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.runtime.Service;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.user.Main;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
  private static Map<String, String> settings;
  private static Env env;

  @BeforeAll
  static void start(TestDatabase db) {
    settings =
        Map.ofEntries(
            Map.entry("ASTRO_USER_SERVICE_PORT", "0"),
            Map.entry("ASTRO_HTTP_HOST", "127.0.0.1"),
            Map.entry("ASTRO_DB_HOST", db.host()),
            Map.entry("ASTRO_DB_PORT", Integer.toString(db.port())),
            Map.entry("ASTRO_DB_NAME", db.database()),
            Map.entry("ASTRO_DB_USER", db.user()),
            Map.entry("ASTRO_DB_PASSWORD", db.password()),
            // no broker: account events wait in the outbox (AccountLifecycleTest publishes them)
            Map.entry("ASTRO_KAFKA_BOOTSTRAP", "127.0.0.1:1"),
            Map.entry("ASTRO_ADMIN_USERNAME", "root-admin"),
            Map.entry("ASTRO_ADMIN_PASSWORD", "admin-password-1"),
            Map.entry("ASTRO_BCRYPT_THREADS", "2"),
            Map.entry("ASTRO_BCRYPT_MAX_QUEUED", "4"),
            // every test here comes from one address; LoginLimitsTest covers the per-address limits
            Map.entry("ASTRO_LOGIN_IP_MAX_FAILURES", "1000"),
            Map.entry("ASTRO_SIGNUP_MAX_PER_IP", "1000"));
    env = Env.of(settings);
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
    assertThat(profile.getString("username")).isEqualTo("grace");
    assertThat(profile.getString("email")).isEqualTo("grace@example.org");
    assertThat(profile.getString("role")).isEqualTo("user");
    assertThat(profile.getString("status")).isEqualTo("active");
    String uuid = profile.getString("uuid");
    assertThat(UUID.fromString(uuid)).hasToString(uuid);
    assertThat(Instant.parse(profile.getString("created_at"))).isBeforeOrEqualTo(Instant.now());
    assertThat(response.body()).doesNotContain("$2a$", "password");
    // the profile answered is the one stored: the account itself shows the same
    String token = login("grace", "a long password").getString("token");
    assertThat(envelope(get("/api/v1/users/me", token)).getJsonObject("data")).isEqualTo(profile);
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
  void unknown_fields_in_register_and_login_answer_400_naming_them() throws Exception {
    HttpResponse<String> register =
        post(
            "/api/v1/register",
            registration("mallory", "mallory@example.org").put("role", "admin"),
            null);

    assertThat(register.statusCode()).isEqualTo(400);
    assertThat(envelope(register).getInteger("code")).isEqualTo(10001);
    assertThat(envelope(register).getString("message")).contains("role");
    assertThat(fieldNames(register)).containsExactly("role");
    // refused, not created with the role dropped: the name is still free
    assertThat(
            post("/api/v1/register", registration("mallory", "mallory@example.org"), null)
                .statusCode())
        .isEqualTo(201);

    HttpResponse<String> login =
        post(
            "/api/v1/login",
            new JsonObject()
                .put("username", "mallory")
                .put("password", "a long password")
                .put("remember_me", true),
            null);
    assertThat(login.statusCode()).isEqualTo(400);
    assertThat(fieldNames(login)).containsExactly("remember_me");
  }

  private static List<String> fieldNames(HttpResponse<String> response) {
    return envelope(response).getJsonObject("data").getJsonArray("fields").stream()
        .map(f -> ((JsonObject) f).getString("field"))
        .toList();
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
    String uuid =
        envelope(post("/api/v1/register", registration("barbara", "barbara@example.org"), null))
            .getJsonObject("data")
            .getString("uuid");

    Instant before = Instant.now();
    JsonObject byName = login("barbara", "a long password");
    Instant after = Instant.now();
    JsonObject byEmail = login("BARBARA@example.org", "a long password");
    HttpResponse<String> me = get("/api/v1/users/me", byName.getString("token"));

    assertThat(byName.fieldNames()).containsExactlyInAnyOrder("token", "uuid", "expires_at");
    assertThat(byName.getString("uuid")).isEqualTo(uuid);
    assertThat(byEmail.getString("uuid")).isEqualTo(uuid);
    // the default lifetime: 24 h from the login
    assertThat(Instant.parse(byName.getString("expires_at")))
        .isBetween(before.plus(Duration.ofHours(24)), after.plus(Duration.ofHours(24)));
    assertThat(me.statusCode()).isEqualTo(200);
    JsonObject profile = envelope(me).getJsonObject("data");
    assertThat(profile.getString("username")).isEqualTo("barbara");
    assertThat(profile.getString("email")).isEqualTo("barbara@example.org");
    assertThat(profile.getString("uuid")).isEqualTo(uuid);
    assertThat(get("/api/v1/users/me", null).statusCode()).isEqualTo(401);
  }

  @Test
  void tokens_are_verifiable_with_the_published_keys() throws Exception {
    post("/api/v1/register", registration("margaret", "margaret@example.org"), null);
    JsonObject session = login("margaret", "a long password");
    String token = session.getString("token");
    JsonObject jwks = new JsonObject(get("/.well-known/jwks.json", null).body());

    assertThat(jwks.getJsonArray("keys")).hasSize(1);
    JsonObject key = jwks.getJsonArray("keys").getJsonObject(0);
    assertThat(key.getString("alg")).isEqualTo("ES256");
    assertThat(key.getString("kid")).isEqualTo(header(token).getString("kid"));
    var verifier = TokenVerifier.create(service.vertx(), JwtSettings.from(env), List.of(key));
    var caller = verifier.verify(token).await();

    assertThat(caller.uuid()).isEqualTo(session.getString("uuid"));
    assertThat(caller.role()).isEqualTo("user");
    assertThat(caller.userId()).isPositive();
    // exp has whole seconds
    assertThat(caller.expiresAt())
        .isEqualTo(Instant.parse(session.getString("expires_at")).truncatedTo(ChronoUnit.SECONDS));
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
    long retryAfter = envelope(throttled).getJsonObject("data").getLong("retry_after_seconds");
    // within the failure window (15 min by default), and the header says the same
    assertThat(retryAfter).isBetween(1L, Duration.ofMinutes(15).toSeconds());
    assertThat(throttled.headers().firstValue("Retry-After")).hasValue(Long.toString(retryAfter));
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
    String uuid = login("root-admin", "admin-password-1").getString("uuid");
    Service second = Main.start(env).await();
    try {
      JsonObject session = login("root-admin", "admin-password-1");
      assertThat(session.getString("uuid")).isEqualTo(uuid);
      JsonObject profile =
          envelope(get("/api/v1/users/me", session.getString("token"))).getJsonObject("data");
      assertThat(profile.getString("role")).isEqualTo("admin");
      assertThat(profile.getString("status")).isEqualTo("active");
    } finally {
      second.close().await();
    }
  }

  @Test
  void the_bootstrap_admin_never_takes_over_an_account_by_its_name() throws Exception {
    String uuid =
        envelope(post("/api/v1/register", registration("eve", "eve@example.org"), null))
            .getJsonObject("data")
            .getString("uuid");

    Throwable refused = startFailure(admin("eve", null, "operator-password-1"));

    assertThat(refused)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_ADMIN_USERNAME 'eve'")
        .hasMessageContaining("non-admin");
    assertThat(refused.getMessage()).doesNotContain("\n").doesNotContain("operator-password-1");
    // the account is untouched: still a user, still opened by its own password only
    JsonObject session = login("eve", "a long password");
    assertThat(session.getString("uuid")).isEqualTo(uuid);
    assertThat(
            envelope(get("/api/v1/users/me", session.getString("token")))
                .getJsonObject("data")
                .getString("role"))
        .isEqualTo("user");
    assertThat(post("/api/v1/login", credentials("eve", "operator-password-1"), null).statusCode())
        .isEqualTo(401);
  }

  @Test
  void the_bootstrap_admin_never_takes_over_an_account_by_its_email() throws Exception {
    post("/api/v1/register", registration("trudy", "trudy@example.org"), null);

    Throwable byEmailAsName = startFailure(admin("trudy@example.org", null, "operator-password"));
    Throwable byEmail = startFailure(admin("new-admin", "TRUDY@example.org", "operator-password"));

    assertThat(byEmailAsName).isInstanceOf(ConfigException.class).hasMessageContaining("non-admin");
    assertThat(byEmail)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_ADMIN_EMAIL")
        .hasMessageContaining("non-admin");
    assertThat(
            post("/api/v1/login", credentials("new-admin", "operator-password"), null).statusCode())
        .isEqualTo(401);
    assertThat(login("trudy", "a long password").getString("token")).isNotBlank();
  }

  @Test
  void a_changed_admin_password_is_applied_to_the_bootstrap_admin_at_start() throws Exception {
    startAndStop(admin("rotating-admin", null, "first-password"));
    String uuid = login("rotating-admin", "first-password").getString("uuid");

    startAndStop(admin("rotating-admin", null, "second-password"));

    assertThat(login("rotating-admin", "second-password").getString("uuid")).isEqualTo(uuid);
    assertThat(
            post("/api/v1/login", credentials("rotating-admin", "first-password"), null)
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void a_disabled_bootstrap_admin_stays_disabled_across_starts() throws Exception {
    startAndStop(admin("retired-admin", null, "retired-password"));
    String uuid = login("retired-admin", "retired-password").getString("uuid");
    assertThat(
            post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), adminToken())
                .statusCode())
        .isEqualTo(200);

    startAndStop(admin("retired-admin", null, "retired-password"));

    assertThat(
            post("/api/v1/login", credentials("retired-admin", "retired-password"), null)
                .statusCode())
        .isEqualTo(401);
    assertThat(
            envelope(get("/internal/v1/users/disabled", null))
                .getJsonObject("data")
                .getJsonArray("uuids"))
        .contains(uuid);
  }

  @Test
  void a_disabled_admins_still_valid_token_is_refused_on_every_route_it_opened() throws Exception {
    startAndStop(admin("deputy-admin", null, "deputy-password"));
    JsonObject deputy = login("deputy-admin", "deputy-password");
    String uuid = deputy.getString("uuid");
    String token = deputy.getString("token");
    assertThat(get("/api/v1/users/me", token).statusCode()).isEqualTo(200);

    assertThat(
            post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), adminToken())
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> reEnable =
        post("/api/v1/admin/users/" + uuid + "/enable", new JsonObject(), token);
    HttpResponse<String> disableAnother =
        post("/api/v1/admin/users/" + adminUuid() + "/disable", new JsonObject(), token);
    HttpResponse<String> me = get("/api/v1/users/me", token);

    for (HttpResponse<String> refused : List.of(reEnable, disableAnother, me)) {
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
      assertThat(envelope(refused).getInteger("code")).isEqualTo(10002);
      assertThat(envelope(refused).fieldNames())
          .containsExactlyInAnyOrder("code", "message", "data");
    }
    assertThat(
            envelope(get("/internal/v1/users/disabled", null))
                .getJsonObject("data")
                .getJsonArray("uuids"))
        .contains(uuid)
        .doesNotContain(adminUuid());
  }

  @Test
  void a_user_changes_their_email_to_a_valid_free_one() throws Exception {
    String token = signUp("ivy", "ivy@example.org").getString("token");

    HttpResponse<String> changed =
        patch("/api/v1/users/me", new JsonObject().put("email", "ivy@example.net"), token);

    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    assertThat(envelope(changed).getJsonObject("data").getString("email"))
        .isEqualTo("ivy@example.net");
    assertThat(envelope(get("/api/v1/users/me", token)).getJsonObject("data").getString("email"))
        .isEqualTo("ivy@example.net");
    assertThat(login("ivy@example.net", "a long password").getString("token")).isNotBlank();
  }

  @Test
  void an_invalid_or_unknown_email_change_answers_400_naming_the_field() throws Exception {
    String token = signUp("jude", "jude@example.org").getString("token");

    HttpResponse<String> invalid =
        patch("/api/v1/users/me", new JsonObject().put("email", "not-an-address"), token);
    HttpResponse<String> notText =
        patch("/api/v1/users/me", new JsonObject().put("email", 42), token);
    HttpResponse<String> otherField =
        patch("/api/v1/users/me", new JsonObject().put("username", "judith"), token);

    assertThat(fieldsOf(invalid)).containsExactly("email");
    assertThat(fieldsOf(notText)).containsExactly("email");
    assertThat(fieldsOf(otherField)).containsExactly("username", "email");
    assertThat(envelope(get("/api/v1/users/me", token)).getJsonObject("data").getString("email"))
        .isEqualTo("jude@example.org");
  }

  @Test
  void an_email_another_account_has_answers_409_naming_email_even_in_another_case()
      throws Exception {
    signUp("kim", "kim@example.org");
    String token = signUp("lee", "lee@example.org").getString("token");

    HttpResponse<String> taken =
        patch("/api/v1/users/me", new JsonObject().put("email", "KIM@example.org"), token);

    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(409);
    assertThat(envelope(taken).getInteger("code")).isEqualTo(20001);
    assertThat(envelope(taken).getJsonObject("data").getString("field")).isEqualTo("email");
    assertThat(envelope(get("/api/v1/users/me", token)).getJsonObject("data").getString("email"))
        .isEqualTo("lee@example.org");
  }

  @Test
  void a_wrong_current_password_answers_403_naming_current_and_changes_nothing() throws Exception {
    String token = signUp("mia", "mia@example.org").getString("token");

    HttpResponse<String> wrong =
        post("/api/v1/users/me/password", passwords("not my password", "a new password"), token);

    assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(403);
    assertThat(envelope(wrong).getInteger("code")).isEqualTo(10003);
    assertThat(fieldNames(envelope(wrong))).containsExactly("current");
    assertThat(get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
    assertThat(login("mia", "a long password").getString("token")).isNotBlank();
  }

  @Test
  void wrong_current_passwords_count_as_failed_logins_and_are_throttled() throws Exception {
    String token = signUp("nia", "nia@example.org").getString("token");

    // ASTRO_LOGIN_MAX_FAILURES defaults to 5 per account and address
    for (int i = 0; i < 5; i++) {
      assertThat(
              post("/api/v1/users/me/password", passwords("guess " + i + "!", "a new one!"), token)
                  .statusCode())
          .isEqualTo(403);
    }
    HttpResponse<String> throttled =
        post("/api/v1/users/me/password", passwords("a long password", "a new one!"), token);
    HttpResponse<String> loginThrottled =
        post("/api/v1/login", credentials("nia", "a long password"), null);

    assertThat(throttled.statusCode()).as(throttled.body()).isEqualTo(429);
    long retryAfter = envelope(throttled).getJsonObject("data").getLong("retry_after_seconds");
    assertThat(retryAfter).isBetween(1L, Duration.ofMinutes(15).toSeconds());
    assertThat(throttled.headers().firstValue("Retry-After")).hasValue(Long.toString(retryAfter));
    assertThat(loginThrottled.statusCode()).isEqualTo(429);
  }

  @Test
  void a_new_password_breaking_the_sign_up_rules_answers_400_naming_new() throws Exception {
    String token = signUp("ola", "ola@example.org").getString("token");
    String seventyThreeBytes = "é".repeat(36) + "x";

    HttpResponse<String> tooLong =
        post("/api/v1/users/me/password", passwords("a long password", seventyThreeBytes), token);
    HttpResponse<String> tooShort =
        post("/api/v1/users/me/password", passwords("a long password", "short"), token);
    HttpResponse<String> missing =
        post("/api/v1/users/me/password", new JsonObject().put("current", "x"), token);

    assertThat(fieldsOf(tooLong)).containsExactly("new");
    assertThat(envelope(tooLong).getString("message")).contains("72 bytes");
    assertThat(fieldsOf(tooShort)).containsExactly("new");
    assertThat(fieldsOf(missing)).containsExactly("new");
    // the current password is never longer either: refused before bcrypt, not counted as a guess
    HttpResponse<String> currentTooLong =
        post("/api/v1/users/me/password", passwords(seventyThreeBytes, "a new one!"), token);
    assertThat(currentTooLong.statusCode()).isEqualTo(400);
    assertThat(fieldsOf(currentTooLong)).containsExactly("current");
    assertThat(envelope(currentTooLong).getString("message")).contains("72 bytes");
    assertThat(get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
    assertThat(login("ola", "a long password").getString("token")).isNotBlank();
  }

  @Test
  void a_password_change_answers_a_working_token_and_ends_every_older_one_at_once()
      throws Exception {
    JsonObject first = signUp("pia", "pia@example.org");
    String uuid = first.getString("uuid");
    String older = first.getString("token");
    String old = login("pia", "a long password").getString("token");

    HttpResponse<String> changed =
        post("/api/v1/users/me/password", passwords("a long password", "a newer password"), old);

    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    JsonObject fresh = envelope(changed).getJsonObject("data");
    assertThat(fresh.getString("uuid")).isEqualTo(uuid);
    assertThat(Instant.parse(fresh.getString("expires_at"))).isAfter(Instant.now());
    // issued within the same second as the change, and still accepted: the version decides
    assertThat(get("/api/v1/users/me", fresh.getString("token")).statusCode()).isEqualTo(200);
    for (String before : List.of(older, old)) {
      HttpResponse<String> refused = get("/api/v1/users/me", before);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
      assertThat(envelope(refused).getInteger("code")).isEqualTo(10002);
      assertThat(
              post(
                      "/api/v1/users/me/password",
                      passwords("a newer password", "yet another one"),
                      before)
                  .statusCode())
          .isEqualTo(401);
    }
    assertThat(post("/api/v1/login", credentials("pia", "a long password"), null).statusCode())
        .isEqualTo(401);
    assertThat(
            get("/api/v1/users/me", login("pia", "a newer password").getString("token"))
                .statusCode())
        .isEqualTo(200);
    assertThat(
            envelope(get("/internal/v1/users/disabled", null))
                .getJsonObject("data")
                .getJsonObject("token_versions")
                .getLong(uuid))
        .isEqualTo(1L);
  }

  private static JsonObject signUp(String username, String email) throws Exception {
    HttpResponse<String> created = post("/api/v1/register", registration(username, email), null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return login(username, "a long password");
  }

  private static JsonObject passwords(String current, String replacement) {
    return new JsonObject().put("current", current).put("new", replacement);
  }

  private static List<String> fieldsOf(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(envelope(response).getInteger("code")).isEqualTo(10001);
    return fieldNames(envelope(response));
  }

  private static List<String> fieldNames(JsonObject envelope) {
    return envelope.getJsonObject("data").getJsonArray("fields").stream()
        .map(f -> ((JsonObject) f).getString("field"))
        .toList();
  }

  private static HttpResponse<String> patch(String path, JsonObject body, String token)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String adminUuid() throws Exception {
    return login("root-admin", "admin-password-1").getString("uuid");
  }

  private static Env admin(String username, String email, String password) {
    Map<String, String> values = new HashMap<>(settings);
    values.put("ASTRO_ADMIN_USERNAME", username);
    values.put("ASTRO_ADMIN_PASSWORD", password);
    if (email != null) {
      values.put("ASTRO_ADMIN_EMAIL", email);
    }
    return Env.of(values);
  }

  private static void startAndStop(Env other) {
    Main.start(other).await().close().await();
  }

  private static Throwable startFailure(Env other) {
    Future<Service> started = Main.start(other);
    started.<Void>transform(settled -> Future.succeededFuture()).await();
    if (started.succeeded()) {
      started.result().close().await();
    }
    assertThat(started.failed()).as("start-up refused").isTrue();
    return started.cause();
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

  private static JsonObject header(String token) {
    return new JsonObject(
        Buffer.buffer(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.')))));
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
