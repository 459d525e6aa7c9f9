package io.astro.app.events;

import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.testkit.FreePorts;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.EmbeddedKafkaBroker;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.ReceivedRecord;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The broker goes away while users create and change apps: the API keeps answering, and once the
 * broker is back every command arrives, in order per app, none twice. Runs its own broker
 * (restartable on the same ports).
 */
@ExtendWith(MySqlExtension.class)
class OutboxBrokerRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void commands_recorded_while_kafka_is_down_arrive_in_order_once_it_is_back(TestDatabase db)
      throws Exception {
    Path workDir = Path.of("target", "restart-kafka-" + ProcessHandle.current().pid());
    int[] ports = FreePorts.distinct(2);
    int port = ports[0];
    int controllerPort = ports[1];
    String topic = "astro.app.commands";
    KafkaBroker broker = EmbeddedKafkaBroker.startPersistent(workDir, port, controllerPort);
    try {
      broker.createCompactedTopic(topic, 3);
      broker.createTopic("astro.app.status", 1);
      try (RunningAppService app =
          RunningAppService.start(db, broker.bootstrapServers(), Map.of())) {
        String token = app.token(42);
        String before = app.create(token, "before", "nginx", 1).getString("id");
        broker.awaitRecords(topic, 1, r -> before.equals(r.key()), WAIT);

        broker.close();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          String id = app.create(token, "down-" + i, "nginx", 1).getString("id");
          ids.add(id);
          assertThat(accepted(app.post("/api/v1/apps/" + id + "/stop", null, token))).isEqualTo(2);
          assertThat(
                  accepted(
                      app.post(
                          "/api/v1/apps/" + id + "/scale",
                          new JsonObject().put("replicas", 3),
                          token)))
              .isEqualTo(3);
        }
        assertThat(data(app.get("/api/v1/apps", token)).getLong("total")).isEqualTo(5);

        broker = EmbeddedKafkaBroker.startPersistent(workDir, port, controllerPort);
        Set<String> waiting = Set.copyOf(ids);
        List<ReceivedRecord> records =
            broker.awaitRecords(topic, 12, r -> waiting.contains(r.key()), WAIT);

        assertThat(records).hasSize(12);
        for (String id : ids) {
          List<JsonObject> commands =
              records.stream()
                  .filter(r -> r.key().equals(id))
                  .map(
                      r -> {
                        EventSchemas.assertValid("io.astro.app.command.v2", r.value());
                        return new JsonObject(r.value()).getJsonObject("data");
                      })
                  .toList();
          assertThat(commands)
              .extracting(c -> c.getString("command"))
              .containsExactly("create", "stop", "scale");
          assertThat(commands).extracting(c -> c.getLong("generation")).containsExactly(1L, 2L, 3L);
        }
        assertThat(
                records.stream()
                    .map(r -> new JsonObject(r.value()).getString("id"))
                    .collect(Collectors.toSet()))
            .hasSize(12);
        assertThat(broker.awaitRecords(topic, 1, r -> before.equals(r.key()), WAIT)).hasSize(1);
      }
    } finally {
      broker.close();
      Utils.delete(workDir.toFile());
    }
  }

  private static long accepted(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return data(response).getLong("generation");
  }
}
