package io.astro.app.registries;

import static io.astro.app.RunningAppService.code;
import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.common.crypto.KeyRing;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Registry credentials over HTTP, and the pull secret an app's command carries with them. */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class RegistryApiTest {

  private static final String IMAGE = "ghcr.io/acme/private:1";
  private static final String KEYS = KeyRing.generateSpec("k1");
  private static final AtomicLong USERS = new AtomicLong(700);

  private static RunningAppService app;
  private static KafkaBroker kafka;
  private static TestDatabase database;
  private static String commands;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    kafka = broker;
    database = db;
    commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    broker.createCompactedTopic(commands, 1);
    app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of("ASTRO_APP_COMMANDS_TOPIC", commands, "ASTRO_KUBECONFIG_KEYS", KEYS));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void a_credential_is_created_listed_and_deleted_and_its_password_never_shows() throws Exception {
    String token = app.token(USERS.incrementAndGet());
    String password = "ghp_registry-password-5e1";

    HttpResponse<String> created = app.post("/api/v1/registries", ghcr(password), token);
    HttpResponse<String> again = app.post("/api/v1/registries", ghcr(password), token);
    HttpResponse<String> list = app.get("/api/v1/registries", token);
    HttpResponse<String> othersList =
        app.get("/api/v1/registries", app.token(USERS.incrementAndGet()));

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(data(created).fieldNames())
        .containsExactlyInAnyOrder("name", "server", "username", "created_at");
    assertThat(data(created).getString("server")).isEqualTo("ghcr.io");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(data(list).getJsonArray("items")).hasSize(1);
    assertThat(data(list).getJsonArray("items").getJsonObject(0).getString("name"))
        .isEqualTo("ghcr");
    assertThat(data(othersList).getJsonArray("items")).isEmpty();
    for (HttpResponse<String> r : List.of(created, again, list)) {
      assertThat(r.body()).doesNotContain(password).doesNotContain("password\":");
    }
    String stored = single("SELECT password FROM registries WHERE name = 'ghcr'");
    assertThat(stored).startsWith("v1.k1.").doesNotContain(password);

    HttpResponse<String> deleted =
        app.send("DELETE", "/api/v1/registries/ghcr", null, token, Map.of());
    HttpResponse<String> deletedAgain =
        app.send("DELETE", "/api/v1/registries/ghcr", null, token, Map.of());
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(deletedAgain.statusCode()).isEqualTo(404);
    assertThat(data(app.get("/api/v1/registries", token)).getJsonArray("items")).isEmpty();
  }

  @Test
  void every_missing_or_broken_field_is_named() {
    String token = app.token(USERS.incrementAndGet());
    HttpResponse<String> none = app.post("/api/v1/registries", new JsonObject(), token);
    HttpResponse<String> bad =
        app.post(
            "/api/v1/registries",
            new JsonObject()
                .put("name", "Not_A_Label")
                .put("server", "https://ghcr.io/")
                .put("username", "a:b")
                .put("password", "")
                .put("email", "x@y"),
            token);

    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(code(none)).isEqualTo(10001);
    assertThat(fields(none)).containsExactly("name", "server", "username", "password");
    assertThat(fields(bad)).containsExactly("email", "name", "server", "username", "password");
    assertThat(data(app.get("/api/v1/registries", token)).getJsonArray("items")).isEmpty();
  }

  @Test
  void an_app_pulls_with_a_named_credential_which_cannot_be_deleted_while_in_use() {
    String token = app.token(USERS.incrementAndGet());
    String password = "pull-password-8c3";
    app.post(
        "/api/v1/registries",
        new JsonObject()
            .put("name", "corp")
            .put("server", "registry.example.com:5000")
            .put("username", "robot")
            .put("password", password),
        token);

    HttpResponse<String> unknown =
        app.post(
            "/api/v1/apps",
            new JsonObject()
                .put("name", "web")
                .put("image", IMAGE)
                .put("image_pull_secret", "nope"),
            token);
    HttpResponse<String> created =
        app.post(
            "/api/v1/apps",
            new JsonObject()
                .put("name", "web")
                .put("image", IMAGE)
                .put("image_pull_secret", "corp"),
            token);
    HttpResponse<String> inUse =
        app.send("DELETE", "/api/v1/registries/corp", null, token, Map.of());

    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(fields(unknown)).containsExactly("image_pull_secret");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(data(created).getString("image_pull_secret")).isEqualTo("corp");
    assertThat(created.body()).doesNotContain(password);
    assertThat(inUse.statusCode()).isEqualTo(409);
    assertThat(inUse.body()).contains("web");

    String id = data(created).getString("id");
    ReceivedRecord record =
        kafka.awaitRecords(commands, 1, r -> id.equals(r.key()), Duration.ofSeconds(30)).get(0);
    EventSchemas.assertValid("io.astro.app.command.v2", record.value());
    assertThat(record.value()).doesNotContain(password);
    JsonObject pull =
        new JsonObject(record.value())
            .getJsonObject("data")
            .getJsonObject("desired")
            .getJsonObject("release")
            .getJsonObject("imagePullSecret");
    assertThat(pull.getString("registry")).isEqualTo("corp");
    JsonObject dockerConfig =
        new JsonObject(KeyRing.fromSpec(KEYS).open(id, pull.getString("dockerConfig")));
    assertThat(dockerConfig)
        .isEqualTo(
            new JsonObject()
                .put(
                    "auths",
                    new JsonObject()
                        .put(
                            "registry.example.com:5000",
                            new JsonObject()
                                .put("username", "robot")
                                .put("password", password)
                                .put(
                                    "auth",
                                    Base64.getEncoder()
                                        .encodeToString(
                                            ("robot:" + password)
                                                .getBytes(StandardCharsets.UTF_8))))));

    HttpResponse<String> unnamed =
        app.send(
            "PATCH",
            "/api/v1/apps/" + id,
            new JsonObject().putNull("image_pull_secret"),
            token,
            Map.of());
    assertThat(unnamed.statusCode()).as(unnamed.body()).isEqualTo(202);
    assertThat(data(unnamed).getValue("image_pull_secret")).isNull();
    assertThat(app.send("DELETE", "/api/v1/registries/corp", null, token, Map.of()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void reencrypt_moves_app_secrets_pull_secrets_and_registry_passwords_to_the_active_key()
      throws Exception {
    String token = app.token(USERS.incrementAndGet());
    app.post(
        "/api/v1/registries",
        new JsonObject()
            .put("name", "rot")
            .put("server", "quay.io")
            .put("username", "u")
            .put("password", "rotating-password-1"),
        token);
    String id =
        data(app.post(
                "/api/v1/apps",
                new JsonObject()
                    .put("name", "rotated")
                    .put("image", IMAGE)
                    .put("image_pull_secret", "rot")
                    .put("secrets", new JsonObject().put("S", "rotating-secret-2")),
                token))
            .getString("id");
    String key2 = KeyRing.generateSpec("k2");
    try (RunningAppService rotated =
        RunningAppService.start(
            database,
            kafka.bootstrapServers(),
            Map.of(
                "ASTRO_APP_COMMANDS_TOPIC",
                KafkaBroker.uniqueTopicName("astro.app.commands"),
                "ASTRO_KUBECONFIG_KEYS",
                key2 + "," + KEYS))) {
      HttpResponse<String> moved =
          rotated.post("/api/v1/clusters/reencrypt", new JsonObject(), rotated.adminToken(1));

      assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
      assertThat(data(moved).getInteger("app_settings")).isGreaterThanOrEqualTo(2);
      assertThat(data(moved).getInteger("registries")).isGreaterThanOrEqualTo(1);
      KeyRing onlyK2 = KeyRing.fromSpec(key2);
      JsonObject settings =
          new JsonObject(single("SELECT settings FROM apps WHERE id = '" + id + "'"));
      assertThat(new JsonObject(onlyK2.open(id, settings.getString("secrets"))).getString("S"))
          .isEqualTo("rotating-secret-2");
      assertThat(
              onlyK2.open(id, settings.getJsonObject("imagePullSecret").getString("dockerConfig")))
          .contains("rotating-password-1");
      JsonObject release =
          new JsonObject(
              single(
                  "SELECT settings FROM app_releases WHERE app_id = '" + id + "' AND number = 1"));
      assertThat(release.getString("secrets")).startsWith("v1.k2.");
      String registryId = single("SELECT id FROM registries WHERE name = 'rot'");
      assertThat(
              onlyK2.open(
                  Registry.owner(registryId),
                  single("SELECT password FROM registries WHERE name = 'rot'")))
          .isEqualTo("rotating-password-1");
      HttpResponse<String> again =
          rotated.post("/api/v1/clusters/reencrypt", new JsonObject(), rotated.adminToken(1));
      assertThat(data(again).getInteger("app_settings")).isZero();
      assertThat(data(again).getInteger("registries")).isZero();
    }
  }

  private static JsonObject ghcr(String password) {
    return new JsonObject()
        .put("name", "ghcr")
        .put("server", "GHCR.io")
        .put("username", "octocat")
        .put("password", password);
  }

  private static List<String> fields(HttpResponse<String> response) {
    return data(response).getJsonArray("fields").stream()
        .map(f -> ((JsonObject) f).getString("field"))
        .toList();
  }

  private static String single(String sql) throws Exception {
    try (Connection c =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
