package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.crypto.KeyRing;
import io.astro.sync.ClusterRecords;
import io.astro.sync.Commands;
import io.astro.sync.SyncWorkerFixture;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.testkit.kube.FakeCluster;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clusters come from {@code astro.clusters} as app-service publishes them — sealed kubeconfigs,
 * revisions, tombstones — and every cluster's health goes out on {@code astro.cluster.status}. The
 * worker starts with no static cluster and holds the rotated key set: the new key {@code k2} first,
 * the old {@code k1} second.
 */
@ExtendWith(KafkaExtension.class)
class ClustersFromTopicTest {

  private static final String OLD_KEY = KeyRing.generateSpec("k1");
  private static final String NEW_KEY = KeyRing.generateSpec("k2");

  /** app-service before the rotation: seals with k1. */
  private static final KeyRing BEFORE_ROTATION = KeyRing.fromSpec(OLD_KEY);

  /** app-service after it: seals with k2. */
  private static final KeyRing AFTER_ROTATION = KeyRing.fromSpec(NEW_KEY + "," + OLD_KEY);

  private static final Pattern TOKEN = Pattern.compile("token: (\\S+)");
  private static final long GI = 1024L * 1024 * 1024;

  private static SyncWorkerFixture fx;
  private static final Map<Integer, ClusterRecords.Cluster> connected = new ConcurrentHashMap<>();

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx =
        new SyncWorkerFixture(broker, 8)
            .startWorker(Map.of("ASTRO_KUBECONFIG_KEYS", NEW_KEY + "," + OLD_KEY), List.of());
  }

  @AfterEach
  void heal() {
    fx.clusters.forEach(
        c -> {
          c.faults().clear();
          c.credential().allowAll();
        });
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void a_cluster_published_on_the_topic_is_connected_and_the_apps_waiting_for_it_run() {
    FakeCluster fake = fx.cluster(0);
    Commands.App app = new Commands.App(41, "early", fake.name());
    fx.commands.send(app, "create");
    assertThat(fx.awaitStatus(app, "unknown").getString("reason")).isEqualTo("ClusterUnknown");

    fx.clusterRecords.publish(
        new ClusterRecords.Cluster(fake.name(), fake.kubeconfig()), BEFORE_ROTATION);

    fx.awaitStatus(app, "running");
    assertThat(fx.deployment(0, app)).isNotNull();
  }

  @Test
  void its_health_tells_the_version_the_api_server_the_nodes_and_their_capacity() {
    FakeCluster fake = fx.cluster(1);
    connect(1);

    JsonObject health =
        fx.awaitClusterStatus(fake.name(), d -> "healthy".equals(d.getString("status")));
    assertThat(health.getString("name")).isEqualTo(fake.name());
    assertThat(health.getString("version")).isEqualTo("v1.31.0");
    assertThat(health.getString("apiServer")).isEqualTo(fake.url());
    assertThat(health.getInteger("nodes")).isEqualTo(2);
    assertThat(health.getInteger("readyNodes")).isEqualTo(2);
    assertThat(health.getDouble("cpuCores")).isEqualTo(8.0);
    assertThat(health.getLong("memoryBytes")).isEqualTo(32 * GI);
    assertThat(health.getString("error")).isNull();
    assertThat(Instant.parse(health.getString("heartbeatAt")))
        .isBeforeOrEqualTo(Instant.parse(health.getString("checkedAt")));
    fx.broker
        .awaitRecords(
            fx.clusterStatusTopic, 1, r -> fake.name().equals(r.key()), SyncWorkerFixture.WAIT)
        .forEach(r -> EventSchemas.assertValid("io.astro.cluster.status.v1", r.value()));
    SyncWorkerFixture.await(
        "healthy gauge",
        () ->
            fx.worker()
                .metrics()
                .lines()
                .anyMatch(
                    l ->
                        l.startsWith("astro_sync_cluster_healthy{")
                            && l.contains(fake.name())
                            && l.endsWith(" 1.0")));
  }

  @Test
  void a_sync_request_checks_the_cluster_again_and_sees_a_new_node() {
    FakeCluster fake = fx.cluster(2);
    ClusterRecords.Cluster cluster = connect(2);

    fake.addNode("node-3", false);
    fx.clusterRecords.requestSync(cluster, BEFORE_ROTATION);

    JsonObject health =
        fx.awaitClusterStatus(
            fake.name(), d -> d.getInteger("nodes") != null && d.getInteger("nodes") == 3);
    assertThat(health.getInteger("readyNodes")).isEqualTo(2);
    assertThat(health.getDouble("cpuCores")).isEqualTo(12.0);
    assertThat(health.getString("status")).isEqualTo("healthy");
  }

  @Test
  void credentials_rotated_on_the_topic_are_used_without_a_restart() {
    FakeCluster fake = fx.cluster(3);
    ClusterRecords.Cluster cluster =
        new ClusterRecords.Cluster(
            fake.name(), fake.kubeconfig().replace(token(fake), "revoked-token-0123456789"));
    fx.clusterRecords.publish(cluster, BEFORE_ROTATION);
    JsonObject refused =
        fx.awaitClusterStatus(fake.name(), d -> "unhealthy".equals(d.getString("status")));
    assertThat(refused.getString("error")).contains("401");
    Commands.App app = new Commands.App(43, "rotated", fake.name());
    fx.commands.send(app, "create");
    assertThat(fx.awaitStatus(app, "unknown").getString("reason")).isEqualTo("ClusterUnreachable");

    // new credentials, sealed under the new key
    cluster.kubeconfig = fake.kubeconfig();
    fx.clusterRecords.publish(cluster, AFTER_ROTATION);

    fx.awaitClusterStatus(fake.name(), d -> "healthy".equals(d.getString("status")));
    fx.awaitStatus(app, "running");
    assertNoTokenOn(fx.clusterStatusTopic);
  }

  @Test
  void a_tombstone_removes_the_cluster_and_its_apps_report_it_unknown() {
    FakeCluster fake = fx.cluster(4);
    connect(4);
    Commands.App app = new Commands.App(44, "orphan", fake.name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");

    fx.clusterRecords.tombstone(fake.name());

    JsonObject unknown = fx.awaitStatus(app, "unknown");
    assertThat(unknown.getString("reason")).isEqualTo("ClusterUnknown");
    SyncWorkerFixture.await(
        "gauge of the removed cluster gone",
        () ->
            fx.worker()
                .metrics()
                .lines()
                .noneMatch(
                    l ->
                        l.startsWith("astro_sync_cluster_healthy{")
                            && l.contains("\"" + fake.name() + "\"")));
  }

  @Test
  void an_unreachable_cluster_is_unhealthy_with_the_reason_and_healthy_once_it_answers() {
    FakeCluster fake = fx.cluster(5);
    connect(5);

    fake.faults().unreachable(true);
    JsonObject down =
        fx.awaitClusterStatus(fake.name(), d -> "unhealthy".equals(d.getString("status")));
    assertThat(down.getString("error")).isNotBlank();
    assertThat(down.getString("heartbeatAt")).isNotNull(); // when it last answered
    SyncWorkerFixture.await(
        "unhealthy gauge",
        () ->
            fx.worker()
                .metrics()
                .lines()
                .anyMatch(
                    l ->
                        l.startsWith("astro_sync_cluster_healthy{")
                            && l.contains(fake.name())
                            && l.endsWith(" 0.0")));

    Instant healed = Instant.now();
    fake.faults().unreachable(false);
    JsonObject up =
        fx.awaitClusterStatus(
            fake.name(),
            d ->
                "healthy".equals(d.getString("status"))
                    && !Instant.parse(d.getString("checkedAt")).isBefore(healed));
    assertThat(up.getString("error")).isNull();
    assertThat(Instant.parse(up.getString("heartbeatAt"))).isAfterOrEqualTo(healed.minusMillis(1));
    assertNoTokenOn(fx.clusterStatusTopic);
  }

  @Test
  void
      a_right_taken_from_a_running_cluster_keeps_it_unhealthy_naming_the_informer_without_flapping() {
    FakeCluster fake = fx.cluster(7);
    ClusterRecords.Cluster cluster = connect(7);

    fake.credential().deny("list", "pods").deny("watch", "pods");
    // watches cut: the informers list again, and the pods informer gets 403
    fake.faults().unreachable(true);
    fake.faults().unreachable(false);
    JsonObject refused =
        fx.awaitClusterStatus(
            fake.name(),
            d ->
                "unhealthy".equals(d.getString("status"))
                    && d.getString("error", "").contains("informer pods"));
    assertThat(refused.getString("error"))
        .startsWith("missing rights: list pods (cluster-wide), watch pods (cluster-wide)")
        .contains("informer pods: list/watch failed: the API server answered 403")
        // what the server said stays in the worker's log
        .doesNotContain("pods is forbidden");

    // /version keeps answering every 2 s; checks spanning several of those probes all stay
    // unhealthy
    Instant from = Instant.parse(refused.getString("checkedAt"));
    Instant until = from.plusSeconds(7);
    SyncWorkerFixture.await(
        "checks over several probes",
        () -> {
          fx.clusterRecords.requestSync(cluster, BEFORE_ROTATION);
          return statusesFrom(fake, from).stream()
              .anyMatch(d -> Instant.parse(d.getString("checkedAt")).isAfter(until));
        });
    List<JsonObject> since = statusesFrom(fake, from);
    assertThat(since).hasSizeGreaterThanOrEqualTo(3);
    assertThat(since)
        .allSatisfy(
            d -> {
              assertThat(d.getString("status")).isEqualTo("unhealthy");
              assertThat(d.getString("error")).contains("list pods");
            });

    Instant healed = Instant.now();
    fake.credential().allowAll();
    fx.clusterRecords.requestSync(cluster, BEFORE_ROTATION);
    fx.awaitClusterStatus(
        fake.name(),
        d ->
            "healthy".equals(d.getString("status"))
                && !Instant.parse(d.getString("checkedAt")).isBefore(healed));
  }

  private static List<JsonObject> statusesFrom(FakeCluster fake, Instant from) {
    return fx
        .broker
        .awaitRecords(
            fx.clusterStatusTopic,
            1,
            r ->
                fake.name().equals(r.key())
                    && !Instant.parse(SyncWorkerFixture.data(r).getString("checkedAt"))
                        .isBefore(from),
            SyncWorkerFixture.WAIT)
        .stream()
        .map(SyncWorkerFixture::data)
        .toList();
  }

  @Test
  void records_that_cannot_be_opened_go_to_the_dead_letter_topic_and_reading_goes_on() {
    String dlq = fx.clustersTopic + ".dlq";
    FakeCluster fake = fx.cluster(6);
    KeyRing unknownKey = KeyRing.fromSpec(KeyRing.generateSpec("k9"));
    fx.clusterRecords.sendRaw("junk", "{not a cloud event");
    fx.clusterRecords.sendRaw(
        "ghost",
        ClusterRecords.event("ghost", "c-1", unknownKey.seal("ghost", fake.kubeconfig()), 1, null));
    // sealed for another cluster: the name is bound in, so it does not open under this one
    fx.clusterRecords.sendRaw(
        "ghost-2",
        ClusterRecords.event(
            "ghost-2", "c-2", AFTER_ROTATION.seal("other", fake.kubeconfig()), 1, null));

    assertThat(errorOf(dlq, "junk")).startsWith("not a CloudEvent");
    assertThat(errorOf(dlq, "ghost")).isEqualTo("value sealed with unknown key k9");
    assertThat(errorOf(dlq, "ghost-2")).isEqualTo("value cannot be decrypted with key k2");
    ReceivedRecord parked =
        fx.broker.awaitRecords(dlq, 1, r -> "ghost".equals(r.key()), SyncWorkerFixture.WAIT).get(0);
    assertThat(parked.header("x-original-topic")).isEqualTo(fx.clustersTopic);

    // the consumer is still reading: a good record after the bad ones is connected
    fx.clusterRecords.publish(
        new ClusterRecords.Cluster(fake.name(), fake.kubeconfig()), AFTER_ROTATION);
    fx.awaitClusterStatus(fake.name(), d -> "healthy".equals(d.getString("status")));
    assertNoTokenOn(dlq);
    assertNoTokenOn(fx.clusterStatusTopic);
  }

  /**
   * Publishes fake cluster {@code i} once (sealed with the old key) and waits until it is healthy.
   */
  private static ClusterRecords.Cluster connect(int i) {
    FakeCluster fake = fx.cluster(i);
    ClusterRecords.Cluster cluster =
        connected.computeIfAbsent(
            i,
            n -> {
              ClusterRecords.Cluster c = new ClusterRecords.Cluster(fake.name(), fake.kubeconfig());
              fx.clusterRecords.publish(c, BEFORE_ROTATION);
              return c;
            });
    fx.awaitClusterStatus(fake.name(), d -> "healthy".equals(d.getString("status")));
    return cluster;
  }

  private static String errorOf(String dlq, String key) {
    return fx.broker
        .awaitRecords(dlq, 1, r -> key.equals(r.key()), SyncWorkerFixture.WAIT)
        .get(0)
        .header("x-error");
  }

  private static String token(FakeCluster cluster) {
    Matcher m = TOKEN.matcher(cluster.kubeconfig());
    assertThat(m.find()).as("a bearer token in the fake's kubeconfig").isTrue();
    return m.group(1);
  }

  /**
   * No record on {@code topic} carries a fake cluster's bearer token, in its value or in a header.
   */
  private static void assertNoTokenOn(String topic) {
    List<ReceivedRecord> records = fx.broker.awaitRecords(topic, 1, SyncWorkerFixture.WAIT);
    for (FakeCluster cluster : fx.clusters) {
      String token = token(cluster);
      assertThat(records)
          .allSatisfy(
              r -> {
                assertThat(r.value() == null ? "" : r.value()).doesNotContain(token);
                assertThat(r.headers().values()).noneMatch(v -> v != null && v.contains(token));
              });
    }
  }
}
