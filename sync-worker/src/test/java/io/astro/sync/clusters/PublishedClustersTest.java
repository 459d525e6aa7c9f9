package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.crypto.KeyRing;
import io.astro.common.events.cluster.SealedKubeconfig;
import io.astro.common.net.ClusterAddressGuard;
import io.astro.sync.ClusterRecords;
import io.astro.testkit.Eventually;
import io.astro.testkit.kube.FakeCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a record of the cluster topic does to the registry: connect, replace, leave alone, check,
 * remove.
 */
class PublishedClustersTest {

  private static final String OLD_KEY = KeyRing.generateSpec("k1");
  private static final String NEW_KEY = KeyRing.generateSpec("k2");
  private static final KeyRing BEFORE_ROTATION = KeyRing.fromSpec(OLD_KEY);
  private static final KeyRing AFTER_ROTATION = KeyRing.fromSpec(NEW_KEY + "," + OLD_KEY);

  /** The fake cluster listens on loopback, over http: allowed here as dev mode allows it. */
  private static final ClusterAddressGuard LOOPBACK =
      new ClusterAddressGuard(
          List.of(
              ClusterAddressGuard.Cidr.parse("127.0.0.0/8"),
              ClusterAddressGuard.Cidr.parse("::1/128")),
          true);

  private static FakeCluster fake;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<String> healthChecks = new CopyOnWriteArrayList<>();
  private ClusterRegistry registry;
  private PublishedClusters published;

  @BeforeAll
  static void startCluster() {
    fake = FakeCluster.start("east");
  }

  @AfterAll
  static void stopCluster() {
    fake.close();
  }

