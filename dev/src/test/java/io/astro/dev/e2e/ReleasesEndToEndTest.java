package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.astro.common.events.Topics;
import io.astro.common.kube.KubeNames;
import io.astro.dev.Databases;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.kafka.ReceivedRecord;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1LocalObjectReference;
import io.kubernetes.client.openapi.models.V1Secret;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * An app's life through releases, through the gateway only: created with env, a secret, a size and
 * an http health check; its image updated (release 2, {@code updating} then {@code running}, the
 * old pods gone); updated to an image that crashes ({@code failed}/{@code RolloutFailed} while
 * release 2 still serves); rolled back to 2 (release 4, {@code running}). The secret's value is in
 * the cluster's Secret and nowhere else: not in an answer, a log line, a Kafka record or a table.
 */
class ReleasesEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  /** Every line the services log while this class runs (they run in this JVM). */
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  private static final String SECRET = "e2e-release-secret-5d2f";
  private static final String PASSWORD = "e2e-release-registry-9a4e";
  private static final String CRASHING = "nginx:1.27-crashes";

  @BeforeAll
  static void captureLogs() {
    LOGS.start();
    root().addAppender(LOGS);
  }

  @AfterAll
  static void releaseLogs() {
    root().detachAppender(LOGS);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void an_app_is_updated_fails_a_rollout_and_is_rolled_back_while_it_keeps_serving() {
    Gateway api = astro.gateway();
    User lin = api.newUser("lin");
    List<Answer> answers = new ArrayList<>();
    astro.cluster().simulator().crashImage(CRASHING);

    JsonObject created =
        api.create(
            lin,
            new JsonObject()
                .put("name", "shop")
                .put("image", "nginx:1.27")
                .put("port", 80)
                .put("size", "small")
                .put("env", new JsonObject().put("SHOP_MODE", "live"))
                .put("secrets", new JsonObject().put("STRIPE_KEY", SECRET))
                .put(
                    "health_check",
                    new JsonObject()
                        .put("type", "http")
                        .put("path", "/")
                        .put("port", 80)
                        // the new pod stays unready a moment: the rollout is seen updating
                        .put("initial_delay_seconds", 2)));
    String id = created.getString("id");
    String namespace = created.getString("namespace");
    String k8sName = created.getString("k8s_name");
    JsonObject first = api.awaitRunning(lin, id, 1);
    List<String> firstPods = Gateway.podNames(first);
    answers.add(api.get("/api/v1/apps/" + id, lin.token()));

    // the Deployment carries the release: env, a reference to the Secret, the size, the probes
    V1Container container = container(astro.deployment(namespace, k8sName));
    assertThat(container.getEnv())
        .extracting(V1EnvVar::getName)
        .containsExactlyInAnyOrder("SHOP_MODE", "STRIPE_KEY");
    V1EnvVar secretRef =
        container.getEnv().stream().filter(e -> e.getName().equals("STRIPE_KEY")).findFirst().get();
    assertThat(secretRef.getValue()).isNull();
    assertThat(secretRef.getValueFrom().getSecretKeyRef().getName())
        .isEqualTo(KubeNames.envSecret(k8sName));
    assertThat(secretRef.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("STRIPE_KEY");
    assertThat(new String(secret(namespace, KubeNames.envSecret(k8sName)), StandardCharsets.UTF_8))
        .isEqualTo(SECRET);
    assertThat(container.getResources().getLimits().get("memory").toSuffixedString())
        .isEqualTo("256Mi");
    assertThat(container.getResources().getLimits().get("cpu").toSuffixedString())
        .isEqualTo("250m");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getIntValue()).isEqualTo(80);
    assertThat(container.getStartupProbe()).isNotNull();

    // release 2: a new image rolls while release 1 serves, then release 1's pods are gone
    Answer updated = patch(api, lin, id, new JsonObject().put("image", "nginx:1.28"));
    answers.add(updated);
    assertThat(updated.status()).as(updated.body()).isEqualTo(202);
    assertThat(updated.data().getLong("release")).isEqualTo(2);
    JsonObject second =
        api.awaitApp(
            lin,
            id,
            "release 2 running alone",
            app ->
                "running".equals(app.getString("status"))
                    && app.getLong("observed_release") == 2
                    && app.getInteger("ready_replicas", -1) == 1
                    && app.getJsonArray("pods").size() == 1);
    assertThat(Gateway.podNames(second)).doesNotContainAnyElementsOf(firstPods);
    assertThat(container(astro.deployment(namespace, k8sName)).getImage()).isEqualTo("nginx:1.28");
    assertThat(statusesOf(api, lin, id)).containsSubsequence("updating", "running");

    // release 3 crashes: the rollout fails, release 2's pod keeps serving
    Answer broken = patch(api, lin, id, new JsonObject().put("image", CRASHING));
    answers.add(broken);
    assertThat(broken.data().getLong("release")).isEqualTo(3);
    JsonObject failed =
        api.awaitApp(
            lin,
            id,
            "failed rollout",
            app -> "failed".equals(app.getString("status")) && app.getLong("generation") == 3);
    assertThat(failed.getString("reason")).isEqualTo("RolloutFailed");
    assertThat(failed.getString("message")).startsWith("CrashLoopBackOff");
    assertThat(failed.getLong("observed_release")).isEqualTo(2);
    assertThat(failed.getInteger("ready_replicas")).isEqualTo(1);
    assertThat(Gateway.podNames(failed)).containsAll(Gateway.podNames(second));

    // rollback to 2 is release 4, running
    Answer rollback =
        api.post(
            "/api/v1/apps/" + id + "/rollback", lin.token(), new JsonObject().put("release", 2));
    answers.add(rollback);
    assertThat(rollback.status()).as(rollback.body()).isEqualTo(202);
    assertThat(rollback.data().getLong("release")).isEqualTo(4);
    api.awaitApp(
        lin,
        id,
        "release 4 running",
        app -> "running".equals(app.getString("status")) && app.getLong("observed_release") == 4);
    assertThat(container(astro.deployment(namespace, k8sName)).getImage()).isEqualTo("nginx:1.28");

    Answer releases = api.get("/api/v1/apps/" + id + "/releases", lin.token());
    answers.add(releases);
    assertThat(releases.items().stream().map(r -> ((JsonObject) r).getLong("number")))
        .containsExactly(4L, 3L, 2L, 1L);
    assertThat(releases.items().stream().map(r -> ((JsonObject) r).getString("status")))
        .containsExactly("active", "failed", "superseded", "superseded");
    answers.add(api.get("/api/v1/apps/" + id + "/events", lin.token()));
    answers.add(api.get("/api/v1/apps", lin.token()));

    assertThat(answers).allSatisfy(a -> assertThat(a.body()).doesNotContain(SECRET));
    assertNowhereButTheCluster(SECRET, id);
  }

  @Test
  void a_private_registry_credential_becomes_the_apps_image_pull_secret() {
    Gateway api = astro.gateway();
    User kim = api.newUser("kim");
    Answer registry =
        api.post(
            "/api/v1/registries",
            kim.token(),
            new JsonObject()
                .put("name", "corp")
                .put("server", "registry.corp.example:5000")
                .put("username", "kim")
                .put("password", PASSWORD));
    assertThat(registry.status()).as(registry.body()).isEqualTo(201);

    JsonObject app =
        api.create(
            kim,
            new JsonObject()
                .put("name", "tool")
                .put("image", "nginx:1.27")
                .put("image_pull_secret", "corp"));
    String id = app.getString("id");
    String namespace = app.getString("namespace");
    String k8sName = app.getString("k8s_name");
    api.awaitRunning(kim, id, 1);

    V1Deployment deployment = astro.deployment(namespace, k8sName);
    assertThat(deployment.getSpec().getTemplate().getSpec().getImagePullSecrets())
        .extracting(V1LocalObjectReference::getName)
        .containsExactly(KubeNames.pullSecret(k8sName));
    JsonObject dockerConfig =
        new JsonObject(
            new String(
                secret(namespace, KubeNames.pullSecret(k8sName), ".dockerconfigjson"),
                StandardCharsets.UTF_8));
    assertThat(
            dockerConfig
                .getJsonObject("auths")
                .getJsonObject("registry.corp.example:5000")
                .getString("password"))
        .isEqualTo(PASSWORD);
    assertThat(api.get("/api/v1/registries", kim.token()).body()).doesNotContain(PASSWORD);
    assertNowhereButTheCluster(PASSWORD, id);
  }

  private static Answer patch(Gateway api, User user, String id, JsonObject body) {
    return api.send(
        "PATCH",
        "/api/v1/apps/" + id,
        user.token(),
        body.encode(),
        Map.of("Content-Type", "application/merge-patch+json"));
  }

  /** The app's status history, oldest first. */
  private static List<String> statusesOf(Gateway api, User user, String id) {
    return api.get("/api/v1/apps/" + id + "/events?limit=100", user.token()).items().stream()
        .map(JsonObject.class::cast)
        .filter(e -> "status".equals(e.getString("kind")))
        .sorted(Comparator.comparing((JsonObject e) -> e.getLong("id")))
        .map(e -> e.getString("status"))
        .toList();
  }

  private static V1Container container(V1Deployment deployment) {
    assertThat(deployment).isNotNull();
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static byte[] secret(String namespace, String name) {
    V1Secret secret = readSecret(namespace, name);
    return secret.getData().values().iterator().next();
  }

  private static byte[] secret(String namespace, String name, String key) {
    return readSecret(namespace, name).getData().get(key);
  }

  private static V1Secret readSecret(String namespace, String name) {
    try {
      return new CoreV1Api(astro.kube().apiClient())
          .readNamespacedSecret(name, namespace)
          .execute();
    } catch (ApiException e) {
      throw new IllegalStateException("reading secret " + namespace + "/" + name, e);
    }
  }

  /**
   * The value is in no record of the app's topics, no row of any table of either database, and no
   * line the services logged.
   */
  private static void assertNowhereButTheCluster(String value, String appId) {
    for (String topic : List.of(Topics.APP_COMMANDS, Topics.APP_STATUS)) {
      List<ReceivedRecord> records =
          astro.kafka().awaitRecords(topic, 1, r -> appId.equals(r.key()), Duration.ofSeconds(30));
      assertThat(records)
          .allSatisfy(r -> assertThat(String.valueOf(r.value())).doesNotContain(value));
    }
    for (String database : List.of(Databases.APPS, Databases.USERS)) {
      assertThat(dump(database)).as(database).doesNotContain(value);
    }
    assertThat(List.copyOf(LOGS.list))
        .isNotEmpty()
        .noneSatisfy(
            e -> {
              assertThat(e.getFormattedMessage()).contains(value);
            });
    assertThat(LOGS.list.stream().map(ILoggingEvent::getThrowableProxy))
        .noneMatch(t -> t != null && String.valueOf(t.getMessage()).contains(value));
  }

  /** Every row of every table, as text. */
  private static String dump(String database) {
    StringBuilder all = new StringBuilder();
    try (Connection c = astro.database(database);
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rows = s.executeQuery("SHOW TABLES")) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
      for (String table : tables) {
        try (ResultSet rows = s.executeQuery("SELECT * FROM `" + table + "`")) {
          int columns = rows.getMetaData().getColumnCount();
          while (rows.next()) {
            for (int i = 1; i <= columns; i++) {
              all.append(rows.getString(i)).append('\t');
            }
            all.append('\n');
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("dumping " + database + ": " + e.getMessage(), e);
    }
    return all.toString();
  }
}
