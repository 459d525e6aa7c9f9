package io.astro.app.events;

import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.common.events.EventCodec;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.events.app.AppStatusEventV1;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Status events from the sync-worker, as it will publish them: duplicated, reordered, malformed.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class StatusConsumptionTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String IMAGE = "nginx:1.27";
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  private static RunningAppService app;
  private static KafkaBroker kafka;
  private static KafkaProducer<String, String> producer;
  private static String statusTopic;
  private static String commandsTopic;
  private static long users = 500;
  private static TestDatabase database;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    kafka = broker;
    database = db;
    statusTopic = KafkaBroker.uniqueTopicName("astro.app.status");
    String commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    commandsTopic = commands;
    broker.createCompactedTopic(commands, 3);
    broker.createTopic(statusTopic, 3);
    broker.createTopic(statusTopic + ".dlq", 1);
    app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of(
                "ASTRO_APP_COMMANDS_TOPIC", commands,
                "ASTRO_APP_STATUS_TOPIC", statusTopic,
                "ASTRO_APP_STATUS_GROUP", statusTopic + "-group"));
    producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all"),
            new StringSerializer(),
            new StringSerializer());
  }

  @AfterAll
  static void stop() {
    producer.close();
    app.close();
  }

  @Test
  void the_newest_observation_wins_whatever_order_and_how_often_events_arrive() throws Exception {
    String token = app.token(++users);
    String id = app.create(token, "web", IMAGE, 2).getString("id");
    app.post("/api/v1/apps/" + id + "/scale", new JsonObject().put("replicas", 3), token);

    JsonObject running =
        status(id, "running", 3, 3, 2, T0.plusSeconds(20))
            .put(
                "pods",
                new JsonArray()
                    .add(pod("web-1", true))
                    .add(pod("web-2", true))
                    .add(pod("web-3", true)));
    JsonObject starting =
        status(id, "starting", 2, 0, 1, T0.plusSeconds(5)).put("reason", "ContainerCreating");
    JsonObject olderSameGeneration = status(id, "starting", 3, 1, 2, T0.plusSeconds(10));
    publish(id, running);
    publish(id, running);
    publish(id, starting);
    publish(id, olderSameGeneration);
    // a later, valid event proves everything before it was consumed
    JsonObject marker =
        status(id, "running", 3, 3, 2, T0.plusSeconds(30))
            .put("pods", running.getJsonArray("pods"));
    publish(id, marker);

    JsonObject seen =
        app.awaitApp(
            id,
            token,
            r ->
                data(r).getString("observed_at") != null
                    && data(r).getString("observed_at").equals(T0.plusSeconds(30).toString()));
    assertThat(seen.getString("status")).isEqualTo("running");
    assertThat(seen.getInteger("ready_replicas")).isEqualTo(3);
    assertThat(seen.getInteger("desired_replicas")).isEqualTo(3);
    assertThat(seen.getLong("observed_generation")).isEqualTo(2);
    assertThat(seen.getJsonArray("pods")).hasSize(3);
    assertThat(seen.getJsonArray("pods").getJsonObject(0).getString("node")).isEqualTo("node-a");
    assertThat(seen.getValue("reason")).isNull();

    // history: create, scale, then one status change (duplicates and stale events add nothing)
    JsonArray history =
        data(app.get("/api/v1/apps/" + id + "/events", token)).getJsonArray("items");
    assertThat(history.stream().map(e -> ((JsonObject) e).getString("kind")))
        .containsExactly("status", "command", "command");
    assertThat(history.getJsonObject(0).getString("status")).isEqualTo("running");
  }

  @Test
  void v1_status_records_still_on_the_topic_are_applied() throws Exception {
    String token = app.token(++users);
    String id = app.create(token, "old", IMAGE, 1).getString("id");
    JsonObject v1 = status(id, "running", 1, 1, 1, T0);
    for (String v2Only : List.of("observedRelease", "warnings", "url", "domains")) {
      v1.remove(v2Only);
    }

    publish(null, id, AppStatusEventV1.TYPE, v1);

    JsonObject seen = app.awaitApp(id, token, r -> "running".equals(data(r).getString("status")));
    assertThat(seen.getLong("observed_generation")).isEqualTo(1);
    assertThat(seen.getLong("observed_release")).isZero();
    assertThat(seen.getLong("release")).isEqualTo(1);
  }

  @Test
  void each_warning_reaches_the_history_once_and_the_observed_release_shows() throws Exception {
    String token = app.token(++users);
    String id = app.create(token, "warned", IMAGE, 1).getString("id");
    JsonObject backOff = warning("BackOff", "Back-off restarting failed container", 1);

    publish(id, status(id, "starting", 1, 0, 1, T0).put("warnings", new JsonArray().add(backOff)));
    publish(
        id,
        status(id, "starting", 1, 0, 1, T0.plusSeconds(10))
            .put(
                "warnings",
                new JsonArray()
                    .add(backOff.copy().put("count", 4))
                    .add(warning("FailedScheduling", "0/3 nodes are available", 1))));
    publish(
        id,
        status(id, "running", 1, 1, 1, T0.plusSeconds(20))
            .put("observedRelease", 1)
            .put("warnings", new JsonArray().add(backOff.copy().put("count", 5))));

    JsonObject seen =
        app.awaitApp(
            id, token, r -> T0.plusSeconds(20).toString().equals(data(r).getString("observed_at")));
    assertThat(seen.getLong("observed_release")).isEqualTo(1);
    assertThat(seen.getJsonArray("warnings").getJsonObject(0).getInteger("count")).isEqualTo(5);
    JsonArray history =
        data(app.get("/api/v1/apps/" + id + "/events", token)).getJsonArray("items");
    List<String> warnings =
        history.stream()
            .map(e -> (JsonObject) e)
            .filter(e -> "warning".equals(e.getString("kind")))
            .map(e -> e.getString("warning") + ": " + e.getString("message"))
            .toList();
    // tenants get each reason's own text, not what Kubernetes said
    assertThat(warnings)
        .containsExactly(
            "FailedScheduling: its pods cannot be scheduled: no room in the cluster now",
            "BackOff: a container is restarting after failing");
  }

  @Test
  void a_failed_rollout_marks_its_release_failed_for_good() throws Exception {
    String token = app.token(++users);
    String id = app.create(token, "rolled", IMAGE, 1).getString("id");
    HttpResponse<String> patched =
        app.send(
            "PATCH",
            "/api/v1/apps/" + id,
            new JsonObject().put("image", IMAGE + "-broken"),
            token,
            Map.of());
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(202);
    assertThat(data(patched).getLong("generation")).isEqualTo(2);

    publish(
        id,
        status(id, "failed", 1, 1, 2, T0)
            .put("observedRelease", 1)
            .put("reason", "RolloutFailed")
            .put("message", "CrashLoopBackOff: back-off 5m0s restarting failed container"));
    app.awaitApp(id, token, r -> "failed".equals(data(r).getString("status")));
    assertThat(releaseStatuses(id, token)).containsExactly("2:failed", "1:superseded");

    HttpResponse<String> rollback =
        app.post("/api/v1/apps/" + id + "/rollback", new JsonObject().put("release", 1), token);
    assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(202);
    assertThat(data(rollback).getString("image")).isEqualTo(IMAGE);
    assertThat(data(rollback).getLong("release")).isEqualTo(3);
    assertThat(releaseStatuses(id, token)).containsExactly("3:active", "2:failed", "1:superseded");
  }

  private static List<String> releaseStatuses(String id, String token) {
    return data(app.get("/api/v1/apps/" + id + "/releases", token)).getJsonArray("items").stream()
        .map(r -> (JsonObject) r)
        .map(r -> r.getLong("number") + ":" + r.getString("status"))
        .toList();
  }

  @Test
  void a_failure_shows_its_reason_in_the_detail_and_the_history() throws Exception {
    String token = app.token(++users);
    String id = app.create(token, "broken", IMAGE, 1).getString("id");

    publish(
        id,
        status(id, "failed", 1, 0, 1, T0)
            .put("reason", "ImagePullBackOff")
            .put("message", "Back-off pulling image \"nginx:1.27\"")
            .put(
                "pods",
                new JsonArray()
                    .add(pod("broken-1", false).put("waitingReason", "ImagePullBackOff"))));

    JsonObject seen = app.awaitApp(id, token, r -> "failed".equals(data(r).getString("status")));
    assertThat(seen.getString("reason")).isEqualTo("ImagePullBackOff");
    // the REST answer names the event's pod fields in snake_case like all its fields
    JsonObject pod = seen.getJsonArray("pods").getJsonObject(0);
    assertThat(pod.getString("waiting_reason")).isEqualTo("ImagePullBackOff");
    assertThat(pod.fieldNames()).doesNotContain("waitingReason");
    assertThat(seen.getString("message"))
        .isEqualTo(
            "the image cannot be pulled: check its name, tag, registry and pull credentials"
                + " (retrying)");
    JsonObject last =
        data(app.get("/api/v1/apps/" + id + "/events", token))
            .getJsonArray("items")
            .getJsonObject(0);
    assertThat(last.getString("status")).isEqualTo("failed");
    assertThat(last.getString("reason")).isEqualTo("ImagePullBackOff");
  }

  @Test
  void what_kubelet_says_of_an_image_on_a_registry_address_never_reaches_the_tenant()
      throws Exception {
    // the image names an internal address: the kubelet's message would tell refused from plain
    // HTTP from TLS from 404 at 10.0.0.7:6443 — a port scanner for whoever can create an app
    String token = app.token(++users);
    List<String> kubeletSays =
        List.of(
            "Failed to pull image \"10.0.0.7:6443/x\": dial tcp 10.0.0.7:6443: connect:"
                + " connection refused",
            "Failed to pull image \"10.0.0.7:6443/x\": http: server gave HTTP response to HTTPS"
                + " client");
    List<String> answers = new java.util.ArrayList<>();
    for (String said : kubeletSays) {
      String id =
          app.create(token, "probe-" + answers.size(), "10.0.0.7:6443/x", 1).getString("id");
      publish(
          id,
          status(id, "failed", 1, 0, 1, T0)
              .put("reason", "ErrImagePull")
              .put("message", said)
              .put("warnings", new JsonArray().add(warning("Failed", said, 1))));
      JsonObject seen = app.awaitApp(id, token, r -> "failed".equals(data(r).getString("status")));
      assertThat(seen.getString("reason")).isEqualTo("ErrImagePull");
      JsonObject told = seen.copy();
      told.remove("image"); // the tenant's own input
      String history = app.get("/api/v1/apps/" + id + "/events", token).body();
      for (String text : List.of(told.encode(), history)) {
        assertThat(text)
            .doesNotContain("10.0.0.7")
            .doesNotContain("6443")
            .doesNotContain("refused")
            .doesNotContain("HTTP response");
      }
      answers.add(seen.getString("message") + " | " + seen.getJsonArray("warnings").encode());
    }
    // whatever the address answered, the tenant reads the same
    assertThat(answers.get(0)).isEqualTo(answers.get(1));
    assertThat(answers.get(0))
        .startsWith(
            "the image cannot be pulled: check its name, tag, registry and pull credentials");
  }

  @Test
  void malformed_events_go_to_the_dead_letter_topic_and_consumption_goes_on() throws Exception {
    String token = app.token(++users);
    String id = app.create(token, "poison", IMAGE, 1).getString("id");

    producer.send(new ProducerRecord<>(statusTopic, id, "{not json")).get(30, TimeUnit.SECONDS);
    publish(id, status(id, "sleeping", 1, 1, 1, T0));
    publish(id, status(id, "running", 1, 1, 1, T0).put("readyReplicas", -1));
    publish(id, status(id, "running", 1, 1, 1, T0.plusSeconds(1)));

    app.awaitApp(id, token, r -> "running".equals(data(r).getString("status")));
    List<ReceivedRecord> dead =
        kafka.awaitRecords(statusTopic + ".dlq", 3, r -> id.equals(r.key()), WAIT);
    assertThat(dead).hasSize(3);
    assertThat(dead.get(0).value()).isEqualTo("{not json");
    assertThat(dead)
        .allSatisfy(
            r -> {
              assertThat(r.header("x-error")).isNotBlank();
              assertThat(r.header("x-original-topic")).isEqualTo(statusTopic);
            });
    assertThat(dead.get(1).header("x-error")).contains("sleeping");
  }

  @Test
  void a_deleting_app_is_soft_deleted_when_the_worker_reports_it_gone_and_its_name_is_free_again()
      throws Exception {
    String token = app.token(++users);
    app.create(token, "stays", IMAGE, 1);
    String id = app.create(token, "gone", IMAGE, 1).getString("id");
    publish(id, status(id, "running", 1, 1, 1, T0));
    app.awaitApp(id, token, r -> "running".equals(data(r).getString("status")));
    JsonObject deleting = data(app.send("DELETE", "/api/v1/apps/" + id, null, token, Map.of()));
    assertThat(deleting.getString("status")).isEqualTo("deleting");

    // the cluster still reports the old generation running: the app stays "deleting"
    publish(id, status(id, "running", 1, 1, 1, T0.plusSeconds(1)));
    publish(id, status(id, "deleted", 0, 0, deleting.getLong("generation"), T0.plusSeconds(2)));

    app.awaitApp(id, token, r -> r.statusCode() == 404);
    // the list's total (the owner's count of live apps) no longer has it
    assertThat(data(app.get("/api/v1/apps", token)).getLong("total")).isEqualTo(1);
    assertThat(data(app.get("/api/v1/apps?status=deleting", token)).getLong("total")).isZero();
    // a count gone wrong (written by a version that did not keep it) is mended by the next create
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(
                database.jdbcUrl(), database.user(), database.password());
        var update = c.prepareStatement("UPDATE app_owners SET live_apps = 7 WHERE user_id = ?")) {
      update.setLong(1, users);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
    assertThat(app.create(token, "gone", IMAGE, 1).getString("id")).isNotEqualTo(id);
    assertThat(data(app.get("/api/v1/apps", token)).getLong("total")).isEqualTo(2);

    // the delete is complete: the app's last record on the compacted commands topic is a
    // tombstone, after its delete command, so compaction forgets the app
    List<ReceivedRecord> commands =
        kafka.awaitRecords(commandsTopic, 3, r -> id.equals(r.key()), WAIT);
    assertThat(commands).hasSize(3);
    assertThat(commands.get(1).value()).contains("\"command\":\"delete\"");
    assertThat(commands.get(2).value()).isNull();
    assertThat(commands.get(2).offset()).isGreaterThan(commands.get(1).offset());
  }

  @Test
  void an_app_with_a_port_is_public_unless_asked_and_shows_the_url_its_cluster_reports()
      throws Exception {
    String token = app.token(++users);
    HttpResponse<String> created =
        app.post(
            "/api/v1/apps",
            new JsonObject().put("name", "site").put("image", IMAGE).put("port", 8080),
            token);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = data(created).getString("id");
    assertThat(data(created).getBoolean("public")).isTrue();
    assertThat(data(created).getValue("url")).isNull();

    String url = "https://site-u" + users + ".apps.example.com";
    publish(id, status(id, "running", 1, 1, 1, T0).put("url", url));
    JsonObject reachable = app.awaitApp(id, token, r -> url.equals(data(r).getString("url")));
    assertThat(reachable.getBoolean("public")).isTrue();

    // internal: the same release, a new generation whose command says so
    HttpResponse<String> internal = patch(id, new JsonObject().put("public", false), token);
    assertThat(internal.statusCode()).as(internal.body()).isEqualTo(202);
    assertThat(data(internal).getBoolean("public")).isFalse();
    assertThat(data(internal).getLong("release")).isEqualTo(1);
    assertThat(data(internal).getLong("generation")).isEqualTo(2);
    List<ReceivedRecord> commands =
        kafka.awaitRecords(commandsTopic, 2, r -> id.equals(r.key()), WAIT);
    JsonObject desired =
        new JsonObject(commands.get(1).value()).getJsonObject("data").getJsonObject("desired");
    assertThat(desired.getBoolean("public")).isFalse();
    assertThat(desired.getJsonObject("release").getLong("number")).isEqualTo(1);
    EventSchemas.assertValid(AppCommand.TYPE, commands.get(1).value());
    assertThat(
            new JsonObject(commands.get(0).value())
                .getJsonObject("data")
                .getJsonObject("desired")
                .getBoolean("public"))
        .isTrue();

    // the cluster drops the Ingress: the app has no URL any more
    publish(id, status(id, "running", 1, 1, 2, T0.plusSeconds(5)));
    app.awaitApp(id, token, r -> data(r).getValue("url") == null);

    for (Object bad : new Object[] {"no", 1, null}) {
      HttpResponse<String> refused = patch(id, new JsonObject().put("public", bad), token);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
      assertThat(refused.body()).contains("public");
    }
  }

  private static HttpResponse<String> patch(String id, JsonObject body, String token) {
    return app.send(
        "PATCH",
        "/api/v1/apps/" + id,
        body,
        token,
        Map.of("Content-Type", "application/merge-patch+json"));
  }

  @Test
  void status_events_for_unknown_apps_are_skipped() throws Exception {
    String token = app.token(++users);
    String unknown = "00000000-0000-4000-8000-000000000001";
    String id = app.create(token, "after", IMAGE, 1).getString("id");
    // both on one partition: the known app's event is consumed only after the unknown one was
    publish(0, unknown, status(unknown, "running", 1, 1, 1, T0));
    publish(0, id, status(id, "running", 1, 1, 1, T0));
    app.awaitApp(id, token, r -> "running".equals(data(r).getString("status")));

    // skipped: not parked as poison, and no app came of it
    assertThat(kafka.awaitRecords(statusTopic + ".dlq", 0, r -> unknown.equals(r.key()), WAIT))
        .isEmpty();
    assertThat(app.get("/api/v1/apps/" + unknown, token).statusCode()).isEqualTo(404);
    assertThat(data(app.get("/api/v1/apps", token)).getLong("total")).isEqualTo(1);
  }

  @Test
  void the_certificate_state_the_worker_reports_is_shown_with_a_fixed_text_per_state()
      throws Exception {
    String token = app.token(++users);
    JsonObject created = app.create(token, "tls", IMAGE, 1);
    String id = created.getString("id");
    String host = created.getString("k8s_name") + ".apps.example.com";
    String domain = "www.tls-" + users + ".example.org";
    // a verified domain, as the verifier leaves it
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection(
                database.jdbcUrl(), database.user(), database.password());
        var insert =
            c.prepareStatement(
                "INSERT INTO app_domains (domain, app_id, user_id, token, status, verified_at)"
                    + " VALUES (?, ?, ?, ?, 'verified', CURRENT_TIMESTAMP(3))")) {
      insert.setString(1, domain);
      insert.setString(2, id);
      insert.setLong(3, users);
      insert.setString(4, "t".repeat(43));
      insert.executeUpdate();
    }
    publish(
        id,
        status(id, "running", 1, 1, 1, T0)
            .put("url", "https://" + host)
            .put("domains", new JsonArray().add(domain))
            .put(
                "certificates",
                new JsonArray()
                    .add(
                        new JsonObject().put("host", host).put("state", "issued").putNull("reason"))
                    .add(
                        new JsonObject()
                            .put("host", domain)
                            .put("state", "failed")
                            .put("reason", "Failed"))));

    JsonObject detail =
        app.awaitApp(
            id,
            token,
            r ->
                RunningAppService.data(r).getJsonArray("certificates", new JsonArray()).size()
                    == 2);
    assertThat(detail.getJsonArray("certificates").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("host", host)
                .put("certificate", "issued")
                .putNull("certificate_reason")
                .put(
                    "certificate_message", "the certificate is issued; the host answers on https"));
    JsonObject listed =
        RunningAppService.data(app.get("/api/v1/apps/" + id + "/domains", token))
            .getJsonArray("items")
            .getJsonObject(0);
    assertThat(listed.getString("domain")).isEqualTo(domain);
    assertThat(listed.getString("certificate")).isEqualTo("failed");
    assertThat(listed.getString("certificate_reason")).isEqualTo("Failed");
    assertThat(listed.getString("certificate_message"))
        .startsWith("the certificate could not be issued");

    // a later status from a cluster that does not say: no certificate state
    publish(id, status(id, "running", 1, 1, 1, T0.plusSeconds(1)).put("url", "https://" + host));
    app.awaitApp(
        id,
        token,
        r -> RunningAppService.data(r).getJsonArray("certificates", new JsonArray()).isEmpty());
    JsonObject unknown =
        RunningAppService.data(app.get("/api/v1/apps/" + id + "/domains", token))
            .getJsonArray("items")
            .getJsonObject(0);
    assertThat(unknown.getValue("certificate")).isNull();
  }

  private static JsonObject status(
      String appId, String status, int desired, int ready, long generation, Instant at) {
    return new JsonObject()
        .put("appId", appId)
        .put("status", status)
        .put("desiredReplicas", desired)
        .put("readyReplicas", ready)
        .put("pods", new JsonArray())
        .putNull("reason")
        .putNull("message")
        .put("observedGeneration", generation)
        .put("observedRelease", 0)
        .put("warnings", new JsonArray())
        .putNull("url")
        .put("domains", new JsonArray())
        .put("observedAt", at.toString())
        .put("cluster", "default");
  }

  private static JsonObject warning(String reason, String message, int count) {
    return new JsonObject()
        .put("reason", reason)
        .put("message", message)
        .put("count", count)
        .put("lastSeen", T0.toString());
  }

  private static JsonObject pod(String name, boolean ready) {
    return new JsonObject()
        .put("name", name)
        .put("phase", "Running")
        .put("ready", ready)
        .put("restarts", 0)
        .put("node", "node-a");
  }

  /**
   * Publishes a status event as the sync-worker will; valid data is checked against the schema
   * first.
   */
  private static void publish(String appId, JsonObject data) throws Exception {
    publish(null, appId, data);
  }

  /** Like {@link #publish(String, JsonObject)}, on {@code partition} (null: by key). */
  private static void publish(Integer partition, String appId, JsonObject data) throws Exception {
    publish(partition, appId, AppStatusEvent.TYPE, data);
  }

  private static void publish(Integer partition, String appId, String type, JsonObject data)
      throws Exception {
    String event =
        EventCodec.encodeText(EventCodec.create(type, AppStatusEvent.SOURCE, appId, data));
    if (AppStatus.parse(data.getString("status")).isPresent()
        && data.getInteger("readyReplicas") >= 0) {
      EventSchemas.assertValid(type, event);
    }
    producer
        .send(new ProducerRecord<>(statusTopic, partition, appId, event))
        .get(30, TimeUnit.SECONDS);
  }
}
