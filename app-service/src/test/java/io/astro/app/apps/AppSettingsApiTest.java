package io.astro.app.apps;

import static io.astro.app.RunningAppService.code;
import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.astro.app.RunningAppService;
import io.astro.common.crypto.KeyRing;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * An app's settings over HTTP on a real MariaDB and Kafka: create with every field, the rules,
 * secrets that never show in clear, JSON Merge Patch, releases and rollback (docs/apps.md).
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class AppSettingsApiTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String IMAGE = "ghcr.io/acme/web:1.4.2";
  private static final String KEYS = KeyRing.generateSpec("k1");
  private static final AtomicLong USERS = new AtomicLong(500);
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  private static RunningAppService app;
  private static KafkaBroker kafka;
  private static TestDatabase database;
  private static String commands;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    LOGS.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
    kafka = broker;
    database = db;
    commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    String status = KafkaBroker.uniqueTopicName("astro.app.status");
    broker.createCompactedTopic(commands, 3);
    broker.createTopic(status, 1);
    app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of(
                "ASTRO_APP_COMMANDS_TOPIC", commands,
                "ASTRO_APP_STATUS_TOPIC", status,
                "ASTRO_APP_STATUS_GROUP", status + "-group",
                "ASTRO_KUBECONFIG_KEYS", KEYS,
                "ASTRO_DEFAULT_CLUSTER", "eu-1"));
  }

  @AfterAll
  static void stop() {
    app.close();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
  }

  @Test
  void create_takes_every_setting_and_the_command_carries_them_with_secrets_sealed() {
    String token = app.token(USERS.incrementAndGet());
    JsonObject body =
        new JsonObject()
            .put("name", "full")
            .put("image", IMAGE)
            .put("replicas", 2)
            .put("port", 8080)
            .put("env", new JsonObject().put("LOG_LEVEL", "debug").put("_MODE", ""))
            .put("secrets", new JsonObject().put("DB_PASSWORD", "pw-create-7f3a"))
            .put("command", new JsonArray().add("/bin/server"))
            .put("args", new JsonArray().add("--port").add("8080"))
            .put("size", "small")
            .put(
                "health_check",
                new JsonObject().put("type", "http").put("path", "/healthz").put("port", 8080));

    HttpResponse<String> response = app.post("/api/v1/apps", body, token);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    JsonObject created = data(response);
    assertThat(created.getJsonObject("env"))
        .isEqualTo(new JsonObject().put("LOG_LEVEL", "debug").put("_MODE", ""));
    assertThat(created.getJsonObject("secrets"))
        .isEqualTo(new JsonObject().put("DB_PASSWORD", "******"));
    assertThat(created.getJsonArray("command")).containsExactly("/bin/server");
    assertThat(created.getJsonArray("args")).containsExactly("--port", "8080");
    assertThat(created.getString("size")).isEqualTo("small");
    assertThat(created.getJsonObject("health_check"))
        .isEqualTo(
            new JsonObject()
                .put("type", "http")
                .put("path", "/healthz")
                .put("port", 8080)
                .put("initial_delay_seconds", 0)
                .put("period_seconds", 10)
                .put("timeout_seconds", 1)
                .put("failure_threshold", 3));
    assertThat(created.getValue("image_pull_secret")).isNull();
    assertThat(created.getLong("release")).isEqualTo(1);
    JsonObject detail = data(app.get("/api/v1/apps/" + created.getString("id"), token));
    assertThat(detail.getJsonObject("secrets").getString("DB_PASSWORD")).isEqualTo("******");

    ReceivedRecord record = awaitCommands(created.getString("id"), 1).get(0);
    EventSchemas.assertValid("io.astro.app.command.v2", record.value());
    JsonObject release =
        new JsonObject(record.value())
            .getJsonObject("data")
            .getJsonObject("desired")
            .getJsonObject("release");
    assertThat(release.getLong("number")).isEqualTo(1);
    assertThat(release.getJsonArray("secretNames")).containsExactly("DB_PASSWORD");
    assertThat(release.getString("secrets")).startsWith("v1.k1.").doesNotContain("pw-create");
    assertThat(
            new JsonObject(
                KeyRing.fromSpec(KEYS).open(created.getString("id"), release.getString("secrets"))))
        .isEqualTo(new JsonObject().put("DB_PASSWORD", "pw-create-7f3a"));
    assertThat(release.getJsonObject("resources"))
        .isEqualTo(
            new JsonObject()
                .put("size", "small")
                .put("cpuRequest", "63m")
                .put("cpuLimit", "250m")
                .put("memoryRequest", "256Mi")
                .put("memoryLimit", "256Mi"));
    assertThat(release.getJsonObject("healthCheck").getString("path")).isEqualTo("/healthz");
    assertThat(release.getJsonArray("command")).containsExactly("/bin/server");
    assertThat(release.getJsonObject("env").getString("LOG_LEVEL")).isEqualTo("debug");
  }

  @Test
  void every_broken_setting_is_named_at_once_and_nothing_is_stored() {
    String token = app.token(USERS.incrementAndGet());
    record Case(JsonObject settings, String field) {}
    String big = "x".repeat(32 * 1024 + 1);
    JsonObject many = new JsonObject();
    for (int i = 0; i < 101; i++) {
      many.put("V" + i, "1");
    }
    JsonObject heavy = new JsonObject();
    for (int i = 0; i < 9; i++) {
      heavy.put("V" + i, "y".repeat(30 * 1024));
    }
    List<Case> cases =
        List.of(
            new Case(new JsonObject().put("env", new JsonObject().put("1ABC", "x")), "env"),
            new Case(new JsonObject().put("env", new JsonObject().put("A-B", "x")), "env"),
            new Case(new JsonObject().put("env", new JsonObject().put("A", 1)), "env"),
            new Case(new JsonObject().put("env", new JsonObject().put("A", big)), "env"),
            new Case(new JsonObject().put("env", many), "env"),
            new Case(new JsonObject().put("env", heavy), "env"),
            new Case(new JsonObject().put("env", "A=1"), "env"),
            new Case(new JsonObject().put("secrets", new JsonObject().put("A B", "x")), "secrets"),
            new Case(new JsonObject().put("secrets", new JsonObject().put("S", true)), "secrets"),
            // one more than a Secret's data key may have
            new Case(
                new JsonObject().put("secrets", new JsonObject().put("S".repeat(254), "x")),
                "secrets"),
            new Case(
                new JsonObject()
                    .put("env", new JsonObject().put("TOKEN", "a"))
                    .put("secrets", new JsonObject().put("TOKEN", "b")),
                "env"),
            new Case(new JsonObject().put("command", "run"), "command"),
            new Case(new JsonObject().put("command", new JsonArray()), "command"),
            new Case(new JsonObject().put("args", new JsonArray().add(1)), "args"),
            new Case(new JsonObject().put("size", "huge"), "size"),
            new Case(new JsonObject().put("size", 2), "size"),
            new Case(new JsonObject().put("health_check", "http"), "health_check"),
            new Case(health(new JsonObject().put("type", "grpc").put("port", 1)), "health_check"),
            new Case(health(new JsonObject().put("type", "http").put("port", 80)), "health_check"),
            new Case(
                health(new JsonObject().put("type", "http").put("path", "healthz").put("port", 80)),
                "health_check"),
            new Case(
                health(new JsonObject().put("type", "tcp").put("path", "/x").put("port", 80)),
                "health_check"),
            new Case(health(new JsonObject().put("type", "tcp").put("port", 0)), "health_check"),
            new Case(health(new JsonObject().put("type", "tcp")), "health_check"),
            new Case(
                health(new JsonObject().put("type", "tcp").put("port", 5).put("period_seconds", 0)),
                "health_check"),
            new Case(
                health(
                    new JsonObject()
                        .put("type", "tcp")
                        .put("port", 5)
                        .put("failure_threshold", 101)),
                "health_check"),
            new Case(
                health(new JsonObject().put("type", "tcp").put("port", 5).put("grace", 1)),
                "health_check"),
            new Case(new JsonObject().put("image_pull_secret", "Not_A_Name"), "image_pull_secret"),
            new Case(
                new JsonObject().put("image_pull_secret", "nobody-has-it"), "image_pull_secret"));
    for (Case c : cases) {
      JsonObject body = c.settings().copy().put("name", "web").put("image", IMAGE);
      HttpResponse<String> response = app.post("/api/v1/apps", body, token);
      assertThat(response.statusCode()).as(c.settings().encode()).isEqualTo(400);
      assertThat(code(response)).isEqualTo(10001);
      assertThat(fields(response)).as(c.settings().encode()).containsExactly(c.field());
    }
    HttpResponse<String> all =
        app.post(
            "/api/v1/apps",
            new JsonObject()
                .put("name", "web")
                .put("image", IMAGE)
                .put("env", new JsonObject().put("9", "x"))
                .put("secrets", new JsonObject().put("-", "x"))
                .put("command", 1)
                .put("args", 2)
                .put("size", "huge")
                .put("health_check", new JsonObject())
                .put("image_pull_secret", "_"),
            token);
    assertThat(fields(all).stream().distinct())
        .containsExactly(
            "env", "secrets", "command", "args", "size", "health_check", "image_pull_secret");
    assertThat(data(app.get("/api/v1/apps", token)).getLong("total")).isZero();
  }

  @Test
  void secret_values_are_in_no_answer_log_line_command_history_release_or_table_in_clear()
      throws Exception {
    String token = app.token(USERS.incrementAndGet());
    String first = "first-secret-91c2e";
    String second = "second-secret-4d7b0";
    HttpResponse<String> created =
        app.send(
            "POST",
            "/api/v1/apps",
            new JsonObject()
                .put("name", "vault")
                .put("image", IMAGE)
                .put("secrets", new JsonObject().put("API_TOKEN", first)),
            token,
            Map.of("Idempotency-Key", "vault-1"));
    String id = data(created).getString("id");
    HttpResponse<String> replayed =
        app.send(
            "POST",
            "/api/v1/apps",
            new JsonObject()
                .put("name", "vault")
                .put("image", IMAGE)
                .put("secrets", new JsonObject().put("API_TOKEN", first)),
            token,
            Map.of("Idempotency-Key", "vault-1"));
    HttpResponse<String> otherSecretSameKey =
        app.send(
            "POST",
            "/api/v1/apps",
            new JsonObject()
                .put("name", "vault")
                .put("image", IMAGE)
                .put("secrets", new JsonObject().put("API_TOKEN", second)),
            token,
            Map.of("Idempotency-Key", "vault-1"));
    HttpResponse<String> patched =
        patch(
            id, new JsonObject().put("secrets", new JsonObject().put("API_TOKEN", second)), token);
    HttpResponse<String> badPatch =
        patch(
            id,
            new JsonObject()
                .put("secrets", new JsonObject().put("API_TOKEN", second).put("9BAD", first)),
            token);

    assertThat(replayed.statusCode()).isEqualTo(201);
    assertThat(otherSecretSameKey.statusCode()).isEqualTo(422);
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(202);
    assertThat(badPatch.statusCode()).isEqualTo(400);
    List<String> answers = new ArrayList<>();
    for (HttpResponse<String> r :
        List.of(
            created,
            replayed,
            otherSecretSameKey,
            patched,
            badPatch,
            app.get("/api/v1/apps/" + id, token),
            app.get("/api/v1/apps", token),
            app.get("/api/v1/apps/" + id + "/events", token),
            app.get("/api/v1/apps/" + id + "/releases", token))) {
      answers.add(r.body());
    }
    assertThat(data(patched).getJsonObject("secrets").getString("API_TOKEN")).isEqualTo("******");
    assertThat(
            data(app.get("/api/v1/apps/" + id + "/releases", token))
                .getJsonArray("items")
                .getJsonObject(0)
                .getString("description"))
        .isEqualTo("changed secrets (API_TOKEN)");
    List<ReceivedRecord> records = awaitCommands(id, 2);
    List<String> everywhere = new ArrayList<>(answers);
    records.forEach(r -> everywhere.add(r.value()));
    LOGS.list.forEach(e -> everywhere.add(e.getFormattedMessage()));
    everywhere.addAll(
        rows(
            "SELECT CONCAT_WS('|', payload, headers) FROM outbox WHERE aggregate_id = '"
                + id
                + "'"));
    everywhere.addAll(
        rows(
            "SELECT CONCAT_WS('|', kind, action, reason, message) FROM app_events WHERE app_id = '"
                + id
                + "'"));
    everywhere.addAll(
        rows(
            "SELECT CONCAT_WS('|', settings, description) FROM app_releases WHERE app_id = '"
                + id
                + "'"));
    everywhere.addAll(rows("SELECT CAST(settings AS CHAR) FROM apps WHERE id = '" + id + "'"));
    everywhere.addAll(rows("SELECT response FROM idempotency_keys WHERE idem_key = 'vault-1'"));
    assertThat(everywhere).hasSizeGreaterThan(answers.size() + 4);
    assertThat(everywhere).noneMatch(text -> text != null && text.contains(first));
    assertThat(everywhere).noneMatch(text -> text != null && text.contains(second));
    KeyRing keys = KeyRing.fromSpec(KEYS);
    String sealed =
        new JsonObject(records.get(1).value())
            .getJsonObject("data")
            .getJsonObject("desired")
            .getJsonObject("release")
            .getString("secrets");
    assertThat(new JsonObject(keys.open(id, sealed)).getString("API_TOKEN")).isEqualTo(second);
  }

  @Test
  void a_merge_patch_changes_what_it_names_and_a_spec_change_is_a_new_release() {
    String token = app.token(USERS.incrementAndGet());
    JsonObject created =
        data(
            app.post(
                "/api/v1/apps",
                new JsonObject()
                    .put("name", "patched")
                    .put("image", IMAGE)
                    .put("port", 8080)
                    .put("env", new JsonObject().put("A", "1").put("B", "2"))
                    .put("command", new JsonArray().add("serve"))
                    .put("health_check", new JsonObject().put("type", "tcp").put("port", 8080)),
                token));
    String id = created.getString("id");

    JsonObject envChanged =
        accepted(
            patch(
                id,
                new JsonObject().put("env", new JsonObject().putNull("B").put("C", "3")),
                token));
    HttpResponse<String> same =
        patch(id, new JsonObject().put("env", new JsonObject().put("A", "1")), token);
    JsonObject scaled = accepted(patch(id, new JsonObject().put("replicas", 3), token));
    JsonObject removed =
        accepted(
            patch(
                id,
                new JsonObject()
                    .putNull("port")
                    .putNull("command")
                    .put("health_check", new JsonObject().put("period_seconds", 30))
                    .put("size", "nano"),
                token));
    HttpResponse<String> plainText =
        app.send(
            "PATCH",
            "/api/v1/apps/" + id,
            new JsonObject().put("replicas", 1),
            token,
            Map.of("Content-Type", "text/plain"));
    HttpResponse<String> merged =
        app.send(
            "PATCH",
            "/api/v1/apps/" + id,
            new JsonObject().put("image", "ghcr.io/acme/web:2.0.0"),
            token,
            Map.of("Content-Type", "application/merge-patch+json"));
    HttpResponse<String> invalid =
        patch(
            id,
            new JsonObject()
                .put("env", new JsonObject().put("A B", "x"))
                .put("size", "huge")
                .put("name", "renamed"),
            token);
    HttpResponse<String> collision =
        patch(id, new JsonObject().put("secrets", new JsonObject().put("A", "s")), token);
    HttpResponse<String> unknownApp =
        patch("00000000-0000-4000-8000-000000000000", new JsonObject().put("replicas", 1), token);

    assertThat(envChanged.getJsonObject("env"))
        .isEqualTo(new JsonObject().put("A", "1").put("C", "3"));
    assertThat(envChanged.getLong("release")).isEqualTo(2);
    assertThat(envChanged.getLong("generation")).isEqualTo(2);
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(data(same).getLong("generation")).isEqualTo(2);
    assertThat(scaled.getInteger("replicas")).isEqualTo(3);
    assertThat(scaled.getLong("release")).isEqualTo(2);
    assertThat(scaled.getLong("generation")).isEqualTo(3);
    assertThat(removed.getValue("port")).isNull();
    assertThat(removed.getValue("command")).isNull();
    assertThat(removed.getString("size")).isEqualTo("nano");
    assertThat(removed.getJsonObject("health_check").getInteger("period_seconds")).isEqualTo(30);
    assertThat(removed.getJsonObject("health_check").getInteger("port")).isEqualTo(8080);
    assertThat(removed.getLong("release")).isEqualTo(3);
    assertThat(plainText.statusCode()).isEqualTo(415);
    assertThat(merged.statusCode()).as(merged.body()).isEqualTo(202);
    assertThat(data(merged).getLong("release")).isEqualTo(4);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(fields(invalid)).containsExactlyInAnyOrder("name", "env", "size");
    assertThat(fields(collision)).containsExactly("env");
    assertThat(unknownApp.statusCode()).isEqualTo(404);

    JsonObject releases = data(app.get("/api/v1/apps/" + id + "/releases", token));
    assertThat(releases.getLong("total")).isEqualTo(4);
    assertThat(releases.getJsonArray("items").stream().map(r -> (JsonObject) r))
        .extracting(
            r ->
                r.getLong("number")
                    + " "
                    + r.getString("status")
                    + " "
                    + r.getString("description"))
        .containsExactly(
            "4 active changed image " + IMAGE + " → ghcr.io/acme/web:2.0.0",
            "3 superseded changed port 8080 → null, command, size standard → nano, health_check",
            "2 superseded changed env (B, C)",
            "1 superseded created");
    assertThat(releases.getJsonArray("items").getJsonObject(0).getString("image"))
        .isEqualTo("ghcr.io/acme/web:2.0.0");
    assertThat(releases.getJsonArray("items").getJsonObject(0).getString("created_at")).isNotNull();
    JsonObject page = data(app.get("/api/v1/apps/" + id + "/releases?page=2&limit=3", token));
    assertThat(page.getJsonArray("items").getJsonObject(0).getLong("number")).isEqualTo(1);

    List<JsonObject> published =
        awaitCommands(id, 5).stream()
            .map(r -> new JsonObject(r.value()).getJsonObject("data"))
            .toList();
    assertThat(published)
        .extracting(
            c ->
                c.getString("command")
                    + "@"
                    + c.getLong("generation")
                    + "/r"
                    + c.getJsonObject("desired").getJsonObject("release").getLong("number"))
        .containsExactly("create@1/r1", "update@2/r2", "scale@3/r2", "update@4/r3", "update@5/r4");
  }

  @Test
  void a_rollback_is_a_new_release_with_the_old_spec_and_secrets_as_they_were() {
    String token = app.token(USERS.incrementAndGet());
    String id =
        data(app.post(
                "/api/v1/apps",
                new JsonObject()
                    .put("name", "back")
                    .put("image", IMAGE)
                    .put("secrets", new JsonObject().put("KEY", "old-value-11")),
                token))
            .getString("id");
    accepted(
        patch(
            id,
            new JsonObject()
                .put("image", "ghcr.io/acme/web:9")
                .put("secrets", new JsonObject().put("KEY", "new-value-22")),
            token));

    JsonObject rolledBack =
        accepted(
            app.post(
                "/api/v1/apps/" + id + "/rollback", new JsonObject().put("release", 1), token));
    HttpResponse<String> unknown =
        app.post("/api/v1/apps/" + id + "/rollback", new JsonObject().put("release", 9), token);
    HttpResponse<String> bad =
        app.post("/api/v1/apps/" + id + "/rollback", new JsonObject().put("release", "1"), token);
    HttpResponse<String> stranger =
        app.post(
            "/api/v1/apps/" + id + "/rollback",
            new JsonObject().put("release", 1),
            app.token(USERS.incrementAndGet()));

    assertThat(rolledBack.getString("image")).isEqualTo(IMAGE);
    assertThat(rolledBack.getLong("release")).isEqualTo(3);
    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(new JsonObject(unknown.body()).getString("message"))
        .contains("no release 9")
        .contains("1 to 3");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(fields(bad)).containsExactly("release");
    assertThat(stranger.statusCode()).isEqualTo(404);
    JsonObject newest =
        data(app.get("/api/v1/apps/" + id + "/releases", token))
            .getJsonArray("items")
            .getJsonObject(0);
    assertThat(newest.getString("description")).isEqualTo("rollback to release 1");
    assertThat(newest.getString("status")).isEqualTo("active");

    List<ReceivedRecord> records = awaitCommands(id, 3);
    JsonObject release =
        new JsonObject(records.get(2).value())
            .getJsonObject("data")
            .getJsonObject("desired")
            .getJsonObject("release");
    assertThat(new JsonObject(records.get(2).value()).getJsonObject("data").getString("command"))
        .isEqualTo("update");
    assertThat(release.getLong("number")).isEqualTo(3);
    assertThat(new JsonObject(KeyRing.fromSpec(KEYS).open(id, release.getString("secrets"))))
        .isEqualTo(new JsonObject().put("KEY", "old-value-11"));
  }

  private static JsonObject health(JsonObject check) {
    return new JsonObject().put("health_check", check);
  }

  private static HttpResponse<String> patch(String id, JsonObject body, String token) {
    return app.send(
        "PATCH",
        "/api/v1/apps/" + id,
        body,
        token,
        Map.of("Content-Type", "application/merge-patch+json"));
  }

  private static JsonObject accepted(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return data(response);
  }

  private static List<ReceivedRecord> awaitCommands(String appId, int count) {
    List<ReceivedRecord> records =
        kafka.awaitRecords(commands, count, r -> appId.equals(r.key()), WAIT);
    assertThat(records).as("commands of %s, none twice", appId).hasSize(count);
    return records;
  }

  private static List<String> fields(HttpResponse<String> response) {
    return data(response).getJsonArray("fields").stream()
        .map(f -> ((JsonObject) f).getString("field"))
        .toList();
  }

  private static List<String> rows(String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }
}
