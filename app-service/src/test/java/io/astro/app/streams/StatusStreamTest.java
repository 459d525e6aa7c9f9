package io.astro.app.streams;

import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.app.logs.FakeSyncWorker;
import io.astro.common.auth.SigningKeys;
import io.astro.common.events.app.AppState;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.testkit.EventStreamClient;
import io.astro.testkit.EventStreamClient.Event;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /api/v1/apps/stream} on two app-service instances sharing a database and a broker:
 * what a user's stream carries (their own apps' status changes, from whichever instance applied
 * them), how many streams a user may hold, and that a stream ends.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class StatusStreamTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Well inside MariaDB's 50 s lock wait: a feed stuck behind the locked row fails this. */
  private static final Duration LOCKED = Duration.ofSeconds(20);

  private static final String TOKEN = "status-stream-test-internal-token";
  private static final String IMAGE = "nginx:1.27";
  private static final int PER_USER = 3;
  private static final AtomicLong USERS = new AtomicLong(900);
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static TestDatabase database;
  private static KafkaBroker kafka;
  private static Map<String, String> env;
  private static SigningKeys keys;
  private static FakeSyncWorker worker;
  private static RunningAppService one;
  private static RunningAppService two;
  private static KafkaProducer<String, String> producer;
  private static String statusTopic;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    database = db;
    kafka = broker;
    String commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    statusTopic = KafkaBroker.uniqueTopicName("astro.app.status");
    broker.createCompactedTopic(commands, 3);
    broker.createTopic(statusTopic, 3);
    broker.createTopic(statusTopic + ".dlq", 1);
    worker = FakeSyncWorker.start(TOKEN, 0);
    env =
        Map.of(
            "ASTRO_APP_COMMANDS_TOPIC",
            commands,
            "ASTRO_APP_STATUS_TOPIC",
            statusTopic,
            "ASTRO_APP_STATUS_GROUP",
            statusTopic + "-group",
            "ASTRO_INTERNAL_TOKEN",
            TOKEN,
            "ASTRO_SYNC_WORKER_URL",
            "http://127.0.0.1:" + worker.port(),
            "ASTRO_APP_SERVICE_STREAMS_PER_USER",
            Integer.toString(PER_USER),
            "ASTRO_APP_SERVICE_STREAM_KEEPALIVE",
            "100ms");
    keys = SigningKeys.generate();
    one = RunningAppService.start(db, broker.bootstrapServers(), env, keys);
    two = RunningAppService.start(db, broker.bootstrapServers(), env, keys);
    producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all"),
            new StringSerializer(),
            new StringSerializer());
  }

  @AfterAll
  static void stop() {
    producer.close();
    one.close();
    two.close();
    worker.close();
  }

  @Test
  void a_stream_starts_with_the_users_apps_then_carries_status_changes_of_their_own_apps_only()
      throws Exception {
    String owner = one.token(USERS.incrementAndGet());
    String other = one.token(USERS.incrementAndGet());
    String mine = one.create(owner, "web", IMAGE, 2).getString("id");
    String theirs = one.create(other, "web", IMAGE, 1).getString("id");

    try (EventStreamClient stream = open(one, owner);
        EventStreamClient otherStream = open(two, other)) {
      assertThat(stream.status()).as(stream.body()).isEqualTo(200);
      assertThat(stream.contentType()).startsWith("text/event-stream");
      assertThat(ids(stream.await("snapshot", WAIT))).containsExactly(mine);
      assertThat(ids(otherStream.await("snapshot", WAIT))).containsExactly(theirs);

      // one partition, the other user's change first: handled before the owner's arrives
      publish(0, theirs, AppStatus.RUNNING, 1, 1, T0);
      publish(0, mine, AppStatus.RUNNING, 2, 2, T0);

      JsonObject change = app(stream.await("the owner's app running", WAIT, running(mine)));
      assertThat(change.getString("name")).isEqualTo("web");
      assertThat(change.getInteger("ready_replicas")).isEqualTo(2);
      assertThat(change.getInteger("desired_replicas")).isEqualTo(2);
      assertThat(change.getValue("reason")).isNull();
      assertThat(change.getString("updated_at")).isNotNull();
      // the same shape as the apps list, as the database holds it after the event
      assertThat(change)
          .isEqualTo(data(one.get("/api/v1/apps", owner)).getJsonArray("items").getJsonObject(0));
      otherStream.await("the other user's app running", WAIT, running(theirs));

      assertThat(stream.received()).noneMatch(e -> e.data().contains(theirs));
      assertThat(otherStream.received()).noneMatch(e -> e.data().contains(mine));
      // nothing to tell between changes: comments keep the connection from looking idle
      Eventually.until("keep-alive comments", WAIT, () -> stream.comments() >= 2);
    }
  }

  @Test
  void every_instance_streams_every_change_whichever_instance_applied_it() throws Exception {
    String token = one.token(USERS.incrementAndGet());
    List<String> apps =
        List.of("a", "b", "c").stream()
            .map(name -> one.create(token, name, IMAGE, 1).getString("id"))
            .toList();

    try (EventStreamClient viaOne = open(one, token);
        EventStreamClient viaTwo = open(two, token)) {
      viaOne.await("snapshot", WAIT);
      viaTwo.await("snapshot", WAIT);
      // one app per partition: each instance's status group member applies some of them only
      for (int partition = 0; partition < apps.size(); partition++) {
        publish(partition, apps.get(partition), AppStatus.RUNNING, 1, 1, T0);
      }

      // in any order: different apps' changes are streamed side by side, only each app's in order
      for (EventStreamClient stream : List.of(viaOne, viaTwo)) {
        Eventually.until(
            "every app running on the stream",
            WAIT,
            () -> apps.stream().allMatch(id -> stream.received().stream().anyMatch(running(id))));
      }
    }
  }

  @Test
  void an_app_whose_row_is_locked_by_a_change_holds_back_its_own_changes_only() throws Exception {
    String token = one.token(USERS.incrementAndGet());
    String locked = one.create(token, "locked", IMAGE, 1).getString("id");
    String free = null;
    for (int i = 0; free == null; i++) {
      String id = one.create(token, "free-" + i, IMAGE, 1).getString("id");
      if (StatusFeed.laneOf(id) != StatusFeed.laneOf(locked)) {
        free = id;
      }
    }

    try (EventStreamClient stream = open(one, token);
        Connection db =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      stream.await("snapshot", WAIT);
      lockRow(db, locked);
      // one batch, the locked app's change first
      publishTogether(locked, free);

      stream.await("the other app running, while the first is locked", LOCKED, running(free));
      assertThat(stream.received()).noneMatch(running(locked));
      db.rollback();
      stream.await("the first app running once its row is free", WAIT, running(locked));
    }
  }

  @Test
  void a_streamed_app_takes_the_status_the_database_gives_the_event() throws Exception {
    String token = one.token(USERS.incrementAndGet());
    String id = one.create(token, "leaving", IMAGE, 1).getString("id");

    try (EventStreamClient stream = open(one, token)) {
      stream.await("snapshot", WAIT);
      HttpResponse<String> deleted =
          one.send("DELETE", "/api/v1/apps/" + id, null, token, Map.of());
      assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
      // still running while it is being deleted, then gone from the cluster
      publish(0, id, AppStatus.RUNNING, 1, 1, T0);
      publish(0, id, AppStatus.DELETED, 0, 0, T0.plusSeconds(1));

      stream.await("the app deleting", WAIT, status(id, "deleting"));
      stream.await("the app deleted", WAIT, status(id, "deleted"));
      assertThat(stream.received()).noneMatch(running(id));
    }
  }

  @Test
  void an_event_the_row_already_holds_is_streamed_without_waiting_for_the_row() throws Exception {
    String token = one.token(USERS.incrementAndGet());
    String id = one.create(token, "held", IMAGE, 1).getString("id");
    publish(0, id, AppStatus.RUNNING, 1, 1, T0);
    one.awaitApp(id, token, r -> "running".equals(data(r).getString("status")));

    try (EventStreamClient stream = open(one, token);
        Connection db =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      stream.await("snapshot", WAIT);
      lockRow(db, id);
      // delivered again: nothing to apply, so nothing to wait for
      publish(0, id, AppStatus.RUNNING, 1, 1, T0);

      stream.await("the app running, while its row is locked", LOCKED, running(id));
      db.rollback();
    }
  }

  @Test
  void log_follows_and_status_streams_share_a_users_places_and_past_them_a_stream_is_refused() {
    long user = USERS.incrementAndGet();
    String token = one.token(user);
    String id = one.create(token, "logs", IMAGE, 1).getString("id");
    String follow = one.baseUrl() + "/api/v1/apps/" + id + "/logs?follow=true";

    // closed by hand in the middle, so not a resource
    EventStreamClient first = open(one, token);
    try (EventStreamClient second = open(one, token);
        EventStreamClient logs = EventStreamClient.open(follow, token, WAIT)) {
      assertThat(List.of(first.status(), second.status(), logs.status())).containsOnly(200);
      logs.await("message", WAIT);

      for (EventStreamClient refused :
          List.of(open(one, token), EventStreamClient.open(follow, token, WAIT))) {
        assertThat(refused.status()).isEqualTo(429);
        JsonObject envelope = new JsonObject(refused.body());
        assertThat(envelope.getInteger("code")).isEqualTo(10008);
        assertThat(envelope.getString("message")).contains("at most " + PER_USER);
        assertThat(envelope.getJsonObject("data").getInteger("max_streams")).isEqualTo(PER_USER);
      }
      // ordinary calls are not streams, and other users have places of their own
      assertThat(one.get("/api/v1/apps/" + id, token).statusCode()).isEqualTo(200);
      try (EventStreamClient someoneElse = open(one, one.token(USERS.incrementAndGet()))) {
        assertThat(someoneElse.status()).isEqualTo(200);
      }

      // a stream closed gives its place back
      first.close();
      Eventually.await(
          "a place to open a stream again",
          WAIT,
          () -> {
            EventStreamClient again = open(one, token);
            again.close();
            return again.status();
          },
          status -> status == 200);
    } finally {
      first.close();
    }
  }

  @Test
  void streams_end_after_their_lifetime_and_the_log_stream_behind_is_hung_up() {
    Map<String, String> brief = new HashMap<>(env);
    brief.put("ASTRO_APP_SERVICE_STREAM_LIFETIME", "300ms");
    try (RunningAppService shortLived =
        RunningAppService.start(database, kafka.bootstrapServers(), brief, keys)) {
      String token = shortLived.token(USERS.incrementAndGet());
      String id = shortLived.create(token, "brief", IMAGE, 1).getString("id");
      int hungUp = worker.hungUp();

      try (EventStreamClient status = open(shortLived, token);
          EventStreamClient logs =
              EventStreamClient.open(
                  shortLived.baseUrl() + "/api/v1/apps/" + id + "/logs?follow=true", token, WAIT)) {
        assertThat(status.status()).isEqualTo(200);
        assertThat(logs.status()).isEqualTo(200);
        status.await("snapshot", WAIT);

        status.awaitEnd(WAIT);
        logs.awaitEnd(WAIT);
        Eventually.until("the sync-worker's stream hung up", WAIT, () -> worker.hungUp() > hungUp);
      }
    }
  }

  /**
   * A change of the app under way: its row locked until {@code db} commits or rolls back, as
   * AppStore locks it (MariaDB makes others wait up to 50 s for it).
   */
  private static void lockRow(Connection db, String appId) throws SQLException {
    db.setAutoCommit(false);
    try (PreparedStatement lock =
        db.prepareStatement("SELECT id FROM apps WHERE id = ? FOR UPDATE")) {
      lock.setString(1, appId);
      lock.executeQuery().close();
    }
  }

  private static EventStreamClient open(RunningAppService service, String token) {
    return EventStreamClient.open(service.baseUrl() + StatusStreams.PATH, token, WAIT);
  }

  private static JsonObject app(Event event) {
    return new JsonObject(event.data());
  }

  private static Predicate<Event> running(String id) {
    return status(id, "running");
  }

  private static Predicate<Event> status(String id, String status) {
    return e ->
        "app".equals(e.name())
            && id.equals(app(e).getString("id"))
            && status.equals(app(e).getString("status"));
  }

  private static List<String> ids(Event snapshot) {
    return new JsonObject(snapshot.data())
        .getJsonArray("items").stream().map(a -> ((JsonObject) a).getString("id")).toList();
  }

  /**
   * Each app {@code running}, in this order, in one batch of partition 0 (one append, one read).
   */
  private static void publishTogether(String... appIds) throws Exception {
    AppState state = new AppState(AppStatus.RUNNING, 1, 1, List.of(), null, null, 1, 1, List.of());
    try (KafkaProducer<String, String> batching =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", kafka.bootstrapServers(), "acks", "all", "linger.ms", "60000"),
            new StringSerializer(),
            new StringSerializer())) {
      for (String id : appIds) {
        var unused =
            batching.send(
                new ProducerRecord<>(
                    statusTopic,
                    0,
                    id,
                    AppStatusEvent.observed(id, "default", state, T0).encode()));
      }
      batching.flush();
    }
  }

  private static void publish(
      int partition, String appId, AppStatus status, int desired, int ready, Instant at)
      throws Exception {
    AppState state = new AppState(status, desired, ready, List.of(), null, null, 1, 1, List.of());
    producer
        .send(
            new ProducerRecord<>(
                statusTopic,
                partition,
                appId,
                AppStatusEvent.observed(appId, "default", state, at).encode()))
        .get(30, TimeUnit.SECONDS);
  }
}
