package io.astro.user.http;

import static io.astro.user.RunningUserService.PASSWORD;
import static io.astro.user.RunningUserService.credentials;
import static io.astro.user.RunningUserService.envelope;
import static io.astro.user.RunningUserService.fieldNames;
import static io.astro.user.RunningUserService.fromOneAddress;
import static io.astro.user.RunningUserService.invalidFields;
import static io.astro.user.RunningUserService.registration;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.TokenVerifier;
import io.astro.common.config.ConfigException;
import io.astro.common.runtime.Service;
import io.astro.testkit.Eventually;
import io.astro.testkit.FreePorts;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.user.Main;
import io.astro.user.RunningUserService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** user-service over HTTP, on a real MariaDB, started the way Main starts it. */
@ExtendWith(MySqlExtension.class)
class UserApiTest {

  private static RunningUserService users;
  private static TestDatabase database;

  @BeforeAll
  static void start(TestDatabase db) {
    database = db;
    users =
        RunningUserService.startWithoutBroker(
            db,
            fromOneAddress(
                Map.of(
                    "ASTRO_ADMIN_USERNAME",
                    "root-admin",
                    "ASTRO_ADMIN_PASSWORD",
                    "admin-password-1",
                    "ASTRO_BCRYPT_MAX_QUEUED",
                    "4")));
  }

  @AfterAll
  static void stop() {
    users.close();
  }

  @Test
  void register_returns_the_public_profile_and_never_the_hash() {
    HttpResponse<String> response = users.register("grace", "grace@example.org");

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
    String token = users.login("grace", PASSWORD).getString("token");
    assertThat(envelope(users.get("/api/v1/users/me", token)).getJsonObject("data"))
        .isEqualTo(profile);
  }

