package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.DeadLetters;
import io.astro.common.events.Topics;
import io.astro.common.kube.KubeNames;
import io.astro.dev.AstroServices;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.testkit.kube.ApiFaults;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sync-worker restarts, app-service stops between a commit and its send, the broker goes away,
 * the cluster's API fails, and poison records arrive while users create and change apps: every app
 * still ends running, and no command is applied twice — each Deployment was written once per
 * generation (its {@code metadata.generation} counts spec changes, its {@code astro.io/generation}
 * names the app's latest). docs/reliability.md lists each fault with what it guarantees.
 */
class FaultsEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void apps_created_while_the_sync_worker_restarts_all_run_and_each_is_applied_once() {
    Gateway api = astro.gateway();
    User user = api.newUser("rst");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(api.create(user, "before-" + i, 1).getString("id"));
    }
    // mid-flight: the commands are on the topic, perhaps applied, perhaps not
    astro.services().restartSyncWorker();
    for (int i = 0; i < 2; i++) {
      ids.add(api.create(user, "after-" + i, 1).getString("id"));
    }

    for (String id : ids) {
      JsonObject app = api.awaitRunning(user, id, 1);
      assertAppliedOnce(app, 1);
    }
  }

  @Test
  void commands_taken_while_the_broker_is_down_are_applied_once_it_is_back() {
    Gateway api = astro.gateway();
    User user = api.newUser("brk");
    String scaled = api.create(user, "scaled", 1).getString("id");
    api.awaitRunning(user, scaled, 1);

    astro.dev().backing().stopKafka();
    List<String> created = new ArrayList<>();
    try {
      // the API keeps answering: each command is recorded with its change, in the outbox
      for (int i = 0; i < 3; i++) {
        created.add(api.create(user, "down-" + i, 1).getString("id"));
      }
      assertThat(
              api.act(user, scaled, "scale", new JsonObject().put("replicas", 2))
                  .getLong("generation"))
          .isEqualTo(2);
      assertThat(api.get("/api/v1/apps/" + created.get(0), user.token()).data().getString("status"))
          .isEqualTo("pending");
      // held down until app-service has seen it gone and its commands wait in the outbox
      String appService = astro.dev().managementUrl(AstroServices.APP_SERVICE);
      awaitNotReady(appService, "kafka");
      Scrape.awaitSample(appService, "astro_app_outbox_pending", n -> n >= 4);
    } finally {
      astro.dev().backing().startKafka();
    }

    for (String id : created) {
      assertAppliedOnce(api.awaitRunning(user, id, 1), 1);
    }
    assertAppliedOnce(api.awaitRunning(user, scaled, 2), 2);
    // every command reached the topic exactly once per generation (at-least-once delivery may
    // repeat a record;
    // what matters is that a repeat carries the same event id and generation)
    Set<String> waiting = Set.copyOf(created);
    List<JsonObject> commands =
        astro
            .kafka()
            .awaitRecords(Topics.APP_COMMANDS, 3, r -> waiting.contains(r.key()), Gateway.WAIT)
            .stream()
            .map(r -> new JsonObject(r.value()))
            .toList();
    assertThat(commands.stream().map(c -> c.getString("id")).distinct().count()).isEqualTo(3);
  }

  @Test
  void commands_committed_but_not_sent_when_app_service_stops_are_sent_by_the_next_one() {
    Gateway api = astro.gateway();
    User user = api.newUser("kil");
    String appService = astro.dev().managementUrl(AstroServices.APP_SERVICE);
    List<JsonObject> created = new ArrayList<>();

    // the broker away, so each change is committed with its command and the send cannot happen
    astro.dev().backing().stopKafka();
    try {
      for (int i = 0; i < 2; i++) {
        created.add(api.create(user, "unsent-" + i, 1));
      }
      Scrape.awaitSample(appService, "astro_app_outbox_pending", n -> n >= 2);
      // app-service goes away between the commit and the send
      astro.services().stopAppService();
    } finally {
      astro.dev().backing().startKafka();
    }
    astro.services().startAppService();

    // judged at the cluster: the new app-service's status consumer joins its group only once the
    // broker gives up on the stopped one's membership (the session timeout, 45 s)
    for (JsonObject app : created) {
      V1Deployment deployment =
          Eventually.await(
              "the deployment of " + app.getString("name") + " to be ready",
              Gateway.WAIT,
              () -> astro.deployment(app.getString("namespace"), app.getString("k8s_name")),
              d ->
                  d != null
                      && d.getStatus() != null
                      && Integer.valueOf(1).equals(d.getStatus().getReadyReplicas()));
      assertThat(deployment.getMetadata().getGeneration()).as("spec writes").isEqualTo(1);
    }
    Set<String> waiting =
        created.stream().map(a -> a.getString("id")).collect(java.util.stream.Collectors.toSet());
    List<JsonObject> commands =
        astro
            .kafka()
            .awaitRecords(Topics.APP_COMMANDS, 2, r -> waiting.contains(r.key()), Gateway.WAIT)
            .stream()
            .map(r -> new JsonObject(r.value()))
            .toList();
    assertThat(commands.stream().map(c -> c.getString("id")).distinct().count()).isEqualTo(2);
    // the new instance has a management port of its own
    Scrape.awaitSample(
        astro.dev().managementUrl(AstroServices.APP_SERVICE),
        "astro_app_outbox_pending",
        n -> n == 0);
  }

  @Test
  void cluster_api_errors_show_on_the_app_with_bounded_retries_and_it_converges_after() {
    FakeCluster cluster = astro.cluster();
    Gateway api = astro.gateway();
    User user = api.newUser("api");
    int before = cluster.faults().injected();
    String id;
    try {
      cluster.faults().respond(500, "POST", "/deployments$", ApiFaults.UNTIL_CLEARED);
      id = api.create(user, "flaky", 1).getString("id");
      // meanwhile the app says why it does not run
      JsonObject waiting =
          api.awaitApp(
              user,
              id,
              "unknown, saying why",
              app ->
                  "unknown".equals(app.getString("status"))
                      && "ClusterUnreachable".equals(app.getString("reason")));
      assertThat(waiting.getString("message")).isNotBlank();
      // then throttled for a while instead
      cluster.faults().clear().respond(429, "POST", "/deployments$", 3);
    } finally {
      cluster.faults().clear();
    }

    assertAppliedOnce(api.awaitRunning(user, id, 1), 1);
    int refusedWrites = cluster.faults().injected() - before;
    // retried with back-off: a handful of tries, not a loop hammering the API server
    assertThat(refusedWrites).isBetween(3, 30);
  }

  @Test
  void a_poison_record_on_every_consumed_topic_is_parked_with_its_reason_and_the_next_is_read()
      throws Exception {
    List<String> consumed =
        List.of(Topics.APP_COMMANDS, Topics.APP_STATUS, Topics.CLUSTERS, Topics.CLUSTER_STATUS);
    String key = "poison-" + UUID.randomUUID();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                astro.kafka().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class))) {
      for (String topic : consumed) {
        // two on one key, so one partition: the second parked means the first did not stop it
        producer.send(new ProducerRecord<>(topic, key, "{not json")).get();
        producer.send(new ProducerRecord<>(topic, key, "{\"specversion\":\"1.0\"}")).get();
      }
    }

    for (String topic : consumed) {
      List<ReceivedRecord> parked =
          astro
              .kafka()
              .awaitRecords(Topics.deadLetter(topic), 2, r -> key.equals(r.key()), Gateway.WAIT);
      assertThat(parked).as("parked from %s", topic).hasSize(2);
      for (ReceivedRecord record : parked) {
        assertThat(record.header(DeadLetters.TOPIC_HEADER)).isEqualTo(topic);
        assertThat(record.header(DeadLetters.ERROR_HEADER)).as("reason").isNotBlank();
      }
    }
    // and the system goes on: a new app's command and status flow through those topics
    Gateway api = astro.gateway();
    User user = api.newUser("psn");
    assertAppliedOnce(api.awaitRunning(user, api.create(user, "after", 1).getString("id"), 1), 1);
  }

  private static void awaitNotReady(String serviceUrl, String check) {
    Eventually.await(
        serviceUrl + "/ready to report " + check + " down",
        Gateway.WAIT,
        () -> Scrape.get(serviceUrl + "/ready"),
        ready -> ready.statusCode() == 503 && ready.body().contains(check));
  }

  /**
   * One Deployment, its spec written {@code writes} times, built from the app's current generation.
   */
  private static void assertAppliedOnce(JsonObject app, long writes) {
    V1Deployment deployment =
        astro.deployment(app.getString("namespace"), app.getString("k8s_name"));
    assertThat(deployment).as("deployment of %s", app.getString("name")).isNotNull();
    assertThat(deployment.getMetadata().getAnnotations())
        .containsEntry(KubeNames.GENERATION_ANNOTATION, Long.toString(app.getLong("generation")));
    assertThat(deployment.getMetadata().getGeneration())
        .as("spec writes of %s", app.getString("name"))
        .isEqualTo(writes);
  }
}
