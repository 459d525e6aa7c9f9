package io.astro.app.clusters;

import static io.astro.app.RunningAppService.code;
import static io.astro.app.RunningAppService.data;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.astro.app.RunningAppService;
import io.astro.common.crypto.KeyRing;
import io.astro.common.events.EventCodec;
import io.astro.common.events.cluster.ClusterEvent;
import io.astro.common.events.cluster.ClusterPublicUrls;
import io.astro.common.events.cluster.SealedKubeconfig;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.astro.testkit.kube.FakeCluster;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Operators import clusters by kubeconfig; it is checked, sealed, announced, health-tracked and
 * used for placement.
 */
@ExtendWith({MySqlExtension.class, KafkaExtension.class})
class ClusterApiTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicLong USERS = new AtomicLong(500);
  private static final String KEY_1 = KeyRing.generateSpec("k1");

  private static RunningAppService app;
  private static KafkaBroker kafka;
  private static TestDatabase database;
  private static String clustersTopic;
  private static String statusTopic;
  private static FakeCluster big;
  private static FakeCluster small;
  private static String admin;

  /** Everything logged while the tests run: no line may carry a kubeconfig's credentials. */
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  @BeforeAll
  static void start(TestDatabase db, KafkaBroker broker) {
    LOGS.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
    kafka = broker;
    database = db;
    big = FakeCluster.start("big");
    small = FakeCluster.start("small");
    clustersTopic = KafkaBroker.uniqueTopicName("astro.clusters");
    statusTopic = KafkaBroker.uniqueTopicName("astro.cluster.status");
    String commands = KafkaBroker.uniqueTopicName("astro.app.commands");
    broker.createCompactedTopic(clustersTopic, 1);
    broker.createTopic(statusTopic, 1);
    broker.createCompactedTopic(commands, 1);
    app = RunningAppService.start(db, broker.bootstrapServers(), env(KEY_1, commands));
    admin = app.adminToken(1);
  }

  private static Map<String, String> env(String keys, String commands) {
    return Map.of(
        "ASTRO_KUBECONFIG_KEYS", keys,
        "ASTRO_CLUSTERS_TOPIC", clustersTopic,
        "ASTRO_CLUSTER_STATUS_TOPIC", statusTopic,
        "ASTRO_CLUSTER_STATUS_GROUP", statusTopic + "-group",
        "ASTRO_APP_COMMANDS_TOPIC", commands,
        "ASTRO_PLACEMENT_LABELS", "tier=shared");
  }

  @AfterAll
  static void stop() {
    app.close();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
    List<String> tokens = List.of(tokenOf(big.kubeconfig()), tokenOf(small.kubeconfig()));
    big.close();
    small.close();
    assertThat(LOGS.list)
        .isNotEmpty()
        .allSatisfy(
            event ->
                tokens.forEach(
                    token -> {
                      assertThat(event.getFormattedMessage()).doesNotContain(token);
                      assertThat(
                              event.getThrowableProxy() == null
                                  ? ""
                                  : event.getThrowableProxy().getMessage())
                          .doesNotContain(token);
                    }));
  }

  @Test
  void an_imported_kubeconfig_is_checked_sealed_announced_and_never_shown() throws Exception {
    HttpResponse<String> created =
        importCluster("sealed-one", big.kubeconfig(), Map.of("tier", "shared"));

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject cluster = data(created);
    assertThat(cluster.getString("name")).isEqualTo("sealed-one");
    assertThat(cluster.getString("api_server")).isEqualTo(big.url());
    assertThat(cluster.getString("status")).isEqualTo("unknown");
    assertThat(cluster.getJsonObject("labels").getString("tier")).isEqualTo("shared");
    String token = tokenOf(big.kubeconfig());
    assertThat(created.body()).doesNotContain(token).doesNotContain("kubeconfig");
    assertThat(app.get("/api/v1/clusters/" + cluster.getString("id"), admin).body())
        .doesNotContain(token);

    String stored = storedKubeconfig("sealed-one");
    assertThat(stored).startsWith("v1.k1.").doesNotContain(token);

    ReceivedRecord record =
        kafka.awaitRecords(clustersTopic, 1, r -> "sealed-one".equals(r.key()), WAIT).get(0);
    EventSchemas.assertValid("io.astro.cluster.v1", record.value());
    assertThat(record.value()).doesNotContain(token);
    assertThat(opened(KeyRing.fromSpec(KEY_1), record)).isEqualTo(big.kubeconfig());
  }

  @Test
  void a_cluster_carries_its_own_public_url_settings_to_the_worker_and_patches_change_them() {
    HttpResponse<String> created =
        app.post(
            "/api/v1/clusters",
            new JsonObject()
                .put("name", "own-domain")
                .put("kubeconfig", b64(big.kubeconfig()))
                .put(
                    "public_urls",
                    new JsonObject()
                        .put("apps_domain", "apps.own.example.com")
                        .put("ingress_namespace_selector", "kubernetes.io/metadata.name=ingress")),
            admin);

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = data(created).getString("id");
    JsonObject stored = data(app.get("/api/v1/clusters/" + id, admin)).getJsonObject("public_urls");
    assertThat(stored)
        .isEqualTo(
            new JsonObject()
                .put("apps_domain", "apps.own.example.com")
                .put("ingress_class", null)
                .put("tls_issuer", null)
                .put("ingress_namespace_selector", "kubernetes.io/metadata.name=ingress"));
    ReceivedRecord first =
        kafka.awaitRecords(clustersTopic, 1, r -> "own-domain".equals(r.key()), WAIT).get(0);
    EventSchemas.assertValid("io.astro.cluster.v1", first.value());
    assertThat(ClusterEvent.decode("own-domain", first.value()).publicUrls())
        .isEqualTo(
            new ClusterPublicUrls(
                "apps.own.example.com", null, null, "kubernetes.io/metadata.name=ingress"));

    // a field given changes, a field given null goes back to the worker's, others stay
    HttpResponse<String> patched =
        app.send(
            "PATCH",
            "/api/v1/clusters/" + id,
            new JsonObject()
                .put(
                    "public_urls",
                    new JsonObject()
                        .put("apps_domain", "apps.moved.example.com")
                        .put("tls_issuer", "letsencrypt")
                        .putNull("ingress_namespace_selector")),
            admin,
            Map.of());

    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    assertThat(data(patched).getJsonObject("public_urls"))
        .isEqualTo(
            new JsonObject()
                .put("apps_domain", "apps.moved.example.com")
                .put("ingress_class", null)
                .put("tls_issuer", "letsencrypt")
                .put("ingress_namespace_selector", null));
    ReceivedRecord second =
        kafka.awaitRecords(clustersTopic, 2, r -> "own-domain".equals(r.key()), WAIT).get(1);
    EventSchemas.assertValid("io.astro.cluster.v1", second.value());
    assertThat(ClusterEvent.decode("own-domain", second.value()).publicUrls())
        .isEqualTo(new ClusterPublicUrls("apps.moved.example.com", null, "letsencrypt", null));

    // clearing every field leaves no override: the record says nothing
    app.send(
        "PATCH",
        "/api/v1/clusters/" + id,
        new JsonObject()
            .put("public_urls", new JsonObject().putNull("apps_domain").putNull("tls_issuer")),
        admin,
        Map.of());
    ReceivedRecord third =
        kafka.awaitRecords(clustersTopic, 3, r -> "own-domain".equals(r.key()), WAIT).get(2);
    assertThat(ClusterEvent.decode("own-domain", third.value()).publicUrls()).isNull();
  }

  @Test
  void public_url_settings_no_cluster_can_use_are_refused_naming_the_field() {
    Map<String, Object> refused =
        Map.of(
            "apps_domain", "*.apps.example.com",
            "ingress_class", "Nginx_Public",
            "tls_issuer", "issuer!",
            "ingress_namespace_selector", "team");
    for (Map.Entry<String, Object> bad : refused.entrySet()) {
      JsonObject urls = new JsonObject().put(bad.getKey(), bad.getValue());
      HttpResponse<String> imported =
          app.post(
              "/api/v1/clusters",
              new JsonObject()
                  .put("name", "bad-urls")
                  .put("kubeconfig", b64(big.kubeconfig()))
                  .put("public_urls", urls),
              admin);
      assertThat(imported.statusCode()).as(imported.body()).isEqualTo(422);
      assertThat(fields(imported)).containsExactly("public_urls." + bad.getKey());
    }
    for (String domain : List.of("localhost", "Apps.Example.com", "a." + "b".repeat(200) + ".io")) {
      HttpResponse<String> imported =
          app.post(
              "/api/v1/clusters",
              new JsonObject()
                  .put("name", "bad-urls")
                  .put("kubeconfig", b64(big.kubeconfig()))
                  .put("public_urls", new JsonObject().put("apps_domain", domain)),
              admin);
      assertThat(imported.statusCode()).as(domain).isEqualTo(422);
      assertThat(fields(imported)).containsExactly("public_urls.apps_domain");
    }
    String id = data(importCluster("urls-patched", big.kubeconfig(), Map.of())).getString("id");
    HttpResponse<String> patched =
        app.send(
            "PATCH",
            "/api/v1/clusters/" + id,
            new JsonObject()
                .put(
                    "public_urls",
                    new JsonObject().put("apps_domain", "ok.example.com").put("tls_issuer", 3)),
            admin,
            Map.of());
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(422);
    assertThat(fields(patched)).containsExactly("public_urls.tls_issuer");
    HttpResponse<String> unknown =
        app.send(
            "PATCH",
            "/api/v1/clusters/" + id,
            new JsonObject()
                .put("colour", "red")
                .put("public_urls", new JsonObject().put("apps_domian", "ok.example.com")),
            admin,
            Map.of());
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
    assertThat(fields(unknown)).containsExactlyInAnyOrder("colour", "public_urls.apps_domian");
    assertThat(data(app.get("/api/v1/clusters/" + id, admin)).getJsonObject("public_urls"))
        .as("nothing of a refused change is kept")
        .isEqualTo(Cluster.publicUrlsJson(ClusterPublicUrls.NONE));
    assertThat(
            app.post(
                    "/api/v1/clusters",
                    new JsonObject()
                        .put("name", "bad-urls")
                        .put("kubeconfig", b64(big.kubeconfig()))
                        .put("public_urls", new JsonObject().put("domain", "x.example.com")),
                    admin)
                .statusCode())
        .isEqualTo(400);
  }

  private static List<String> fields(HttpResponse<String> answer) {
    return new JsonObject(answer.body())
        .getJsonObject("data").getJsonArray("fields").stream()
            .map(f -> ((JsonObject) f).getString("field"))
            .toList();
  }

  @Test
  void kubeconfigs_that_cannot_work_unattended_are_refused_with_the_reason() {
    String exec =
        big.kubeconfig()
            .replaceAll(
                "token: .*",
                "exec: {apiVersion: client.authentication.k8s.io/v1, " + "command: aws}");
    String unreachable = big.kubeconfig().replace(big.url(), "https://127.0.0.1:1");
    String wrongToken = big.kubeconfig().replace(tokenOf(big.kubeconfig()), "not-the-token");

    assertRefused(importCluster("exec", exec, Map.of()), "exec");
    assertRefused(importCluster("far", unreachable, Map.of()), "unreachable");
    assertRefused(importCluster("wrong", wrongToken, Map.of()), "unauthorized");
    assertRefused(importCluster("garbage", "{{{ not yaml", Map.of()), "YAML");
    assertRefused(
        importCluster(
            "badurl", big.kubeconfig().replace(big.url(), "https://bad host:6443"), Map.of()),
        "malformed");
    // new credentials are checked the same way, before the cluster is looked up
    assertRefused(
        app.send(
            "PATCH",
            "/api/v1/clusters/00000000-0000-4000-8000-000000000000",
            new JsonObject().put("kubeconfig", b64(exec)),
            admin,
            Map.of()),
        "exec");

    HttpResponse<String> notBase64 =
        app.post(
            "/api/v1/clusters", new JsonObject().put("name", "x").put("kubeconfig", "%%%"), admin);
    assertThat(notBase64.statusCode()).isEqualTo(400);
    assertThat(notBase64.body()).contains("kubeconfig");
    HttpResponse<String> badName =
        app.post("/api/v1/clusters", new JsonObject().put("name", "Bad_Name"), admin);
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(badName.body()).contains("\"name\"").contains("\"kubeconfig\"");
    assertThat(app.get("/api/v1/clusters?search=exec", admin).body()).contains("\"total\":0");
  }

  @Test
  void an_import_tells_nothing_of_what_listens_at_the_address_it_names() {
    // app-service's own port answers plain HTTP (404 on /version, "unrecognized SSL message" to
    // TLS); port 1 refuses: the importer hears the same text for each, the log has the detail
    String self = java.net.URI.create(app.baseUrl()).getPort() + "";
    String httpNotKube = big.kubeconfig().replace(big.url(), "http://127.0.0.1:" + self);
    String tlsToPlain = big.kubeconfig().replace(big.url(), "https://127.0.0.1:" + self);
    String refused = big.kubeconfig().replace(big.url(), "https://127.0.0.1:1");

    for (String kubeconfig : List.of(httpNotKube, tlsToPlain, refused)) {
      assertRefusedExactly(
          importCluster("probe", kubeconfig, Map.of()), KubeconfigCheck.NO_VALID_ANSWER);
    }
  }

  @Test
  void a_server_on_a_barred_address_is_refused_on_import_and_on_patch_naming_the_field() {
    // refused by the guard before any connection: these addresses are never dialled
    String barred =
        "kubeconfig.clusters[0].cluster.server: the server's address is not allowed for clusters";
    for (String server :
        List.of(
            "https://169.254.169.254:6443", "https://10.0.0.7:6443", "https://[fd00::7]:6443")) {
      String kubeconfig = big.kubeconfig().replace(big.url(), server);
      assertRefusedExactly(importCluster("barred", kubeconfig, Map.of()), barred);
      // new credentials are checked the same way, before the cluster is looked up
      assertRefusedExactly(
          app.send(
              "PATCH",
              "/api/v1/clusters/00000000-0000-4000-8000-000000000000",
              new JsonObject().put("kubeconfig", b64(kubeconfig)),
              admin,
              Map.of()),
          barred);
    }
    assertThat(app.get("/api/v1/clusters?search=barred", admin).body()).contains("\"total\":0");
  }

  @Test
  void kubeconfigs_naming_files_on_the_servers_disk_are_refused_naming_the_field() {
    // refused from the text alone: nothing is read from the path and no connection is tried
    String caFile =
        big.kubeconfig()
            .replaceAll("certificate-authority-data: .*", "certificate-authority: /etc/hostname");
    String tokenFile = big.kubeconfig().replaceAll("token: .*", "tokenFile: /etc/hostname");
    String certFile =
        big.kubeconfig()
            .replaceAll(
                "token: .*", "client-certificate: /etc/hostname\n    client-key-data: AAAA");
    String keyFile =
        big.kubeconfig()
            .replaceAll(
                "token: .*", "client-certificate-data: AAAA\n    client-key: /etc/hostname");

    assertRefusedExactly(
        importCluster("ca-file", caFile, Map.of()),
        "kubeconfig.clusters[0].cluster.certificate-authority: file paths are not accepted;"
            + " embed certificate-authority-data");
    assertRefusedExactly(
        importCluster("token-file", tokenFile, Map.of()),
        "kubeconfig.users[0].user.tokenFile: file paths are not accepted; embed token");
    assertRefusedExactly(
        importCluster("cert-file", certFile, Map.of()),
        "kubeconfig.users[0].user.client-certificate: file paths are not accepted;"
            + " embed client-certificate-data");
    assertRefusedExactly(
        importCluster("key-file", keyFile, Map.of()),
        "kubeconfig.users[0].user.client-key: file paths are not accepted;"
            + " embed client-key-data");
    // new credentials are checked the same way
    assertRefusedExactly(
        app.send(
            "PATCH",
            "/api/v1/clusters/00000000-0000-4000-8000-000000000000",
            new JsonObject().put("kubeconfig", b64(caFile)),
            admin,
            Map.of()),
        "kubeconfig.clusters[0].cluster.certificate-authority: file paths are not accepted;"
            + " embed certificate-authority-data");
    assertThat(app.get("/api/v1/clusters?search=file", admin).body()).contains("\"total\":0");
  }

  @Test
  void a_kubeconfig_lacking_required_rights_is_refused_naming_them() {
    small.credential().deny("create", "deployments.apps").deny("watch", "events");
    try {
      HttpResponse<String> refused = importCluster("restricted", small.kubeconfig(), Map.of());
      assertRefused(refused, "missing rights");
      assertThat(new JsonObject(refused.body()).getString("message"))
          .isEqualTo(
              "missing rights: watch events (cluster-wide), create deployments.apps in"
                  + " astro-user-*");
      // an optional right (logs) does not block the import
      small.credential().allowAll().deny("get", "pods/log");
      assertThat(importCluster("restricted", small.kubeconfig(), Map.of()).statusCode())
          .isEqualTo(201);
    } finally {
      small.credential().allowAll();
    }
  }

  @Test
  void only_operators_manage_clusters_and_names_are_unique() {
    HttpResponse<String> asUser =
        app.post(
            "/api/v1/clusters",
            new JsonObject().put("name", "mine"),
            app.token(USERS.incrementAndGet()));
    assertThat(asUser.statusCode()).isEqualTo(403);
    assertThat(code(asUser)).isEqualTo(10003);
    assertThat(app.get("/api/v1/clusters", app.token(USERS.incrementAndGet())).statusCode())
        .isEqualTo(403);

    assertThat(importCluster("twice", small.kubeconfig(), Map.of()).statusCode()).isEqualTo(201);
    HttpResponse<String> again = importCluster("twice", small.kubeconfig(), Map.of());
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(again.body()))
        .isEqualTo(
            new JsonObject()
                .put("code", 22002)
                .put("message", "a cluster named twice exists")
                .put("data", new JsonObject().put("field", "name")));
  }

  @Test
  void a_cluster_that_does_not_exist_answers_the_same_404_on_every_route() {
    String base = "/api/v1/clusters/00000000-0000-4000-8000-000000000000";
    List<HttpResponse<String>> answers =
        List.of(
            app.get(base, admin),
            app.send("PATCH", base, new JsonObject().put("description", "x"), admin, Map.of()),
            app.post(base + "/sync", null, admin),
            app.send("DELETE", base, null, admin, Map.of()),
            app.send("DELETE", base + "?force=true", null, admin, Map.of()));
    for (HttpResponse<String> answer : answers) {
      assertThat(answer.statusCode()).as(answer.uri().toString()).isEqualTo(404);
      assertThat(answer.body())
          .isEqualTo("{\"code\":22001,\"message\":\"cluster not found\",\"data\":null}");
    }
  }

  @Test
  void lists_show_health_from_the_status_topic_and_filter_by_status_label_and_name() {
    String id =
        data(importCluster("listed", small.kubeconfig(), Map.of("region", "eu"))).getString("id");
    publishHealth("listed", "healthy", 6.0, Instant.now());

    JsonObject shown = awaitCluster(id, c -> "healthy".equals(c.getString("status")));
    assertThat(shown.getInteger("nodes")).isEqualTo(2);
    assertThat(shown.getDouble("cpu_cores")).isEqualTo(6.0);
    assertThat(shown.getString("version")).isEqualTo("v1.31.1");
    assertThat(shown.getString("last_heartbeat")).isNotNull();

    // an older check arriving late changes nothing
    publishHealth("listed", "unhealthy", 1.0, Instant.now().minusSeconds(600));
    assertThat(
            data(app.get("/api/v1/clusters?label=region=eu&status=healthy&search=list", admin))
                .getJsonArray("items"))
        .hasSize(1);
    assertThat(data(app.get("/api/v1/clusters?label=region=us", admin)).getLong("total")).isZero();
    assertThat(app.get("/api/v1/clusters?status=sleepy", admin).statusCode()).isEqualTo(400);
    assertThat(app.get("/api/v1/clusters?label=novalue", admin).statusCode()).isEqualTo(400);
  }

  @Test
  void a_users_first_app_goes_to_the_emptier_healthy_cluster_and_the_next_ones_follow_it() {
    String roomy =
        data(importCluster("roomy", big.kubeconfig(), Map.of("tier", "shared"))).getString("id");
    String tight =
        data(importCluster("tight", small.kubeconfig(), Map.of("tier", "shared"))).getString("id");
    data(importCluster("private", small.kubeconfig(), Map.of("tier", "private")));
    publishHealth("roomy", "healthy", 64.0, Instant.now());
    publishHealth("tight", "healthy", 2.0, Instant.now());
    publishHealth("private", "healthy", 500.0, Instant.now());
    awaitCluster(roomy, c -> "healthy".equals(c.getString("status")));
    awaitCluster(tight, c -> "healthy".equals(c.getString("status")));

    String user = app.token(USERS.incrementAndGet());
    JsonObject first = app.create(user, "first", "nginx:1.27", 1);
    assertThat(first.getString("cluster")).isEqualTo("roomy");
    // capacity figures and placement labels stay with the operator
    assertThat(first.getString("placement"))
        .isEqualTo("the healthy cluster with the most free CPU");

    publishHealth("roomy", "healthy", 1.0, Instant.now());
    awaitCluster(roomy, c -> c.getDouble("cpu_cores") == 1.0);
    JsonObject second = app.create(user, "second", "nginx:1.27", 1);
    assertThat(second.getString("cluster")).isEqualTo("roomy");
    assertThat(second.getString("placement")).isEqualTo("with the user's other apps");

    // a cluster going unhealthy shows its apps unknown, and they come back with it
    publishHealth("roomy", "unhealthy", 1.0, Instant.now());
    JsonObject unknown =
        app.awaitApp(
            first.getString("id"), user, r -> "unknown".equals(data(r).getString("status")));
    assertThat(unknown.getString("reason")).isEqualTo("ClusterUnhealthy");
    // the cluster's own error is for operators
    assertThat(unknown.getString("message"))
        .isEqualTo("its cluster is not answering; the app's status is unknown until it does");
    assertThat(unknown.getBoolean("stale")).isTrue();
    publishHealth("roomy", "healthy", 1.0, Instant.now());
    JsonObject back =
        app.awaitApp(
            first.getString("id"), user, r -> "pending".equals(data(r).getString("status")));
    assertThat(back.getBoolean("stale")).isFalse();

    // delete is refused while apps live there; force marks them unknown
    HttpResponse<String> refused =
        app.send("DELETE", "/api/v1/clusters/" + roomy, null, admin, Map.of());
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(code(refused)).isEqualTo(22004);
    assertThat(new JsonObject(refused.body()).getString("message"))
        .matches("\\d+ live apps are placed on roomy; move or delete them, or pass force=true");
    assertThat(
            app.send("DELETE", "/api/v1/clusters/" + roomy + "?force=true", null, admin, Map.of())
                .statusCode())
        .isEqualTo(202);
    assertThat(app.get("/api/v1/clusters/" + roomy, admin).statusCode()).isEqualTo(404);
    assertThat(
            kafka.awaitRecords(
                clustersTopic, 1, r -> "roomy".equals(r.key()) && r.value() == null, WAIT))
        .hasSize(1);
  }

  @Test
  void a_new_user_gets_503_when_no_healthy_cluster_carries_the_placement_labels() {
    try (RunningAppService picky =
        RunningAppService.start(
            database,
            kafka.bootstrapServers(),
            Map.of(
                "ASTRO_KUBECONFIG_KEYS",
                KEY_1,
                "ASTRO_PLACEMENT_LABELS",
                "tier=gpu",
                "ASTRO_CLUSTERS_TOPIC",
                clustersTopic,
                "ASTRO_CLUSTER_STATUS_TOPIC",
                statusTopic))) {
      HttpResponse<String> imported =
          picky.post(
              "/api/v1/clusters",
              new JsonObject()
                  .put("name", "cpu-only")
                  .put("kubeconfig", b64(small.kubeconfig()))
                  .put("labels", new JsonObject().put("tier", "cpu")),
              picky.adminToken(1));
      assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);

      HttpResponse<String> answer =
          picky.post(
              "/api/v1/apps",
              new JsonObject().put("name", "nowhere").put("image", "nginx:1.27"),
              picky.token(USERS.incrementAndGet()));
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
      assertThat(code(answer)).isEqualTo(22005);
      assertThat(new JsonObject(answer.body()).getString("message"))
          .isEqualTo("no cluster can take new apps now; try again later");
    }
  }

  @Test
  void rotated_credentials_and_keys_are_announced_and_reencrypt_moves_rows_to_the_new_key()
      throws Exception {
    String id = data(importCluster("rotating", big.kubeconfig(), Map.of())).getString("id");
    HttpResponse<String> patched =
        app.send(
            "PATCH",
            "/api/v1/clusters/" + id,
            new JsonObject().put("kubeconfig", b64(small.kubeconfig())).put("description", "moved"),
            admin,
            Map.of());
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    assertThat(data(patched).getLong("revision")).isEqualTo(2);
    assertThat(data(patched).getString("api_server")).isEqualTo(small.url());
    assertThat(
            app.send(
                    "PATCH",
                    "/api/v1/clusters/" + id,
                    new JsonObject().put("name", "renamed"),
                    admin,
                    Map.of())
                .statusCode())
        .isEqualTo(400);

    String key2 = KeyRing.generateSpec("k2");
    try (RunningAppService rotated =
        RunningAppService.start(
            database,
            kafka.bootstrapServers(),
            env(key2 + "," + KEY_1, KafkaBroker.uniqueTopicName("astro.app.commands")))) {
      String rotatedAdmin = rotated.adminToken(1);
      HttpResponse<String> moved =
          rotated.post("/api/v1/clusters/reencrypt", new JsonObject(), rotatedAdmin);
      assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
      assertThat(data(moved).getInteger("reencrypted")).isPositive();
      assertThat(storedKubeconfig("rotating")).startsWith("v1.k2.");
      ReceivedRecord latest =
          kafka.awaitRecords(clustersTopic, 3, r -> "rotating".equals(r.key()), WAIT).get(2);
      assertThat(opened(KeyRing.fromSpec(key2), latest)).isEqualTo(small.kubeconfig());
    }
  }

  @Test
  void a_kubeconfig_sealed_with_the_name_alone_still_opens_and_reencrypt_binds_it()
      throws Exception {
    String id = data(importCluster("legacy", big.kubeconfig(), Map.of())).getString("id");
    // as sealed before the cluster id and revision were bound in
    sealStored(id, KeyRing.fromSpec(KEY_1).seal("legacy", big.kubeconfig()));
    // a change opens it (legacy values are accepted by default) and seals it bound
    HttpResponse<String> synced = app.post("/api/v1/clusters/" + id + "/sync", null, admin);
    assertThat(synced.statusCode()).as(synced.body()).isEqualTo(202);
    ReceivedRecord afterSync =
        kafka.awaitRecords(clustersTopic, 2, r -> "legacy".equals(r.key()), WAIT).get(1);
    assertThat(opened(KeyRing.fromSpec(KEY_1), afterSync)).isEqualTo(big.kubeconfig());

    sealStored(id, KeyRing.fromSpec(KEY_1).seal("legacy", big.kubeconfig()));
    HttpResponse<String> moved = app.post("/api/v1/clusters/reencrypt", new JsonObject(), admin);
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    assertThat(data(moved).getInteger("reencrypted")).isPositive();
    ReceivedRecord bound =
        kafka.awaitRecords(clustersTopic, 3, r -> "legacy".equals(r.key()), WAIT).get(2);
    assertThat(opened(KeyRing.fromSpec(KEY_1), bound)).isEqualTo(big.kubeconfig());
  }

  @Test
  void a_stored_kubeconfig_no_key_opens_asks_for_it_again_and_a_patch_bringing_it_heals()
      throws Exception {
    String id = data(importCluster("unopenable", big.kubeconfig(), Map.of())).getString("id");
    sealStored(
        id, KeyRing.fromSpec(KeyRing.generateSpec("gone")).seal("unopenable", big.kubeconfig()));

    for (HttpResponse<String> refused :
        List.of(
            app.post("/api/v1/clusters/" + id + "/sync", null, admin),
            app.send(
                "PATCH",
                "/api/v1/clusters/" + id,
                new JsonObject().put("description", "x"),
                admin,
                Map.of()))) {
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
      assertThat(new JsonObject(refused.body()).getJsonObject("data").getString("field"))
          .isEqualTo("kubeconfig");
    }
    HttpResponse<String> healed =
        app.send(
            "PATCH",
            "/api/v1/clusters/" + id,
            new JsonObject().put("kubeconfig", b64(big.kubeconfig())),
            admin,
            Map.of());
    assertThat(healed.statusCode()).as(healed.body()).isEqualTo(200);
    assertThat(app.post("/api/v1/clusters/" + id + "/sync", null, admin).statusCode())
        .isEqualTo(202);
  }

  private static void sealStored(String id, String sealed) throws SQLException {
    try (Connection c =
        DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      try (var update = c.prepareStatement("UPDATE clusters SET kubeconfig = ? WHERE id = ?")) {
        update.setString(1, sealed);
        update.setString(2, id);
        update.executeUpdate();
      }
    }
  }

  /** A record's kubeconfig, opened as the sync-worker does with legacy values refused. */
  private static String opened(KeyRing keys, ReceivedRecord record) {
    JsonObject data =
        EventCodec.data(EventCodec.decode(record.value().getBytes(StandardCharsets.UTF_8)));
    return SealedKubeconfig.open(
        keys,
        data.getString("clusterId"),
        data.getString("name"),
        data.getLong("revision"),
        data.getString("kubeconfig"),
        false);
  }

  private static void assertRefused(HttpResponse<String> answer, String reason) {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
    assertThat(code(answer)).isEqualTo(22003);
    assertThat(new JsonObject(answer.body()).getString("message")).containsIgnoringCase(reason);
    assertThat(data(answer)).isEqualTo(new JsonObject().put("field", "kubeconfig"));
    assertThat(answer.body()).doesNotContain(tokenOf(big.kubeconfig()));
  }

  private static void assertRefusedExactly(HttpResponse<String> answer, String message) {
    assertRefused(answer, message);
    assertThat(new JsonObject(answer.body()).getString("message")).isEqualTo(message);
  }

  private static HttpResponse<String> importCluster(
      String name, String kubeconfig, Map<String, String> labels) {
    return app.post(
        "/api/v1/clusters",
        new JsonObject()
            .put("name", name)
            .put("description", "test cluster")
            .put("kubeconfig", b64(kubeconfig))
            .put("labels", new JsonObject(new HashMap<>(labels))),
        admin);
  }

  private static JsonObject awaitCluster(
      String id, java.util.function.Predicate<JsonObject> condition) {
    return Eventually.await(
        "cluster " + id + " to match",
        WAIT,
        () -> data(app.get("/api/v1/clusters/" + id, admin)),
        condition);
  }

  private static void publishHealth(String name, String status, double cores, Instant checkedAt) {
    JsonObject data =
        new JsonObject()
            .put("name", name)
            .put("status", status)
            .put("version", "v1.31.1")
            .put("apiServer", "https://127.0.0.1:6443")
            .put("nodes", 2)
            .put("readyNodes", 2)
            .put("cpuCores", cores)
            .put("memoryBytes", 34359738368L)
            .put("heartbeatAt", "healthy".equals(status) ? checkedAt.toString() : null)
            .put("error", "healthy".equals(status) ? null : "API server does not answer")
            .put("checkedAt", checkedAt.toString());
    String value =
        new String(
            EventCodec.encode(
                EventCodec.create("io.astro.cluster.status.v1", "/astro/sync-worker", name, data)),
            StandardCharsets.UTF_8);
    EventSchemas.assertValid("io.astro.cluster.status.v1", value);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "value.serializer", "org.apache.kafka.common.serialization.StringSerializer"))) {
      producer.send(new ProducerRecord<>(statusTopic, name, value)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("cannot publish a health check", e);
    }
  }

  private static String storedKubeconfig(String name) throws Exception {
    try (Connection c =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT kubeconfig FROM clusters WHERE deleted_at IS NULL AND name = '"
                        + name
                        + "'")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static String tokenOf(String kubeconfig) {
    Matcher m = Pattern.compile("token: (\\S+)").matcher(kubeconfig);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
