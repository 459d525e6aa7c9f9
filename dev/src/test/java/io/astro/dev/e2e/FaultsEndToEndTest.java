package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.DeadLetters;
import io.astro.common.events.EventCodec;
import io.astro.common.events.Topics;
import io.astro.common.events.app.NamespaceCommand;
import io.astro.common.events.app.NamespaceStatusEvent;
import io.astro.common.kube.KubeNames;
import io.astro.dev.AstroServices;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.testkit.kube.ApiFaults;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

  /** Users of the broker test, each making {@link #APPS_PER_USER} apps. */
  private static final int BROKER_USERS = 20;

  private static final int APPS_PER_USER = 5;

  /**
   * The changes each app gets after its create: eight scales and a restart, so each app ends at one
   * replica, generation 10. 20 users × 5 apps × (1 create + 9 changes) = 1 000 changes, each user's
   * 50 within the per-user write limit (60 a minute) and each app's 8 scales within the per-app one
   * (10 a minute).
   */
  private static final List<Integer> SCALES = List.of(2, 1, 2, 1, 2, 1, 2, 1);

  private static final int CHANGES = BROKER_USERS * APPS_PER_USER * (1 + SCALES.size() + 1);

  @Test
  void a_thousand_commands_taken_while_the_broker_is_down_are_each_applied_once_it_is_back()
      throws Exception {
    assertThat(CHANGES).isEqualTo(1_000);
    Gateway api = astro.gateway();
    List<User> users = new ArrayList<>();
    for (int u = 0; u < BROKER_USERS; u++) {
      users.add(api.newUser("brk"));
    }
    Map<String, User> owners = new ConcurrentHashMap<>();
    Map<String, JsonObject> created = new ConcurrentHashMap<>();

    astro.dev().backing().stopKafka();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      // the API keeps answering: each command is recorded with its change, in the outbox; one
      // user's changes in order, the users side by side
      List<Future<?>> sent = new ArrayList<>();
      for (User user : users) {
        sent.add(
            clients.submit(
                () -> {
                  List<String> ids = new ArrayList<>();
                  for (int a = 0; a < APPS_PER_USER; a++) {
                    JsonObject app =
                        api.create(
                            user,
                            new JsonObject()
                                .put("name", "down-" + a)
                                .put("image", "nginx:1.27")
                                .put("replicas", 1)
                                .put("port", 80)
                                .put("size", "nano"));
                    assertThat(app.getString("status")).isEqualTo("pending");
                    ids.add(app.getString("id"));
                    owners.put(app.getString("id"), user);
                    created.put(app.getString("id"), app);
                  }
                  for (int replicas : SCALES) {
                    for (String id : ids) {
                      api.act(user, id, "scale", new JsonObject().put("replicas", replicas));
                    }
                  }
                  for (String id : ids) {
                    assertThat(api.act(user, id, "restart", null).getLong("generation"))
                        .isEqualTo(SCALES.size() + 2L);
                  }
                }));
      }
      for (Future<?> f : sent) {
        f.get(5, TimeUnit.MINUTES);
      }
      // held down until app-service has seen it gone and every command waits in the outbox
      String appService = astro.dev().managementUrl(AstroServices.APP_SERVICE);
      awaitNotReady(appService, "kafka");
      Scrape.awaitSample(appService, "astro_app_outbox_pending", n -> n >= CHANGES);
    } finally {
      clients.shutdownNow();
      astro.dev().backing().startKafka();
    }

    long generation = SCALES.size() + 2L;
    for (Map.Entry<String, User> owned : owners.entrySet()) {
      api.awaitApp(
          owned.getValue(),
          owned.getKey(),
          "running at generation " + generation + " with 1 ready",
          app ->
              "running".equals(app.getString("status"))
                  && app.getLong("observed_generation", 0L) == generation
                  && app.getInteger("ready_replicas", -1) == 1);
    }
    Scrape.awaitSample(
        astro.dev().managementUrl(AstroServices.APP_SERVICE),
        "astro_app_outbox_pending",
        n -> n == 0);

    // 0 lost, 0 sent as two: every (app, generation) reached the topic, each under one event id
    // (at-least-once delivery may repeat a record, with the same id)
    List<ReceivedRecord> records =
        astro
            .kafka()
            .awaitRecords(
                Topics.APP_COMMANDS, CHANGES, r -> owners.containsKey(r.key()), Gateway.WAIT);
    Map<String, Set<String>> idsPerGeneration = new HashMap<>();
    for (ReceivedRecord record : records) {
      JsonObject event = new JsonObject(record.value());
      idsPerGeneration
          .computeIfAbsent(
              record.key() + "@" + event.getJsonObject("data").getLong("generation"),
              k -> new HashSet<>())
          .add(event.getString("id"));
    }
    assertThat(idsPerGeneration).hasSize(CHANGES);
    assertThat(idsPerGeneration.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));

    // 0 applied twice, judged at the cluster: each app's Deployment created once, and each
    // generation after the first written at most once (the worker may skip to the newest)
    for (JsonObject app : created.values()) {
      String ns = app.getString("namespace");
      String name = app.getString("k8s_name");
      V1Deployment deployment = astro.deployment(ns, name);
      assertThat(deployment.getMetadata().getAnnotations())
          .containsEntry(KubeNames.GENERATION_ANNOTATION, Long.toString(generation));
      assertThat(
              astro
                  .cluster()
                  .traffic()
                  .answers("PUT", "/apis/apps/v1/namespaces/" + ns + "/deployments/" + name, 200))
          .as("replaces of %s", name)
          .isBetween(0L, generation - 1);
    }
    for (User user : users) {
      String ns =
          created.values().stream()
              .filter(a -> user.equals(owners.get(a.getString("id"))))
              .findFirst()
              .orElseThrow()
              .getString("namespace");
      assertThat(
              astro
                  .cluster()
                  .traffic()
                  .answers("POST", "/apis/apps/v1/namespaces/" + ns + "/deployments", 201))
          .as("creates in %s", ns)
          .isEqualTo(APPS_PER_USER);
    }
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

  /** How long the cluster's API fails its writes in the fault test. */
  private static final Duration API_OUTAGE = Duration.ofMinutes(1);

  @Test
  void
      cluster_api_errors_and_timeouts_for_a_minute_show_on_the_app_bounded_and_it_converges_after() {
    FakeCluster cluster = astro.cluster();
    Gateway api = astro.gateway();
    User user = api.newUser("api");
    int before = cluster.faults().injected();
    int hungBefore = cluster.faults().hung();
    Instant start = Instant.now();
    String id;
    try {
      cluster.faults().respond(500, "POST", "/deployments$", ApiFaults.UNTIL_CLEARED);
      id = api.create(user, "flaky", 1).getString("id");
      // meanwhile the app says why it does not run: a fixed text to the tenant, the API's answer
      // in the status event for operators
      awaitWhy(api, user, id, "500 InternalError");
      // then throttled
      cluster.faults().clear().respond(429, "POST", "/deployments$", ApiFaults.UNTIL_CLEARED);
      awaitWhy(api, user, id, "429 TooManyRequests");
      // then not answered at all: each write ends at the worker's read timeout
      cluster.faults().clear().hang("POST", "/deployments$", ApiFaults.UNTIL_CLEARED);
      Eventually.until(
          "a create left unanswered", Gateway.WAIT, () -> cluster.faults().hung() > hungBefore);
      awaitWhy(api, user, id, "cluster unreachable");
      Eventually.until(
          "the API to have failed for " + API_OUTAGE,
          API_OUTAGE.plus(Gateway.WAIT),
          () -> Duration.between(start, Instant.now()).compareTo(API_OUTAGE) >= 0);
      assertThat(api.get("/api/v1/apps/" + id, user.token()).data().getString("status"))
          .isEqualTo("unknown");
    } finally {
      cluster.faults().clear();
    }

    // the worker's back-off reaches ASTRO_RECONCILE_RETRY_MAX (15 s in these tests) in such an
    // outage: the next try comes within that after the API heals
    Eventually.await(
        "the app running once the API accepts again",
        Gateway.WAIT.multipliedBy(2),
        () -> api.get("/api/v1/apps/" + id, user.token()).data(),
        app ->
            "running".equals(app.getString("status")) && app.getInteger("ready_replicas", -1) == 1);
    assertAppliedOnce(api.awaitRunning(user, id, 1), 1);
    int refusedWrites = cluster.faults().injected() - before + cluster.faults().hung() - hungBefore;
    // retried with back-off: a handful of tries in a minute, not a loop hammering the API server
    assertThat(refusedWrites).isBetween(4, 30);
  }

  /**
   * The app shows {@code unknown}, reason {@code ClusterUnreachable} and its fixed text, and its
   * status event (what operators read) says {@code cause}.
   */
  private static void awaitWhy(Gateway api, User user, String id, String cause) {
    astro
        .kafka()
        .awaitRecords(
            Topics.APP_STATUS,
            1,
            r ->
                id.equals(r.key())
                    && r.value() != null
                    && r.value().contains("ClusterUnreachable")
                    && r.value().contains(cause),
            Gateway.WAIT);
    JsonObject waiting =
        api.awaitApp(
            user,
            id,
            "unknown, saying why",
            app ->
                "unknown".equals(app.getString("status"))
                    && "ClusterUnreachable".equals(app.getString("reason")));
    assertThat(waiting.getString("message"))
        .isNotBlank()
        .doesNotContain("injected")
        .doesNotContain("Exception");
  }

  @Test
  void a_poison_record_on_every_consumed_topic_is_parked_with_its_reason_and_the_next_is_read()
      throws Exception {
    List<String> consumed =
        List.of(
            Topics.APP_COMMANDS,
            Topics.APP_STATUS,
            Topics.CLUSTERS,
            Topics.CLUSTER_STATUS,
            Topics.USERS);
    String key = "poison-" + UUID.randomUUID();
    // the namespace events share the apps' topics: one of each that its reader must refuse — a
    // command to remove kube-system, a status event without its fields
    Map<String, String> namespacePoison =
        Map.of(
            Topics.APP_COMMANDS,
            EventCodec.encodeText(
                EventCodec.create(
                    NamespaceCommand.TYPE,
                    NamespaceCommand.SOURCE,
                    "kube-system",
                    new JsonObject()
                        .put("command", "delete")
                        .put("userId", 1)
                        .put("namespace", "kube-system")
                        .put("requestedAt", Instant.now().toString()))),
            Topics.APP_STATUS,
            EventCodec.encodeText(
                EventCodec.create(
                    NamespaceStatusEvent.TYPE,
                    NamespaceStatusEvent.SOURCE,
                    "kube-system",
                    new JsonObject().put("namespace", "kube-system"))));
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
        if (namespacePoison.containsKey(topic)) {
          producer.send(new ProducerRecord<>(topic, key, namespacePoison.get(topic))).get();
        }
      }
    }

    for (String topic : consumed) {
      List<ReceivedRecord> parked =
          astro
              .kafka()
              .awaitRecords(
                  Topics.deadLetter(topic),
                  namespacePoison.containsKey(topic) ? 3 : 2,
                  r -> key.equals(r.key()),
                  Gateway.WAIT);
      assertThat(parked)
          .as("parked from %s", topic)
          .hasSize(namespacePoison.containsKey(topic) ? 3 : 2);
      for (ReceivedRecord record : parked) {
        assertThat(record.header(DeadLetters.TOPIC_HEADER)).isEqualTo(topic);
        assertThat(record.header(DeadLetters.ERROR_HEADER)).as("reason").isNotBlank();
      }
    }
    assertThat(
            new CoreV1Api(astro.cluster().apiClient())
                .readNamespace("kube-system")
                .execute()
                .getMetadata()
                .getDeletionTimestamp())
        .as("kube-system is not being deleted")
        .isNull();
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
