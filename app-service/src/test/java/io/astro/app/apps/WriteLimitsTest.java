package io.astro.app.apps;

import static io.astro.app.RunningAppService.code;
import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.common.auth.SigningKeys;
import io.astro.common.config.Env;
import io.astro.common.db.Database;
import io.astro.common.db.DbSettings;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Changes are bounded per app and action, and per user, over a window: the one past a bound answers
 * 429 with the envelope, {@code Retry-After}, and stores nothing. The bound is counted in the
 * database, so two instances share it.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class WriteLimitsTest {

  private static final AtomicLong USERS = new AtomicLong(700);
  private static final int PER_ACTION = 3;
  private static final int PER_USER = 8;

  private static RunningAppService one;
  private static RunningAppService two;
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker kafka) {
    String commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    String status = KafkaBroker.uniqueTopicName("astro.app.status");
    kafka.createCompactedTopic(commands, 1);
    kafka.createTopic(status, 1);
    Map<String, String> env =
        Map.of(
            "ASTRO_APP_COMMANDS_TOPIC",
            commands,
            "ASTRO_APP_STATUS_TOPIC",
            status,
            "ASTRO_APP_STATUS_GROUP",
            status + "-group",
            "ASTRO_WRITE_LIMIT_PER_APP_ACTION",
            Integer.toString(PER_ACTION),
            "ASTRO_WRITE_LIMIT_PER_USER",
            Integer.toString(PER_USER),
            "ASTRO_WRITE_LIMIT_WINDOW",
            "1m");
    SigningKeys keys = SigningKeys.generate();
    one = RunningAppService.start(db, kafka.bootstrapServers(), env, keys);
    two = RunningAppService.start(db, kafka.bootstrapServers(), env, keys);
    vertx = Vertx.vertx();
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
  }

  @AfterAll
  static void stop() {
    one.close();
    two.close();
    vertx.close().await();
  }

  @Test
  void one_action_on_one_app_is_bounded_across_both_instances_and_other_actions_and_apps_go_on() {
    String token = one.token(USERS.incrementAndGet());
    String id = one.create(token, "web", "nginx", 1).getString("id");
    String other = one.create(token, "api", "nginx", 1).getString("id");

    // alternating instances: the bound is one count, not one per instance
    for (int i = 0; i < PER_ACTION; i++) {
      RunningAppService via = i % 2 == 0 ? one : two;
      HttpResponse<String> ok = via.post("/api/v1/apps/" + id + "/restart", null, token);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
    }
    long generation = data(one.get("/api/v1/apps/" + id, token)).getLong("generation");
    long history = data(one.get("/api/v1/apps/" + id + "/events", token)).getLong("total");
    HttpResponse<String> refused = two.post("/api/v1/apps/" + id + "/restart", null, token);
    HttpResponse<String> refusedToo = one.post("/api/v1/apps/" + id + "/restart", null, token);

    for (HttpResponse<String> r : List.of(refused, refusedToo)) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
      assertThat(code(r)).isEqualTo(10008);
      JsonObject envelope = new JsonObject(r.body());
      assertThat(envelope.fieldNames()).containsExactlyInAnyOrder("code", "message", "data");
      assertThat(envelope.getString("message")).contains("restart").contains("at most 3");
      JsonObject d = envelope.getJsonObject("data");
      assertThat(d.getString("action")).isEqualTo("restart");
      assertThat(d.getString("scope")).isEqualTo("app");
      assertThat(d.getInteger("limit")).isEqualTo(PER_ACTION);
      assertThat(d.getLong("window_seconds")).isEqualTo(60);
      assertThat(d.getLong("retry_after_seconds")).isBetween(1L, 60L);
      assertThat(r.headers().firstValue("Retry-After"))
          .hasValue(d.getLong("retry_after_seconds").toString());
    }
    // nothing stored for a refused change
    assertThat(data(one.get("/api/v1/apps/" + id, token)).getLong("generation"))
        .isEqualTo(generation);
    assertThat(data(one.get("/api/v1/apps/" + id + "/events", token)).getLong("total"))
        .isEqualTo(history);

    // another action on the same app, and the same action on another app, are not held back
    HttpResponse<String> scaled =
        two.post("/api/v1/apps/" + id + "/scale", new JsonObject().put("replicas", 2), token);
    assertThat(scaled.statusCode()).as(scaled.body()).isEqualTo(202);
    HttpResponse<String> otherRestart = one.post("/api/v1/apps/" + other + "/restart", null, token);
    assertThat(otherRestart.statusCode()).as(otherRestart.body()).isEqualTo(202);

    // once the counted restarts are older than the window, restarts go through again
    pool.preparedQuery(
            "UPDATE app_events SET created_at = created_at - INTERVAL 61 SECOND"
                + " WHERE app_id = ? AND action = 'restart'")
        .execute(Tuple.of(id))
        .await();
    HttpResponse<String> again = two.post("/api/v1/apps/" + id + "/restart", null, token);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
  }

  @Test
  void all_changes_of_one_user_are_bounded_creates_included_but_a_delete_always_goes_through() {
    long userId = USERS.incrementAndGet();
    String token = one.token(userId);
    String a = one.create(token, "first", "nginx", 1).getString("id");
    String b = two.create(token, "second", "nginx", 1).getString("id");
    // 2 creates + 6 operations spread over actions, apps and instances: the 8 allowed
    String[][] operations = {
      {a, "restart"}, {a, "stop"}, {a, "start"}, {b, "restart"}, {b, "stop"}, {b, "start"}
    };
    for (int i = 0; i < operations.length; i++) {
      RunningAppService via = i % 2 == 0 ? two : one;
      HttpResponse<String> ok =
          via.post("/api/v1/apps/" + operations[i][0] + "/" + operations[i][1], null, token);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
    }

    HttpResponse<String> scale =
        one.post("/api/v1/apps/" + a + "/scale", new JsonObject().put("replicas", 3), token);
    HttpResponse<String> create =
        two.post(
            "/api/v1/apps", new JsonObject().put("name", "third").put("image", "nginx"), token);
    HttpResponse<String> patch =
        one.send(
            "PATCH",
            "/api/v1/apps/" + b,
            new JsonObject().put("image", "nginx:1.27"),
            token,
            Map.of("Content-Type", "application/merge-patch+json"));

    assertThat(scale.statusCode()).as(scale.body()).isEqualTo(429);
    assertThat(data(scale).getString("scope")).isEqualTo("user");
    assertThat(data(scale).getString("action")).isEqualTo("scale");
    assertThat(data(scale).getInteger("limit")).isEqualTo(PER_USER);
    assertThat(scale.headers().firstValue("Retry-After")).isPresent();
    assertThat(create.statusCode()).as(create.body()).isEqualTo(429);
    assertThat(data(create).getString("action")).isEqualTo("create");
    assertThat(data(create).getString("scope")).isEqualTo("user");
    assertThat(patch.statusCode()).as(patch.body()).isEqualTo(429);
    assertThat(data(patch).getString("action")).isEqualTo("update");
    assertThat(data(one.get("/api/v1/apps", token)).getLong("total")).isEqualTo(2);
    assertThat(data(one.get("/api/v1/apps/" + a, token)).getInteger("replicas")).isEqualTo(1);

    // another user is not held back by this one
    String stranger = one.token(USERS.incrementAndGet());
    assertThat(one.create(stranger, "first", "nginx", 1).getString("id")).isNotEqualTo(a);

    // a delete frees what the user holds: never refused
    HttpResponse<String> delete = two.send("DELETE", "/api/v1/apps/" + a, null, token, Map.of());
    assertThat(delete.statusCode()).as(delete.body()).isEqualTo(202);
    assertThat(data(delete).getString("status")).isEqualTo("deleting");
  }

  @Test
  void asking_for_another_look_at_a_domain_is_a_write_like_any_other() {
    long user = USERS.incrementAndGet();
    String token = one.token(user);
    String id = one.create(token, "site", "nginx", 1).getString("id");
    pool.preparedQuery(
            "INSERT INTO app_domains (domain, app_id, user_id, token, status, reason)"
                + " VALUES (?, ?, ?, ?, 'failed', 'no TXT record')")
        .execute(Tuple.of("www.limits-" + user + ".example.org", id, user, "t".repeat(43)))
        .await();
    String verify = "/api/v1/apps/" + id + "/domains/www.limits-" + user + ".example.org/verify";

    for (int i = 0; i < PER_ACTION; i++) {
      HttpResponse<String> ok = one.post(verify, null, token);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    }
    HttpResponse<String> refused = two.post(verify, null, token);

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(data(refused).getString("action")).isEqualTo("verify_domain");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
  }
}
