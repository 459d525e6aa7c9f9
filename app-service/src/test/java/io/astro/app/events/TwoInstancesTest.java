package io.astro.app.events;

import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.RunningAppService;
import io.astro.common.auth.SigningKeys;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two app-service instances on one database: each app's commands still reach Kafka once each, in
 * order.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class TwoInstancesTest {

  @Test
  void changes_made_through_both_instances_are_published_in_generation_order(
      TestDatabase db, KafkaBroker kafka) {
    String commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    String status = KafkaBroker.uniqueTopicName("astro.app.status");
    kafka.createCompactedTopic(commands, 3);
    kafka.createTopic(status, 1);
    Map<String, String> env =
        Map.of(
            "ASTRO_APP_COMMANDS_TOPIC",
            commands,
            "ASTRO_APP_STATUS_TOPIC",
            status,
            "ASTRO_APP_STATUS_GROUP",
            status + "-group",
            // 3 apps of up to 9 replicas: room in the namespace quota, which is not under test here
            "ASTRO_NAMESPACE_QUOTA_PODS",
            "100",
            "ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE",
            "100Gi");
    SigningKeys keys = SigningKeys.generate();
    try (RunningAppService one = RunningAppService.start(db, kafka.bootstrapServers(), env, keys);
        RunningAppService two = RunningAppService.start(db, kafka.bootstrapServers(), env, keys)) {
      String token = one.token(9);
      List<String> ids =
          IntStream.range(0, 3)
              .mapToObj(i -> one.create(token, "app-" + i, "nginx", 1).getString("id"))
              .toList();

      // scale every app 8 times (to 2..9 replicas), alternating instances, the apps in parallel
      List<CompletableFuture<Void>> work =
          ids.stream()
              .map(
                  id ->
                      CompletableFuture.runAsync(
                          () -> {
                            for (int n = 1; n <= 8; n++) {
                              RunningAppService via = n % 2 == 0 ? one : two;
                              var answer =
                                  via.post(
                                      "/api/v1/apps/" + id + "/scale",
                                      new JsonObject().put("replicas", n + 1),
                                      token);
                              assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
                            }
                          }))
              .toList();
      work.forEach(CompletableFuture::join);

      for (String id : ids) {
        assertThat(data(one.get("/api/v1/apps/" + id, token)).getLong("generation")).isEqualTo(9);
        List<ReceivedRecord> records =
            kafka.awaitRecords(commands, 9, r -> id.equals(r.key()), Duration.ofSeconds(30));
        assertThat(records)
            .extracting(r -> new JsonObject(r.value()).getJsonObject("data").getLong("generation"))
            .containsExactlyElementsOf(LongStream.rangeClosed(1, 9).boxed().toList());
      }
    }
  }
}
