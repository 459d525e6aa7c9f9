package io.astro.app.audit;

import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.Main;
import io.astro.app.RunningAppService;
import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.SigningKeys;
import io.astro.common.auth.TokenIssuer;
import io.astro.common.auth.TokenScope;
import io.astro.common.config.Env;
import io.astro.common.crypto.KeyRing;
import io.astro.common.db.Database;
import io.astro.common.db.DbSettings;
import io.astro.common.events.Topics;
import io.astro.common.events.audit.AuditEvent;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit trail of app-service: each change through the API, and each refusal, becomes one line
 * on {@code astro.audit} and in the audit table, which operators read whole and users read for
 * their own actions only; the lines never hold a secret the calls carried.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class AuditApiTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String IMAGE = "nginx:1.27";
  private static final AtomicLong USERS = new AtomicLong(7_000);

  private static RunningAppService app;
  private static KafkaBroker kafka;
  private static TokenIssuer issuer;
  private static Vertx vertx;
  private static Pool pool;
  private static String admin;
  private static String audit;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    kafka = broker;
    audit = KafkaBroker.uniqueTopicName(Topics.AUDIT);
    broker.createTopic(audit, 3);
    broker.createTopic(Topics.deadLetter(audit), 1);
    String status = KafkaBroker.uniqueTopicName(Topics.APP_STATUS);
    broker.createTopic(status, 1);
    SigningKeys keys = SigningKeys.generate();
    app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of(
                "ASTRO_APP_STATUS_TOPIC",
                status,
                "ASTRO_APP_STATUS_GROUP",
                status + "-group",
                "ASTRO_KUBECONFIG_KEYS",
                KeyRing.generateSpec("k1"),
                "ASTRO_DB_REQUEST_DEADLINE",
                "10s",
                "ASTRO_AUDIT_TOPIC",
                audit),
            keys);
    vertx = Vertx.vertx();
    issuer =
        TokenIssuer.create(vertx, JwtSettings.from(Env.of(Map.of())), keys, Duration.ofHours(1));
    pool =
        Database.pool(
            vertx,
            DbSettings.from(
                Env.of(
                    Map.of(
                        "ASTRO_DB_HOST", db.host(),
                        "ASTRO_DB_PORT", Integer.toString(db.port()),
                        "ASTRO_DB_NAME", db.database(),
                        "ASTRO_DB_USER", db.user(),
                        "ASTRO_DB_PASSWORD", db.password())),
                "unused"));
    admin = app.adminToken(1);
  }

  @AfterAll
  static void stop() {
    app.close();
    vertx.close().await();
  }

  @Test
  void each_change_and_each_refusal_is_a_line_the_user_sees_as_their_own() {
    long userId = USERS.incrementAndGet();
    String uuid = UUID.randomUUID().toString();
    String token = app.token(uuid, userId);
    String id =
        data(app.send(
                "POST",
                "/api/v1/apps",
                new JsonObject().put("name", "web").put("image", IMAGE).put("replicas", 1),
                token,
                Map.of("X-Request-Id", "req-audit-1", "X-Real-IP", "203.0.113.7")))
            .getString("id");
    assertThat(
            app.post("/api/v1/apps/" + id + "/scale", new JsonObject().put("replicas", 2), token)
                .statusCode())
        .isEqualTo(202);
    HttpResponse<String> refused =
        app.post("/api/v1/apps/" + id + "/scale", new JsonObject().put("replicas", -1), token);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(
            app.post(
                    "/api/v1/apps/" + id + "/domains/never.example.org/verify",
                    new JsonObject(),
                    token)
                .statusCode())
        .isEqualTo(404);
    assertThat(app.send("DELETE", "/api/v1/apps/" + id, null, token, Map.of()).statusCode())
        .isEqualTo(202);

    JsonArray lines = awaitOwn(token, 5);

    // newest first
    assertThat(actions(lines))
        .containsExactly("app.delete", "app.domain.verify", "app.scale", "app.scale", "app.create");
    assertThat(lines.getJsonObject(1).getJsonObject("target"))
        .isEqualTo(
            new JsonObject().put("type", "domain").put("id", "never.example.org").putNull("name"));
    assertThat(lines.getJsonObject(1).getJsonObject("outcome").getInteger("status")).isEqualTo(404);
    JsonObject create = lines.getJsonObject(4);
    assertThat(create.getJsonObject("actor"))
        .isEqualTo(
            new JsonObject()
                .put("uuid", uuid)
                .put("user_id", userId)
                .put("role", "user")
                .put("token_kind", "session")
                .putNull("token_id")
                .putNull("token_name"));
    assertThat(create.getJsonObject("target"))
        .isEqualTo(new JsonObject().put("type", "app").put("id", id).put("name", "web"));
    assertThat(create.getJsonObject("outcome"))
        .isEqualTo(new JsonObject().put("status", 201).put("code", 0));
    assertThat(create.getString("request_id")).isEqualTo("req-audit-1");
    assertThat(create.getString("client_ip")).isEqualTo("203.0.113.7");
    assertThat(create.getString("service")).isEqualTo(Main.NAME);
    assertThat(lines.getJsonObject(2).getJsonObject("outcome"))
        .isEqualTo(
            new JsonObject()
                .put("status", 400)
                .put("code", new JsonObject(refused.body()).getInteger("code")));
    assertThat(lines.getJsonObject(2).getJsonObject("target").getString("id")).isEqualTo(id);

    // another user sees none of it; filters narrow a user's own lines
    assertThat(data(app.get("/api/v1/audit", app.token(USERS.incrementAndGet()))).getLong("total"))
        .isZero();
    assertThat(
            actions(data(app.get("/api/v1/audit?action=app.scale", token)).getJsonArray("items")))
        .containsExactly("app.scale", "app.scale");
    JsonObject second = data(app.get("/api/v1/audit?target=" + id + "&limit=1&page=2", token));
    assertThat(second.getLong("total")).isEqualTo(4);
    assertThat(actions(second.getJsonArray("items"))).containsExactly("app.scale");
    assertThat(
            data(app.get("/api/v1/audit?from=" + Instant.now().plusSeconds(3600), token))
                .getLong("total"))
        .isZero();
  }

  @Test
  void operators_read_everyones_lines_others_are_refused_and_both_are_recorded() {
    long userId = USERS.incrementAndGet();
    String uuid = UUID.randomUUID().toString();
    String token = app.token(uuid, userId);
    app.create(token, "api", IMAGE, 1);
    awaitOwn(token, 1);

    HttpResponse<String> forbidden = app.get("/api/v1/admin/audit", token);
    HttpResponse<String> theirs = app.get("/api/v1/admin/audit?actor=" + uuid, admin);

    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(theirs.statusCode()).isEqualTo(200);
    assertThat(actions(data(theirs).getJsonArray("items"))).contains("app.create");
    // the refused read is the user's own line; the operator's read is the operator's
    JsonArray own = awaitOwn(token, 2);
    assertThat(own.getJsonObject(0).getString("action")).isEqualTo("audit.read");
    assertThat(own.getJsonObject(0).getJsonObject("outcome").getInteger("status")).isEqualTo(403);
    Eventually.until(
        "the operator's read to be recorded",
        WAIT,
        () ->
            data(app.get("/api/v1/audit?action=audit.read", admin)).getJsonArray("items").stream()
                .map(JsonObject.class::cast)
                .anyMatch(l -> l.getJsonObject("outcome").getInteger("status") == 200));
  }

  @Test
  void a_personal_tokens_calls_name_the_token_and_a_read_tokens_refused_write_too() {
    long userId = USERS.incrementAndGet();
    String uuid = UUID.randomUUID().toString();
    Instant until = Instant.now().plus(Duration.ofDays(1));
    String ci =
        issuer
            .issuePersonal(
                uuid,
                userId,
                "user",
                0,
                TokenScope.WRITE,
                "pat-1",
                "ci deploys",
                Duration.ofMinutes(5),
                until)
            .token();
    String reader =
        issuer
            .issuePersonal(
                uuid,
                userId,
                "user",
                0,
                TokenScope.READ,
                "pat-2",
                "dashboard",
                Duration.ofMinutes(5),
                until)
            .token();

    app.create(ci, "job", IMAGE, 1);
    assertThat(app.post("/api/v1/apps", new JsonObject().put("name", "x"), reader).statusCode())
        .isEqualTo(403);

    JsonArray lines = awaitOwn(app.token(uuid, userId), 2);
    JsonObject actor = lines.getJsonObject(1).getJsonObject("actor");
    assertThat(actor.getString("token_kind")).isEqualTo("pat");
    assertThat(actor.getString("token_id")).isEqualTo("pat-1");
    assertThat(actor.getString("token_name")).isEqualTo("ci deploys");
    assertThat(lines.getJsonObject(0).getJsonObject("actor").getString("token_name"))
        .isEqualTo("dashboard");
    assertThat(lines.getJsonObject(0).getJsonObject("outcome").getInteger("status")).isEqualTo(403);
  }

  @Test
  void no_secret_a_call_carries_reaches_the_table_or_the_topic() {
    long userId = USERS.incrementAndGet();
    String uuid = UUID.randomUUID().toString();
    String token = app.token(uuid, userId);
    String secretValue = "s3cret-value-" + UUID.randomUUID();
    String patched = "s3cret-patched-" + UUID.randomUUID();
    String registryPassword = "s3cret-registry-" + UUID.randomUUID();
    String kubeToken = "s3cret-kube-" + UUID.randomUUID();
    String kubeconfig =
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server:"
            + " https://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user:"
            + " u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: "
            + kubeToken
            + "\n";

    HttpResponse<String> created =
        app.post(
            "/api/v1/apps",
            new JsonObject()
                .put("name", "vault")
                .put("image", IMAGE)
                .put("replicas", 1)
                .put("secrets", new JsonObject().put("DB_PASSWORD", secretValue)),
            token);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = data(created).getString("id");
    assertThat(
            app.send(
                    "PATCH",
                    "/api/v1/apps/" + id,
                    new JsonObject().put("secrets", new JsonObject().put("DB_PASSWORD", patched)),
                    token,
                    Map.of())
                .statusCode())
        .isEqualTo(202);
    assertThat(
            app.post(
                    "/api/v1/registries",
                    new JsonObject()
                        .put("name", "ghcr")
                        .put("server", "ghcr.io")
                        .put("username", "octocat")
                        .put("password", registryPassword),
                    token)
                .statusCode())
        .isEqualTo(201);
    // an operator's token: the import is refused (nothing answers there), and still recorded
    String operatorUuid = UUID.randomUUID().toString();
    String operator = issuer.issue(operatorUuid, USERS.incrementAndGet(), "admin").token();
    HttpResponse<String> imported =
        app.post(
            "/api/v1/clusters",
            new JsonObject()
                .put("name", "leaky")
                .put(
                    "kubeconfig",
                    Base64.getEncoder()
                        .encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8))),
            operator);
    assertThat(imported.statusCode()).isBetween(400, 499);

    awaitOwn(token, 3);
    awaitOwn(operator, 1);
    List<String> secrets = List.of(secretValue, patched, registryPassword, kubeToken);

    for (String actor : List.of(uuid, operatorUuid)) {
      String table = tableText(actor);
      assertThat(table).contains(actor);
      secrets.forEach(s -> assertThat(table).doesNotContain(s));
    }
    List<ReceivedRecord> records =
        kafka.awaitRecords(
            audit,
            4,
            r ->
                r.value() != null && (r.value().contains(uuid) || r.value().contains(operatorUuid)),
            WAIT);
    assertThat(records).hasSize(4);
    for (ReceivedRecord record : records) {
      secrets.forEach(s -> assertThat(record.value()).doesNotContain(s));
      secrets.forEach(s -> assertThat(String.valueOf(record.headers())).doesNotContain(s));
    }
  }

  @Test
  void a_repeated_event_is_kept_once_and_a_poison_record_is_parked() throws Exception {
    String uuid = UUID.randomUUID().toString();
    AuditEvent event =
        new AuditEvent(
            UUID.randomUUID().toString(),
            Instant.now(),
            "user-service",
            new AuditEvent.Actor(uuid, 5L, "user", AuditEvent.TokenKind.SESSION, null, null),
            "user.password.change",
            new AuditEvent.Target("user", uuid, null),
            new AuditEvent.Outcome(200, 0),
            "req-twice",
            null);
    String value = event.encode();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
            new StringSerializer(),
            new StringSerializer())) {
      producer.send(new ProducerRecord<>(audit, uuid, "not an event " + uuid)).get();
      producer.send(new ProducerRecord<>(audit, uuid, value)).get();
      producer.send(new ProducerRecord<>(audit, uuid, value)).get();
    }

    List<ReceivedRecord> parked =
        kafka.awaitRecords(Topics.deadLetter(audit), 1, r -> r.value().contains(uuid), WAIT);
    assertThat(parked).hasSize(1);
    // the second copy comes after the first on the same partition: once it is in, both were read
    Eventually.until(
        "the event to be kept",
        WAIT,
        () -> data(app.get("/api/v1/admin/audit?actor=" + uuid, admin)).getLong("total") == 1);
    String later = "later-" + UUID.randomUUID();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
            new StringSerializer(),
            new StringSerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  audit,
                  uuid,
                  new AuditEvent(
                          UUID.randomUUID().toString(),
                          Instant.now(),
                          "user-service",
                          event.actor(),
                          "token.create",
                          new AuditEvent.Target("token", later, "later"),
                          new AuditEvent.Outcome(201, 0),
                          null,
                          null)
                      .encode()))
          .get();
    }
    Eventually.until(
        "the later event to be kept",
        WAIT,
        () -> data(app.get("/api/v1/admin/audit?target=" + later, admin)).getLong("total") == 1);
    assertThat(data(app.get("/api/v1/admin/audit?actor=" + uuid, admin)).getLong("total"))
        .isEqualTo(2);
  }

  @Test
  void bad_filters_answer_400_naming_the_field() {
    String token = app.token(USERS.incrementAndGet());
    Map<String, String> cases =
        Map.of(
            "/api/v1/admin/audit?limit=0",
            "limit",
            "/api/v1/admin/audit?page=x",
            "page",
            "/api/v1/admin/audit?actor=bob",
            "actor",
            "/api/v1/admin/audit?action=App.Create",
            "action",
            "/api/v1/admin/audit?from=yesterday",
            "from",
            "/api/v1/admin/audit?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z",
            "to",
            "/api/v1/admin/audit?colour=red",
            "colour",
            "/api/v1/audit?actor=" + UUID.randomUUID(),
            "actor");
    cases.forEach(
        (path, field) -> {
          HttpResponse<String> answer =
              app.get(path, path.startsWith("/api/v1/admin") ? admin : token);
          assertThat(answer.statusCode()).as(path).isEqualTo(400);
          assertThat(fields(answer)).as(path).containsExactly(field);
        });
  }

  private static JsonArray awaitOwn(String token, int count) {
    HttpResponse<String> answer =
        Eventually.await(
            count + " audit lines",
            WAIT,
            () -> app.get("/api/v1/audit?limit=100", token),
            r -> r.statusCode() == 200 && data(r).getJsonArray("items").size() >= count);
    return data(answer).getJsonArray("items");
  }

  private static List<String> actions(JsonArray lines) {
    List<String> actions = new ArrayList<>();
    IntStream.range(0, lines.size())
        .forEach(i -> actions.add(lines.getJsonObject(i).getString("action")));
    return actions;
  }

  private static List<String> fields(HttpResponse<String> response) {
    return data(response).getJsonArray("fields").stream()
        .map(f -> ((JsonObject) f).getString("field"))
        .toList();
  }

  // every column of every line of the actor, as text
  private static String tableText(String actor) {
    StringBuilder text = new StringBuilder();
    for (Row row :
        pool.preparedQuery("SELECT * FROM audit_log WHERE actor_uuid = ?")
            .execute(Tuple.of(actor))
            .await()) {
      for (int i = 0; i < row.size(); i++) {
        text.append(row.getValue(i)).append('|');
      }
      text.append('\n');
    }
    return text.toString();
  }
}
