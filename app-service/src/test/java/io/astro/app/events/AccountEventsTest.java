package io.astro.app.events;

import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.common.events.Topics;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.NamespaceCommand;
import io.astro.common.events.user.UserEvent;
import io.astro.common.events.user.UserEventKind;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Account events ({@code io.astro.user.v1} on {@code astro.users}) applied to the user's apps, as
 * user-service publishes them: repeated, and now and then off the contract.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class AccountEventsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String IMAGE = "nginx:1.27";

  private static RunningAppService app;
  private static KafkaBroker kafka;
  private static KafkaProducer<String, String> producer;
  private static String usersTopic;
  private static String commandsTopic;
  private static long users = 900;

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    kafka = broker;
    usersTopic = KafkaBroker.uniqueTopicName(Topics.USERS);
    commandsTopic = KafkaBroker.uniqueTopicName(Topics.APP_COMMANDS);
    String statusTopic = KafkaBroker.uniqueTopicName(Topics.APP_STATUS);
    broker.createCompactedTopic(commandsTopic, 3);
    broker.createTopic(statusTopic, 3);
    broker.createTopic(usersTopic, 3);
    broker.createTopic(Topics.deadLetter(usersTopic), 1);
    app =
        RunningAppService.start(
            db,
            broker.bootstrapServers(),
            Map.of(
                "ASTRO_APP_COMMANDS_TOPIC",
                commandsTopic,
                "ASTRO_APP_STATUS_TOPIC",
                statusTopic,
                "ASTRO_APP_STATUS_GROUP",
                statusTopic + "-group",
                "ASTRO_USERS_TOPIC",
                usersTopic,
                "ASTRO_USERS_GROUP",
                usersTopic + "-group",
                // what is tested is the events' effect, not the request deadline: room for a loaded
                // machine
                "ASTRO_DB_REQUEST_DEADLINE",
                "10s"));
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
  void a_disabled_account_suspends_its_apps_keeping_replicas_and_enabling_restores_them()
      throws Exception {
    long userId = ++users;
    String uuid = UUID.randomUUID().toString();
    String token = app.token(uuid, userId);
    String web = app.create(token, "web", IMAGE, 3).getString("id");
    String worker = app.create(token, "worker", IMAGE, 1).getString("id");
    assertThat(app.post("/api/v1/apps/" + worker + "/stop", new JsonObject(), token).statusCode())
        .isEqualTo(202);

    publish(uuid, UserEvent.of(UserEventKind.DISABLED, uuid, userId, Instant.now()));
    // a repeat changes nothing more
    publish(uuid, UserEvent.of(UserEventKind.DISABLED, uuid, userId, Instant.now()));

    JsonObject suspended =
        app.awaitApp(web, token, r -> "suspended".equals(data(r).getString("status")));
    assertThat(suspended.getInteger("replicas")).isEqualTo(3);
    assertThat(suspended.getBoolean("suspended")).isTrue();
    assertThat(suspended.getBoolean("stopped")).isFalse();
    app.awaitApp(worker, token, r -> "suspended".equals(data(r).getString("status")));
    AppCommand suspendCommand = lastCommand(web, 2);
    assertThat(suspendCommand.desired().stopped()).as("no replicas while suspended").isTrue();
    assertThat(suspendCommand.desired().replicas()).isEqualTo(3);

    publish(uuid, UserEvent.of(UserEventKind.ENABLED, uuid, userId, Instant.now()));

    JsonObject restored = app.awaitApp(web, token, r -> !data(r).getBoolean("suspended"));
    assertThat(restored.getString("status")).isEqualTo("starting");
    assertThat(restored.getInteger("replicas")).isEqualTo(3);
    AppCommand resumed = lastCommand(web, 3);
    assertThat(resumed.desired().stopped()).isFalse();
    assertThat(resumed.desired().replicas()).isEqualTo(3);
    // the app its owner had stopped stays stopped
    JsonObject stopped = app.awaitApp(worker, token, r -> !data(r).getBoolean("suspended"));
    assertThat(stopped.getBoolean("stopped")).isTrue();
    assertThat(lastCommand(worker, 4).desired().stopped()).isTrue();
    JsonArray history =
        data(app.get("/api/v1/apps/" + web + "/events", token)).getJsonArray("items");
    assertThat(
            history.stream()
                .map(e -> (JsonObject) e)
                .filter(e -> "command".equals(e.getString("kind")))
                .map(e -> e.getString("command")))
        .containsExactly("resume", "suspend", "create");
  }

  @Test
  void a_deleted_account_deletes_every_app_and_asks_for_its_namespace_to_go() throws Exception {
    long userId = ++users;
    String uuid = UUID.randomUUID().toString();
    String token = app.token(uuid, userId);
    String first = app.create(token, "one", IMAGE, 1).getString("id");
    String second = app.create(token, "two", IMAGE, 2).getString("id");

    publish(uuid, UserEvent.of(UserEventKind.DELETED, uuid, userId, Instant.now()));

    for (String id : List.of(first, second)) {
      app.awaitApp(id, token, r -> "deleting".equals(data(r).getString("status")));
      AppCommand delete = lastCommand(id, 2);
      assertThat(delete.command()).isEqualTo(AppCommand.Command.DELETE);
      assertThat(delete.desired().deleted()).isTrue();
    }
    String namespace = "astro-user-" + userId;
    ReceivedRecord removal =
        kafka.awaitRecords(commandsTopic, 1, r -> namespace.equals(r.key()), WAIT).get(0);
    EventSchemas.assertValid(NamespaceCommand.TYPE, removal.value());
    NamespaceCommand command = NamespaceCommand.decode(removal.value());
    assertThat(command.command()).isEqualTo(NamespaceCommand.Command.DELETE);
    assertThat(command.namespace()).isEqualTo(namespace);
    assertThat(command.userId()).isEqualTo(userId);
  }

  @Test
  void a_record_off_the_contract_is_parked_and_the_next_one_applied() throws Exception {
    long userId = ++users;
    String uuid = UUID.randomUUID().toString();
    String token = app.token(uuid, userId);
    String id = app.create(token, "after", IMAGE, 1).getString("id");

    producer.send(new ProducerRecord<>(usersTopic, uuid, "{\"not\":\"an event\"}")).get();
    publish(uuid, UserEvent.of(UserEventKind.DISABLED, uuid, userId, Instant.now()));

    app.awaitApp(id, token, r -> "suspended".equals(data(r).getString("status")));
    ReceivedRecord parked =
        kafka
            .awaitRecords(Topics.deadLetter(usersTopic), 1, r -> uuid.equals(r.key()), WAIT)
            .get(0);
    assertThat(parked.value()).isEqualTo("{\"not\":\"an event\"}");
    assertThat(parked.header("x-error")).isNotBlank();
  }

  @Test
  void app_counts_per_user_are_served_internally_for_the_accounts_list() {
    long busy = ++users;
    long idle = ++users;
    String token = app.token(busy);
    app.create(token, "a", IMAGE, 1);
    app.create(token, "b", IMAGE, 1);

    var counts = app.get("/internal/v1/app-counts?user_id=" + busy + "&user_id=" + idle, null);
    var bad = app.get("/internal/v1/app-counts?user_id=x", null);

    assertThat(counts.statusCode()).as(counts.body()).isEqualTo(200);
    JsonObject byUser = data(counts).getJsonObject("counts");
    assertThat(byUser.fieldNames())
        .containsExactlyInAnyOrder(Long.toString(busy), Long.toString(idle));
    assertThat(byUser.getLong(Long.toString(busy))).isEqualTo(2L);
    assertThat(byUser.getLong(Long.toString(idle))).isZero();
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("user_id");
  }

  private static void publish(String key, UserEvent event) throws Exception {
    producer.send(new ProducerRecord<>(usersTopic, key, event.encode())).get(10, TimeUnit.SECONDS);
  }

  /** The app's command records, once there are {@code count}: the last of them. */
  private static AppCommand lastCommand(String appId, int count) {
    List<ReceivedRecord> records =
        kafka.awaitRecords(commandsTopic, count, r -> appId.equals(r.key()), WAIT);
    return AppCommand.decode(records.get(records.size() - 1).value());
  }
}