  @Test
  void invalid_registrations_answer_400_naming_each_field() {
    HttpResponse<String> response =
        users.post(
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
  void unknown_fields_in_register_and_login_answer_400_naming_them() {
    HttpResponse<String> register =
        users.post(
            "/api/v1/register",
            registration("mallory", "mallory@example.org").put("role", "admin"),
            null);

    assertThat(register.statusCode()).isEqualTo(400);
    assertThat(envelope(register).getInteger("code")).isEqualTo(10001);
    assertThat(envelope(register).getString("message")).contains("role");
    assertThat(fieldNames(register)).containsExactly("role");
    // refused, not created with the role dropped: the name is still free
    assertThat(users.register("mallory", "mallory@example.org").statusCode()).isEqualTo(201);

    HttpResponse<String> login =
        users.post(
            "/api/v1/login",
            new JsonObject()
                .put("username", "mallory")
                .put("password", PASSWORD)
                .put("remember_me", true),
            null);
    assertThat(login.statusCode()).isEqualTo(400);
    assertThat(fieldNames(login)).containsExactly("remember_me");
  }

  @Test
  void a_taken_username_or_email_answers_409_even_in_another_case() {
    assertThat(users.register("linus", "linus@example.org").statusCode()).isEqualTo(201);

    HttpResponse<String> sameName = users.register("LINUS", "other@example.org");
    HttpResponse<String> sameEmail = users.register("linus2", "Linus@Example.org");

    assertThat(sameName.statusCode()).isEqualTo(409);
    assertThat(envelope(sameName).getInteger("code")).isEqualTo(20001);
    assertThat(sameEmail.statusCode()).isEqualTo(409);
    assertThat(envelope(sameEmail).getInteger("code")).isEqualTo(20001);
  }

  @Test
  void login_by_username_or_email_gives_a_token_that_opens_me() {
    String uuid =
        envelope(users.register("barbara", "barbara@example.org"))
            .getJsonObject("data")
            .getString("uuid");

    Instant before = Instant.now();
    JsonObject byName = users.login("barbara", PASSWORD);
    Instant after = Instant.now();
    JsonObject byEmail = users.login("BARBARA@example.org", PASSWORD);
    HttpResponse<String> me = users.get("/api/v1/users/me", byName.getString("token"));

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
    assertThat(users.get("/api/v1/users/me", null).statusCode()).isEqualTo(401);
  }

  @Test
  void tokens_are_verifiable_with_the_published_keys() {
    users.register("margaret", "margaret@example.org");
    JsonObject session = users.login("margaret", PASSWORD);
    String token = session.getString("token");
    JsonObject jwks = new JsonObject(users.get("/.well-known/jwks.json", null).body());

    assertThat(jwks.getJsonArray("keys")).hasSize(1);
    JsonObject key = jwks.getJsonArray("keys").getJsonObject(0);
    assertThat(key.getString("alg")).isEqualTo("ES256");
    assertThat(key.getString("kid")).isEqualTo(header(token).getString("kid"));
    var verifier = TokenVerifier.create(users.vertx(), JwtSettings.from(users.env()), List.of(key));
    var caller = verifier.verify(token).await();

    assertThat(caller.uuid()).isEqualTo(session.getString("uuid"));
    assertThat(caller.role()).isEqualTo("user");
    assertThat(caller.userId()).isPositive();
    // exp has whole seconds
    assertThat(caller.expiresAt())
        .isEqualTo(Instant.parse(session.getString("expires_at")).truncatedTo(ChronoUnit.SECONDS));
  }

  @Test
  void login_failures_look_the_same_for_unknown_user_wrong_password_and_disabled_user() {
    users.register("alan", "alan@example.org");
    String victim =
        envelope(users.register("joan", "joan@example.org"))
            .getJsonObject("data")
            .getString("uuid");
    users.post("/api/v1/admin/users/" + victim + "/disable", new JsonObject(), adminToken());

    HttpResponse<String> unknown =
        users.post("/api/v1/login", credentials("nobody-here", PASSWORD), null);
    HttpResponse<String> wrongPassword =
        users.post("/api/v1/login", credentials("alan", "not the password"), null);
    HttpResponse<String> disabled =
        users.post("/api/v1/login", credentials("joan", PASSWORD), null);

    for (HttpResponse<String> r : List.of(unknown, wrongPassword, disabled)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(unknown.body());
    }
    assertThat(envelope(unknown).getInteger("code")).isEqualTo(20009);
  }

  @Test
  void admins_disable_and_enable_users_and_others_may_not() {
    users.register("edsger", "edsger@example.org");
    JsonObject session = users.login("edsger", PASSWORD);
    String uuid = session.getString("uuid");

    HttpResponse<String> selfService =
        users.post(
            "/api/v1/admin/users/" + uuid + "/disable",
            new JsonObject(),
            session.getString("token"));
    HttpResponse<String> disable =
        users.post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), adminToken());
    HttpResponse<String> meWhileDisabled =
        users.get("/api/v1/users/me", session.getString("token"));
    HttpResponse<String> disabledList = users.get("/internal/v1/users/disabled", null);
    HttpResponse<String> enable =
        users.post("/api/v1/admin/users/" + uuid + "/enable", new JsonObject(), adminToken());
    HttpResponse<String> unknown =
        users.post(
            "/api/v1/admin/users/00000000-0000-0000-0000-000000000000/disable",
            new JsonObject(),
            adminToken());

    assertThat(selfService.statusCode()).isEqualTo(403);
    assertThat(envelope(selfService).getInteger("code")).isEqualTo(10003);
    assertThat(disable.statusCode()).isEqualTo(200);
    assertThat(meWhileDisabled.statusCode()).isEqualTo(401);
    assertThat(envelope(disabledList).getJsonObject("data").getJsonArray("uuids")).contains(uuid);
    assertThat(enable.statusCode()).isEqualTo(200);
    assertThat(users.login("edsger", PASSWORD).getString("uuid")).isEqualTo(uuid);
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void repeated_failures_for_one_account_are_throttled_with_retry_after() {
    users.register("ken", "ken@example.org");
    for (int i = 0; i < 5; i++) {
      assertThat(
              users
                  .post("/api/v1/login", credentials("ken", "wrong password " + i), null)
                  .statusCode())
          .isEqualTo(401);
    }

    HttpResponse<String> throttled =
        users.post("/api/v1/login", credentials("ken", PASSWORD), null);

    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(envelope(throttled).getInteger("code")).isEqualTo(10008);
    long retryAfter = envelope(throttled).getJsonObject("data").getLong("retry_after_seconds");
    // within the failure window (15 min by default), and the header says the same
    assertThat(retryAfter).isBetween(1L, Duration.ofMinutes(15).toSeconds());
    assertThat(throttled.headers().firstValue("Retry-After")).hasValue(Long.toString(retryAfter));
  }

  @Test
  void a_login_flood_is_refused_fast_and_does_not_stall_other_requests() {
    users.register("dennis", "dennis@example.org");
    List<CompletableFuture<HttpResponse<String>>> flood =
        IntStream.range(0, 40)
            .mapToObj(
                i ->
                    users.sendAsync(
                        "POST", "/api/v1/login", credentials("dennis", PASSWORD), null, Map.of()))
            .toList();

    HttpResponse<String> health = users.get("/health", null);
    List<Integer> statuses = flood.stream().map(f -> f.join().statusCode()).toList();

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(statuses).contains(200).contains(503).containsOnly(200, 503);
  }

  @Test
  void the_bootstrap_admin_is_idempotent() {
    String uuid = users.login("root-admin", "admin-password-1").getString("uuid");
    RunningUserService second = users.startAnother(Map.of());
    try {
      JsonObject session = users.login("root-admin", "admin-password-1");
      assertThat(session.getString("uuid")).isEqualTo(uuid);
      JsonObject profile =
          envelope(users.get("/api/v1/users/me", session.getString("token"))).getJsonObject("data");
      assertThat(profile.getString("role")).isEqualTo("admin");
      assertThat(profile.getString("status")).isEqualTo("active");
    } finally {
      second.close();
    }
  }

  @Test
  void the_bootstrap_admin_never_takes_over_an_account_by_its_name() {
    String uuid =
        envelope(users.register("eve", "eve@example.org")).getJsonObject("data").getString("uuid");

    Throwable refused = users.refusedStart(admin("eve", null, "operator-password-1"));

    assertThat(refused)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_ADMIN_USERNAME 'eve'")
        .hasMessageContaining("non-admin");
    assertThat(refused.getMessage()).doesNotContain("\n").doesNotContain("operator-password-1");
    // the account is untouched: still a user, still opened by its own password only
    JsonObject session = users.login("eve", PASSWORD);
    assertThat(session.getString("uuid")).isEqualTo(uuid);
    assertThat(
            envelope(users.get("/api/v1/users/me", session.getString("token")))
                .getJsonObject("data")
                .getString("role"))
        .isEqualTo("user");
    assertThat(
            users
                .post("/api/v1/login", credentials("eve", "operator-password-1"), null)
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void the_bootstrap_admin_never_takes_over_an_account_by_its_email() {
    users.register("trudy", "trudy@example.org");

    Throwable byEmailAsName =
        users.refusedStart(admin("trudy@example.org", null, "operator-password"));
    Throwable byEmail =
        users.refusedStart(admin("new-admin", "TRUDY@example.org", "operator-password"));

    assertThat(byEmailAsName).isInstanceOf(ConfigException.class).hasMessageContaining("non-admin");
    assertThat(byEmail)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_ADMIN_EMAIL")
        .hasMessageContaining("non-admin");
    assertThat(
            users
                .post("/api/v1/login", credentials("new-admin", "operator-password"), null)
                .statusCode())
        .isEqualTo(401);
    assertThat(users.login("trudy", PASSWORD).getString("token")).isNotBlank();
  }

  @Test
  void an_instance_opens_its_ports_at_once_but_is_ready_only_once_its_bootstrap_admin_is_in_place()
      throws Exception {
    int[] ports = FreePorts.distinct(2);
    int management = ports[0];
    int api = ports[1];
    Map<String, String> settings = new HashMap<>(admin("early-admin", null, "early-password"));
    settings.put("ASTRO_USER_SERVICE_MANAGEMENT_PORT", Integer.toString(management));
    settings.put("ASTRO_USER_SERVICE_PORT", Integer.toString(api));
    Future<Service> starting;
    // the accounts table held: the admin cannot be looked up (nor made) until it is let go
    try (Connection holder =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement statement = holder.createStatement()) {
      statement.execute("LOCK TABLES users WRITE");
      starting = Main.start(users.env().with(settings));

      HttpResponse<String> waiting =
          Eventually.await(
              "/ready answering while the admin is pending",
              Duration.ofSeconds(30),
              () -> readiness(management),
              response -> response != null);
      assertThat(waiting.statusCode()).isEqualTo(503);
      assertThat(waiting.body()).contains("start-up");
      assertThat(starting.isComplete()).isFalse();
      // its API is open too, and says so rather than reaching a table that is not there yet
      HttpResponse<String> early = get(api, "/api/v1/users/me");
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(early.body()).getInteger("code")).isEqualTo(30005);
      statement.execute("UNLOCK TABLES");
    }
    Service started = starting.await(30, TimeUnit.SECONDS);
    try {
      assertThat(readiness(management).statusCode()).isEqualTo(200);
      assertThat(users.login("early-admin", "early-password").getString("token")).isNotBlank();
    } finally {
      started.close().await();
    }
  }

  // null while nothing listens there yet
  private static HttpResponse<String> readiness(int port) {
    return get(port, "/ready");
  }

  private static HttpResponse<String> get(int port, String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException notYet) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void a_changed_admin_password_is_applied_to_the_bootstrap_admin_at_start() {
    startAndStop(admin("rotating-admin", null, "first-password"));
    String uuid = users.login("rotating-admin", "first-password").getString("uuid");

    startAndStop(admin("rotating-admin", null, "second-password"));

    assertThat(users.login("rotating-admin", "second-password").getString("uuid")).isEqualTo(uuid);
    assertThat(
            users
                .post("/api/v1/login", credentials("rotating-admin", "first-password"), null)
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void a_disabled_bootstrap_admin_stays_disabled_across_starts() {
    startAndStop(admin("retired-admin", null, "retired-password"));
    String uuid = users.login("retired-admin", "retired-password").getString("uuid");
    assertThat(
            users
                .post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), adminToken())
                .statusCode())
        .isEqualTo(200);

    startAndStop(admin("retired-admin", null, "retired-password"));

    assertThat(
            users
                .post("/api/v1/login", credentials("retired-admin", "retired-password"), null)
                .statusCode())
        .isEqualTo(401);
    assertThat(
            envelope(users.get("/internal/v1/users/disabled", null))
                .getJsonObject("data")
                .getJsonArray("uuids"))
        .contains(uuid);
  }

  @Test
  void a_disabled_admins_still_valid_token_is_refused_on_every_route_it_opened() {
    startAndStop(admin("deputy-admin", null, "deputy-password"));
    JsonObject deputy = users.login("deputy-admin", "deputy-password");
    String uuid = deputy.getString("uuid");
    String token = deputy.getString("token");
    assertThat(users.get("/api/v1/users/me", token).statusCode()).isEqualTo(200);

    assertThat(
            users
                .post("/api/v1/admin/users/" + uuid + "/disable", new JsonObject(), adminToken())
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> reEnable =
        users.post("/api/v1/admin/users/" + uuid + "/enable", new JsonObject(), token);
    HttpResponse<String> disableAnother =
        users.post("/api/v1/admin/users/" + adminUuid() + "/disable", new JsonObject(), token);
    HttpResponse<String> me = users.get("/api/v1/users/me", token);

    for (HttpResponse<String> refused : List.of(reEnable, disableAnother, me)) {
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
      assertThat(envelope(refused).getInteger("code")).isEqualTo(10002);
      assertThat(envelope(refused).fieldNames())
          .containsExactlyInAnyOrder("code", "message", "data");
    }
    assertThat(
            envelope(users.get("/internal/v1/users/disabled", null))
                .getJsonObject("data")
                .getJsonArray("uuids"))
        .contains(uuid)
        .doesNotContain(adminUuid());
  }

  @Test
  void a_user_changes_their_email_to_a_valid_free_one() {
    String token = users.signUp("ivy", "ivy@example.org").getString("token");

    HttpResponse<String> changed =
        users.send(
            "PATCH", "/api/v1/users/me", new JsonObject().put("email", "ivy@example.net"), token);

    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    assertThat(envelope(changed).getJsonObject("data").getString("email"))
        .isEqualTo("ivy@example.net");
    assertThat(
            envelope(users.get("/api/v1/users/me", token)).getJsonObject("data").getString("email"))
        .isEqualTo("ivy@example.net");
    assertThat(users.login("ivy@example.net", PASSWORD).getString("token")).isNotBlank();
  }

  @Test
  void an_invalid_or_unknown_email_change_answers_400_naming_the_field() {
    String token = users.signUp("jude", "jude@example.org").getString("token");

    HttpResponse<String> invalid =
        users.send(
            "PATCH", "/api/v1/users/me", new JsonObject().put("email", "not-an-address"), token);
    HttpResponse<String> notText =
        users.send("PATCH", "/api/v1/users/me", new JsonObject().put("email", 42), token);
    HttpResponse<String> otherField =
        users.send("PATCH", "/api/v1/users/me", new JsonObject().put("username", "judith"), token);

    assertThat(invalidFields(invalid)).containsExactly("email");
    assertThat(invalidFields(notText)).containsExactly("email");
    assertThat(invalidFields(otherField)).containsExactly("username", "email");
    assertThat(
            envelope(users.get("/api/v1/users/me", token)).getJsonObject("data").getString("email"))
        .isEqualTo("jude@example.org");
  }

  @Test
  void an_email_another_account_has_answers_409_naming_email_even_in_another_case() {
    users.signUp("kim", "kim@example.org");
    String token = users.signUp("lee", "lee@example.org").getString("token");

    HttpResponse<String> taken =
        users.send(
            "PATCH", "/api/v1/users/me", new JsonObject().put("email", "KIM@example.org"), token);

    assertThat(taken.statusCode()).as(taken.body()).isEqualTo(409);
    assertThat(envelope(taken).getInteger("code")).isEqualTo(20001);
    assertThat(envelope(taken).getJsonObject("data").getString("field")).isEqualTo("email");
    assertThat(
            envelope(users.get("/api/v1/users/me", token)).getJsonObject("data").getString("email"))
        .isEqualTo("lee@example.org");
  }

  @Test
  void a_wrong_current_password_answers_403_naming_current_and_changes_nothing() {
    String token = users.signUp("mia", "mia@example.org").getString("token");

    HttpResponse<String> wrong =
        users.post(
            "/api/v1/users/me/password", passwords("not my password", "a new password"), token);

    assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(403);
    assertThat(envelope(wrong).getInteger("code")).isEqualTo(10003);
    assertThat(fieldNames(wrong)).containsExactly("current");
    assertThat(users.get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
    assertThat(users.login("mia", PASSWORD).getString("token")).isNotBlank();
  }

  @Test
  void wrong_current_passwords_count_as_failed_logins_and_are_throttled() {
    String token = users.signUp("nia", "nia@example.org").getString("token");

    // ASTRO_LOGIN_MAX_FAILURES defaults to 5 per account and address
    for (int i = 0; i < 5; i++) {
      assertThat(
              users
                  .post(
                      "/api/v1/users/me/password",
                      passwords("guess " + i + "!", "a new one!"),
                      token)
                  .statusCode())
          .isEqualTo(403);
    }
    HttpResponse<String> throttled =
        users.post("/api/v1/users/me/password", passwords(PASSWORD, "a new one!"), token);
    HttpResponse<String> loginThrottled =
        users.post("/api/v1/login", credentials("nia", PASSWORD), null);

    assertThat(throttled.statusCode()).as(throttled.body()).isEqualTo(429);
    long retryAfter = envelope(throttled).getJsonObject("data").getLong("retry_after_seconds");
    assertThat(retryAfter).isBetween(1L, Duration.ofMinutes(15).toSeconds());
    assertThat(throttled.headers().firstValue("Retry-After")).hasValue(Long.toString(retryAfter));
    assertThat(loginThrottled.statusCode()).isEqualTo(429);
  }

  @Test
  void a_new_password_breaking_the_sign_up_rules_answers_400_naming_new() {
    String token = users.signUp("ola", "ola@example.org").getString("token");
    String seventyThreeBytes = "é".repeat(36) + "x";

    HttpResponse<String> tooLong =
        users.post("/api/v1/users/me/password", passwords(PASSWORD, seventyThreeBytes), token);
    HttpResponse<String> tooShort =
        users.post("/api/v1/users/me/password", passwords(PASSWORD, "short"), token);
    HttpResponse<String> missing =
        users.post("/api/v1/users/me/password", new JsonObject().put("current", "x"), token);

    assertThat(invalidFields(tooLong)).containsExactly("new");
    assertThat(envelope(tooLong).getString("message")).contains("72 bytes");
    assertThat(invalidFields(tooShort)).containsExactly("new");
    assertThat(invalidFields(missing)).containsExactly("new");
    // the current password is never longer either: refused before bcrypt, not counted as a guess
    HttpResponse<String> currentTooLong =
        users.post("/api/v1/users/me/password", passwords(seventyThreeBytes, "a new one!"), token);
    assertThat(currentTooLong.statusCode()).isEqualTo(400);
    assertThat(invalidFields(currentTooLong)).containsExactly("current");
    assertThat(envelope(currentTooLong).getString("message")).contains("72 bytes");
    assertThat(users.get("/api/v1/users/me", token).statusCode()).isEqualTo(200);
    assertThat(users.login("ola", PASSWORD).getString("token")).isNotBlank();
  }

  @Test
  void a_password_change_answers_a_working_token_and_ends_every_older_one_at_once() {
    JsonObject first = users.signUp("pia", "pia@example.org");
    String uuid = first.getString("uuid");
    String older = first.getString("token");
    String old = users.login("pia", PASSWORD).getString("token");

    HttpResponse<String> changed =
        users.post("/api/v1/users/me/password", passwords(PASSWORD, "a newer password"), old);

    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    JsonObject fresh = envelope(changed).getJsonObject("data");
    assertThat(fresh.getString("uuid")).isEqualTo(uuid);
    assertThat(Instant.parse(fresh.getString("expires_at"))).isAfter(Instant.now());
    // issued within the same second as the change, and still accepted: the version decides
    assertThat(users.get("/api/v1/users/me", fresh.getString("token")).statusCode()).isEqualTo(200);
    for (String before : List.of(older, old)) {
      HttpResponse<String> refused = users.get("/api/v1/users/me", before);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
      assertThat(envelope(refused).getInteger("code")).isEqualTo(10002);
      assertThat(
              users
                  .post(
                      "/api/v1/users/me/password",
                      passwords("a newer password", "yet another one"),
                      before)
                  .statusCode())
          .isEqualTo(401);
    }
    assertThat(users.post("/api/v1/login", credentials("pia", PASSWORD), null).statusCode())
        .isEqualTo(401);
    assertThat(
            users
                .get("/api/v1/users/me", users.login("pia", "a newer password").getString("token"))
                .statusCode())
        .isEqualTo(200);
    assertThat(
            envelope(users.get("/internal/v1/users/disabled", null))
                .getJsonObject("data")
                .getJsonObject("token_versions")
                .getLong(uuid))
        .isEqualTo(1L);
  }

  private static JsonObject passwords(String current, String replacement) {
    return new JsonObject().put("current", current).put("new", replacement);
  }

  private static String adminUuid() {
    return users.login("root-admin", "admin-password-1").getString("uuid");
  }

  /** The bootstrap admin's settings ({@code email} may be null, leaving it out). */
  private static Map<String, String> admin(String username, String email, String password) {
    Map<String, String> values = new HashMap<>();
    values.put("ASTRO_ADMIN_USERNAME", username);
    values.put("ASTRO_ADMIN_PASSWORD", password);
    if (email != null) {
      values.put("ASTRO_ADMIN_EMAIL", email);
    }
    return values;
  }

  /** Another instance with {@code changes} starts and stops, leaving its mark on the database. */
  private static void startAndStop(Map<String, String> changes) {
    users.startAnother(changes).close();
  }

  @Test
  void malformed_json_answers_400() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(users.baseUrl() + "/api/v1/register"))
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

  private static String adminToken() {
    return users.login("root-admin", "admin-password-1").getString("token");
  }
}