  @BeforeEach
  void setUp() {
    registry =
        new ClusterRegistry(
            new ConnectedClusters(),
            new ClusterConnection.Events() {
              @Override
              public void appTouched(String cluster, String appId) {}

              @Override
              public void unreachable(String cluster) {
                events.add("unreachable " + cluster);
              }

              @Override
              public void reconnected(String cluster) {
                events.add("reconnected " + cluster);
              }
            },
            Duration.ofSeconds(10),
            Duration.ofMinutes(10),
            5);
    published = new PublishedClusters(registry, AFTER_ROTATION, healthChecks::add, LOOPBACK, true);
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @Test
  void a_new_cluster_is_connected_and_its_apps_looked_at() {
    apply("east", fake.kubeconfig(), 1, null, BEFORE_ROTATION);

    assertThat(registry.get("east")).isPresent();
    assertThat(events).containsExactly("reconnected east");
  }

  @Test
  void the_same_kubeconfig_sealed_anew_under_the_new_key_keeps_the_connection() {
    apply("east", fake.kubeconfig(), 1, null, BEFORE_ROTATION);
    ClusterConnection first = registry.get("east").orElseThrow();

    apply("east", fake.kubeconfig(), 2, null, AFTER_ROTATION);

    assertThat(registry.get("east")).containsSame(first);
    assertThat(healthChecks).isEmpty();
  }

  @Test
  void new_credentials_replace_the_connection() {
    apply(
        "east",
        fake.kubeconfig().replace("namespace: default", "namespace: kube-system"),
        1,
        null,
        BEFORE_ROTATION);
    ClusterConnection first = registry.get("east").orElseThrow();

    apply("east", fake.kubeconfig(), 2, null, AFTER_ROTATION);

    assertThat(registry.get("east").orElseThrow()).isNotSameAs(first);
    assertThat(events).containsExactly("reconnected east", "reconnected east");
  }

  @Test
  void a_sync_request_asks_for_a_health_check_without_reconnecting() {
    apply("east", fake.kubeconfig(), 1, null, BEFORE_ROTATION);
    ClusterConnection first = registry.get("east").orElseThrow();

    apply("east", fake.kubeconfig(), 2, "2026-01-01T10:00:00Z", BEFORE_ROTATION);
    apply(
        "east",
        fake.kubeconfig(),
        3,
        "2026-01-01T10:00:00Z",
        BEFORE_ROTATION); // labels changed: nothing to do

    assertThat(registry.get("east")).containsSame(first);
    assertThat(healthChecks).containsExactly("east");
  }

  @Test
  void a_replayed_or_older_revision_changes_nothing() {
    apply("east", fake.kubeconfig(), 5, null, BEFORE_ROTATION);
    ClusterConnection first = registry.get("east").orElseThrow();

    apply(
        "east",
        fake.kubeconfig().replace("namespace: default", "namespace: other"),
        4,
        "2026-01-01T10:00:00Z",
        BEFORE_ROTATION);

    assertThat(registry.get("east")).containsSame(first);
    assertThat(healthChecks).isEmpty();
  }

  @Test
  void a_tombstone_removes_a_cluster_of_the_topic_but_not_a_static_one() {
    registry.put(new ClusterSource("static", fake.kubeconfig()));
    apply("east", fake.kubeconfig(), 1, null, BEFORE_ROTATION);

    published.apply("east", null);
    published.apply("static", null);

    assertThat(registry.get("east")).isEmpty();
    assertThat(registry.get("static")).isPresent();
    assertThat(events).contains("unreachable east").doesNotContain("unreachable static");
  }

  @Test
  void a_record_for_a_static_cluster_replaces_it() {
    registry.put(new ClusterSource("east", fake.kubeconfig()));
    ClusterConnection configured = registry.get("east").orElseThrow();

    apply("east", fake.kubeconfig(), 1, null, BEFORE_ROTATION);

    assertThat(registry.get("east").orElseThrow()).isNotSameAs(configured);
  }

  @Test
  void records_off_the_contract_are_rejected_with_a_reason_that_quotes_no_secret() {
    String sealed = BEFORE_ROTATION.seal("east", fake.kubeconfig());
    assertThatThrownBy(
            () -> published.apply("west", ClusterRecords.event("east", "c", sealed, 1, null)))
        .isInstanceOf(PublishedClusters.RejectedRecord.class)
        .hasMessage("record key west is not the cluster name east");
    assertThatThrownBy(
            () -> published.apply("west", ClusterRecords.event("west", "c", sealed, 1, null)))
        .hasMessage("value cannot be decrypted with key k1");
    String notAKubeconfig = BEFORE_ROTATION.seal("east", "token: abc\n- not: [yaml");
    assertThatThrownBy(
            () ->
                published.apply("east", ClusterRecords.event("east", "c", notAKubeconfig, 1, null)))
        .hasMessageStartingWith("cluster east: unusable kubeconfig")
        .hasMessageNotContaining("abc");
    assertThatThrownBy(
            () ->
                new PublishedClusters(registry, null, healthChecks::add, LOOPBACK, true)
                    .apply("east", ClusterRecords.event("east", "c", sealed, 1, null)))
        .hasMessage("no kubeconfig keys configured");
    assertThat(registry.get("east")).isEmpty();
  }

  @Test
  void a_kubeconfig_sealed_for_another_revision_does_not_open() {
    String sealedForOne = SealedKubeconfig.seal(BEFORE_ROTATION, "id-east", "east", 1, "x: y");
    assertThatThrownBy(
            () ->
                published.apply(
                    "east", ClusterRecords.event("east", "id-east", sealedForOne, 2, null)))
        .isInstanceOf(PublishedClusters.RejectedRecord.class)
        .hasMessage("value cannot be decrypted with key k1");
    assertThat(registry.get("east")).isEmpty();
  }

  @Test
  void one_sealed_with_the_name_alone_opens_only_while_legacy_values_are_accepted() {
    String legacy = BEFORE_ROTATION.seal("east", fake.kubeconfig());
    PublishedClusters strict =
        new PublishedClusters(registry, AFTER_ROTATION, healthChecks::add, LOOPBACK, false);
    assertThatThrownBy(
            () -> strict.apply("east", ClusterRecords.event("east", "id-east", legacy, 1, null)))
        .isInstanceOf(PublishedClusters.RejectedRecord.class);
    assertThat(registry.get("east")).isEmpty();

    published.apply("east", ClusterRecords.event("east", "id-east", legacy, 1, null));
    assertThat(registry.get("east")).isPresent();
  }

  @Test
  void a_kubeconfig_that_would_run_a_program_or_read_a_file_of_the_worker_is_refused_unrun()
      throws Exception {
    Path marker = Files.createTempDirectory("exec").resolve("ran");
    String token =
        fake.kubeconfig()
            .lines()
            .filter(l -> l.strip().startsWith("token:"))
            .findFirst()
            .orElseThrow();
    String exec =
        fake.kubeconfig()
            .replace(
                token,
                token.substring(0, token.indexOf("token:"))
                    + "exec: {apiVersion: client.authentication.k8s.io/v1, command: touch, args: ["
                    + marker
                    + "]}");
    String tokenFile =
        fake.kubeconfig()
            .replace(
                token, token.substring(0, token.indexOf("token:")) + "tokenFile: /etc/hostname");

    int revision = 0;
    for (String kubeconfig : List.of(exec, tokenFile)) {
      revision++;
      String sealed =
          SealedKubeconfig.seal(AFTER_ROTATION, "id-east", "east", revision, kubeconfig);
      int at = revision;
      assertThatThrownBy(
              () ->
                  published.apply(
                      "east", ClusterRecords.event("east", "id-east", sealed, at, null)))
          .isInstanceOf(PublishedClusters.RejectedRecord.class)
          .hasMessageContaining(exec.equals(kubeconfig) ? "user.exec" : "user.tokenFile")
          .hasMessageNotContaining("/etc/hostname");
    }
    assertThat(registry.get("east")).isEmpty();
    assertThat(marker).doesNotExist();
  }

  @Test
  void a_cluster_whose_server_address_is_barred_is_never_connected_to() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = new AtomicInteger();
      Thread accepting =
          new Thread(
              () -> {
                while (!listener.isClosed()) {
                  try {
                    listener.accept().close();
                    accepted.incrementAndGet();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      accepting.setDaemon(true);
      accepting.start();
      String kubeconfig =
          fake.kubeconfig().replace(fake.url(), "https://127.0.0.1:" + listener.getLocalPort());
      PublishedClusters strict =
          new PublishedClusters(
              registry, AFTER_ROTATION, healthChecks::add, ClusterAddressGuard.strict(), true);

      strict.apply(
          "east",
          ClusterRecords.event(
              "east",
              "id-east",
              SealedKubeconfig.seal(BEFORE_ROTATION, "id-east", "east", 1, kubeconfig),
              1,
              null));

      // its informers fail at once: every socket refuses the loopback address before connecting
      Eventually.await(
          "east to be reported unreachable",
          Duration.ofSeconds(20),
          () -> List.copyOf(events),
          seen -> seen.contains("unreachable east"));
      assertThat(registry.get("east").orElseThrow().failure()).contains("not allowed for clusters");
      assertThat(accepted.get()).isZero();
    }
  }

  private void apply(
      String name, String kubeconfig, long revision, String syncRequestedAt, KeyRing cipher) {
    published.apply(
        name,
        ClusterRecords.event(
            name,
            "id-" + name,
            SealedKubeconfig.seal(cipher, "id-" + name, name, revision, kubeconfig),
            revision,
            syncRequestedAt));
  }
}
