package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.astro.common.crypto.KeyRing;
import io.astro.common.events.app.AppCommand;
import io.astro.common.kube.KubeNames;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kafka.ReceivedRecord;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Secret;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Releases as the sync-worker applies them (docs/apps.md): each rolls with the previous release
 * serving, the status says {@code updating} and then which release the pods run; a release that
 * never becomes available fails the rollout and leaves the previous one serving; secret variables
 * and registry credentials are opened only here, written as the app's Secrets, and never show in a
 * log line or a status event; v1 commands still on the topic are applied.
 */
@ExtendWith(KafkaExtension.class)
class ReleasesTest {

  /** Short, so a failed rollout is seen quickly; long enough for a healthy one on the fake. */
  private static final String ROLLOUT_DEADLINE = "8";

  /** The key ring commands are sealed with, shared by app-service and the worker. */
  private static final String KEY_SPEC = KeyRing.generateSpec("k1");

  private static final KeyRing KEYS = KeyRing.fromSpec(KEY_SPEC);
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  private static SyncWorkerFixture fx;
  private static CoreV1Api core;

  @BeforeAll
  static void start(KafkaBroker broker) {
    LOGS.start();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
    fx =
        new SyncWorkerFixture(broker, 1)
            .startWorker(
                Map.of(
                    "ASTRO_KUBECONFIG_KEYS", KEY_SPEC,
                    "ASTRO_ROLLOUT_DEADLINE", ROLLOUT_DEADLINE,
                    // Secrets are not watched: a resync is what finds one deleted by hand
                    "ASTRO_INFORMER_RESYNC", "2s"));
    core = new CoreV1Api(fx.kube(0).apiClient());
  }

  @AfterAll
  static void stop() {
    fx.close();
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
  }

  @Test
  void a_new_release_rolls_as_updating_then_runs_with_its_release_observed() {
    Commands.App app = new Commands.App(61, "rolls", fx.clusterName(0));
    fx.commands.send(app, "create");
    assertThat(fx.awaitStatus(app, "running").getLong("observedRelease")).isEqualTo(1);

    app.image = "registry.example.com/web:2";
    app.release = Commands.release(2);
    fx.commands.send(app, "update");

    JsonObject running =
        fx.awaitStatus(
            app,
            d ->
                "running".equals(d.getString("status"))
                    && d.getLong("observedGeneration") == app.generation
                    && d.getLong("observedRelease") == 2);
    assertThat(running.getInteger("readyReplicas")).isEqualTo(1);
    // while the new pod came up the previous release served, and the status said so
    assertThat(fx.statuses(app, 3))
        .anySatisfy(
            d -> {
              assertThat(d.getString("status")).isEqualTo("updating");
              assertThat(d.getLong("observedGeneration")).isEqualTo(app.generation);
              assertThat(d.getLong("observedRelease")).isEqualTo(1);
            });
    V1Deployment deployment = fx.deployment(0, app);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry(KubeNames.RELEASE_ANNOTATION, "2");
    assertThat(
            deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntValue())
        .isZero();
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntValue())
        .isEqualTo(1);
    assertThat(deployment.getSpec().getProgressDeadlineSeconds())
        .isEqualTo(Integer.parseInt(ROLLOUT_DEADLINE));
  }

  @Test
  void a_release_whose_pods_never_become_ready_fails_the_rollout_and_the_previous_one_serves()
      throws Exception {
    Commands.App app = new Commands.App(62, "crashes", fx.clusterName(0));
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");

    app.image = "registry.example.com/crash:2";
    fx.cluster(0).simulator().crashImage(app.image);
    app.release = Commands.release(2);
    fx.commands.send(app, "update");

    JsonObject failed =
        fx.awaitStatus(
            app,
            d ->
                "failed".equals(d.getString("status"))
                    && d.getLong("observedGeneration") == app.generation);
    assertThat(failed.getString("reason")).isEqualTo("RolloutFailed");
    assertThat(failed.getString("message")).startsWith("CrashLoopBackOff: back-off");
    assertThat(failed.getLong("observedRelease")).isEqualTo(1);
    // before the deadline the crash was a rollout in progress, not yet a failure
    assertThat(fx.statuses(app, 3))
        .anySatisfy(
            d -> {
              assertThat(d.getString("status")).isEqualTo("updating");
              assertThat(d.getString("reason")).isEqualTo("CrashLoopBackOff");
            });
    // release 1's pod still runs and is ready
    List<V1Pod> pods =
        core.listNamespacedPod(app.namespace())
            .labelSelector(KubeNames.APP_ID_LABEL + "=" + app.id)
            .execute()
            .getItems();
    assertThat(pods)
        .anySatisfy(
            p -> {
              assertThat(p.getMetadata().getAnnotations())
                  .containsEntry(KubeNames.RELEASE_ANNOTATION, "1");
              assertThat(p.getStatus().getConditions())
                  .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            });
  }

  @Test
  void a_release_whose_health_check_never_passes_fails_the_rollout_with_the_pods_readiness() {
    Commands.App app = new Commands.App(69, "unhealthy", fx.clusterName(0));
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");

    app.image = "registry.example.com/silent:2";
    fx.cluster(0).simulator().failProbes(app.image);
    app.release =
        new AppCommand.Release(
            2,
            new TreeMap<>(),
            List.of(),
            null,
            null,
            null,
            null,
            new AppCommand.HealthCheck("http", "/healthz", 8080, 0, 1, 1, 3),
            null);
    fx.commands.send(app, "update");

    JsonObject failed =
        fx.awaitStatus(
            app,
            d ->
                "failed".equals(d.getString("status"))
                    && d.getLong("observedGeneration") == app.generation);
    assertThat(failed.getString("reason")).isEqualTo("RolloutFailed");
    assertThat(failed.getString("message"))
        .isEqualTo("ContainersNotReady: containers with unready status: [app]");
    assertThat(failed.getLong("observedRelease")).isEqualTo(1);
    assertThat(failed.getInteger("readyReplicas")).isEqualTo(1);
  }

  @Test
  void secret_variables_become_the_env_secret_and_never_show_in_logs_or_status_events()
      throws Exception {
    String value = "s3cr3t-" + System.nanoTime();
    Commands.App app = new Commands.App(63, "secrets", fx.clusterName(0));
    app.release =
        Commands.release(1, app, KEYS, Map.of("MODE", "prod"), Map.of("DB_PASSWORD", value), null);
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");

    V1Secret secret = secret(app, KubeNames.envSecret(app.k8sName()));
    assertThat(secret.getType()).isEqualTo("Opaque");
    assertThat(new String(secret.getData().get("DB_PASSWORD"), StandardCharsets.UTF_8))
        .isEqualTo(value);
    assertThat(secret.getMetadata().getLabels()).containsEntry(KubeNames.APP_ID_LABEL, app.id);
    assertThat(JSON.serialize(secret.getMetadata()))
        .doesNotContain(value)
        .doesNotContain(b64(value));

    V1Container container =
        fx.deployment(0, app).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getEnv())
        .extracting(V1EnvVar::getName)
        .containsExactly("MODE", "DB_PASSWORD");
    V1EnvVar ref = container.getEnv().get(1);
    assertThat(ref.getValue()).isNull();
    assertThat(ref.getValueFrom().getSecretKeyRef().getName())
        .isEqualTo(KubeNames.envSecret(app.k8sName()));
    assertThat(ref.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("DB_PASSWORD");
    assertThat(JSON.serialize(fx.deployment(0, app))).doesNotContain(value);

    // a new value (sealed anew) replaces the Secret
    String changed = value + "-2";
    app.release =
        Commands.release(
            2, app, KEYS, Map.of("MODE", "prod"), Map.of("DB_PASSWORD", changed), null);
    fx.commands.send(app, "update");
    SyncWorkerFixture.await(
        "the Secret holds the new value",
        () ->
            changed.equals(
                new String(
                    secret(app, KubeNames.envSecret(app.k8sName())).getData().get("DB_PASSWORD"),
                    StandardCharsets.UTF_8)));
    fx.awaitStatus(app, d -> d.getLong("observedRelease") == 2);

    for (ReceivedRecord status :
        fx.broker.awaitRecords(
            fx.statusTopic, 1, r -> app.id.equals(r.key()), SyncWorkerFixture.WAIT)) {
      assertThat(status.value()).doesNotContain(value).doesNotContain(b64(value));
    }
    assertThat(logLines()).noneMatch(line -> line.contains(value) || line.contains(b64(value)));
  }

  @Test
  void a_registry_credential_becomes_the_pull_secret_named_in_image_pull_secrets()
      throws Exception {
    String dockerConfig =
        "{\"auths\":{\"registry.example.com\":{\"auth\":\""
            + b64("robot:pw-" + System.nanoTime())
            + "\"}}}";
    Commands.App app = new Commands.App(64, "private", fx.clusterName(0));
    app.release = Commands.release(1, app, KEYS, Map.of(), Map.of(), dockerConfig);
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");

    V1Secret pull = secret(app, KubeNames.pullSecret(app.k8sName()));
    assertThat(pull.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
    assertThat(new String(pull.getData().get(".dockerconfigjson"), StandardCharsets.UTF_8))
        .isEqualTo(dockerConfig);
    assertThat(fx.deployment(0, app).getSpec().getTemplate().getSpec().getImagePullSecrets())
        .singleElement()
        .satisfies(r -> assertThat(r.getName()).isEqualTo(KubeNames.pullSecret(app.k8sName())));
    assertThat(logLines()).noneMatch(line -> line.contains(dockerConfig));
  }

  @Test
  void secrets_a_release_drops_are_removed_and_a_deleted_app_leaves_none() throws Exception {
    Commands.App app = new Commands.App(65, "drops", fx.clusterName(0));
    app.release =
        Commands.release(1, app, KEYS, Map.of(), Map.of("TOKEN", "t0ken"), "{\"auths\":{}}");
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    assertThat(fx.secret(0, app, KubeNames.envSecret(app.k8sName()))).isNotNull();

    app.release = Commands.release(2);
    fx.commands.send(app, "update");
    SyncWorkerFixture.await(
        "both Secrets removed",
        () ->
            fx.secret(0, app, KubeNames.envSecret(app.k8sName())) == null
                && fx.secret(0, app, KubeNames.pullSecret(app.k8sName())) == null);
    assertThat(fx.deployment(0, app).getSpec().getTemplate().getSpec().getImagePullSecrets())
        .isNullOrEmpty();

    app.release =
        Commands.release(3, app, KEYS, Map.of(), Map.of("TOKEN", "t0ken"), "{\"auths\":{}}");
    fx.commands.send(app, "update");
    SyncWorkerFixture.await(
        "the Secrets are back",
        () -> fx.secret(0, app, KubeNames.pullSecret(app.k8sName())) != null);
    app.deleted = true;
    fx.commands.send(app, "delete");
    fx.awaitStatus(app, "deleted");
    assertThat(fx.secret(0, app, KubeNames.envSecret(app.k8sName()))).isNull();
    assertThat(fx.secret(0, app, KubeNames.pullSecret(app.k8sName()))).isNull();
  }

  @Test
  void an_apps_secret_deleted_or_edited_by_hand_is_written_again() throws Exception {
    Commands.App app = new Commands.App(66, "repairs", fx.clusterName(0));
    app.release = Commands.release(1, app, KEYS, Map.of(), Map.of("TOKEN", "t0ken"), null);
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    String name = KubeNames.envSecret(app.k8sName());

    core.deleteNamespacedSecret(name, app.namespace()).execute();
    SyncWorkerFixture.await(
        "the deleted Secret written again", () -> fx.secret(0, app, name) != null);

    V1Secret edited = secret(app, name);
    edited.putDataItem("TOKEN", "tampered".getBytes(StandardCharsets.UTF_8));
    core.replaceNamespacedSecret(name, app.namespace(), edited).execute();
    SyncWorkerFixture.await(
        "the edited Secret written back",
        () ->
            "t0ken"
                .equals(
                    new String(secret(app, name).getData().get("TOKEN"), StandardCharsets.UTF_8)));
  }

  @Test
  void a_command_whose_sealed_value_does_not_open_goes_to_the_dead_letter_topic() {
    KeyRing other = KeyRing.fromSpec(KeyRing.generateSpec("k1"));
    Commands.App poisoned = new Commands.App(66, "poisoned", fx.clusterName(0));
    poisoned.release =
        Commands.release(1, poisoned, other, Map.of(), Map.of("API_KEY", "not-for-us"), null);
    fx.commands.send(poisoned, "create");
    // the next command on the same key: applied once the worker has read past the poison
    poisoned.release = Commands.release(2);
    fx.commands.send(poisoned, "update");
    fx.awaitStatus(poisoned, "running");

    ReceivedRecord parked =
        fx.broker
            .awaitRecords(
                fx.commandsTopic + ".dlq",
                1,
                r -> poisoned.id.equals(r.key()),
                SyncWorkerFixture.WAIT)
            .get(0);
    assertThat(parked.header("x-error"))
        .contains("release.secrets")
        .contains("cannot be opened")
        .doesNotContain("not-for-us");
    assertThat(logLines()).noneMatch(line -> line.contains("not-for-us"));
  }

  @Test
  void a_v1_command_still_on_the_topic_is_applied_as_release_0() {
    Commands.App app = new Commands.App(67, "legacy", fx.clusterName(0));
    fx.commands.sendV1(app, "create");

    JsonObject running = fx.awaitStatus(app, "running");
    assertThat(running.getLong("observedRelease")).isZero();
    V1Deployment deployment = fx.deployment(0, app);
    // nothing a v1 Deployment did not have on its pods: no release stamp, no variables
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .isNullOrEmpty();
  }

  @Test
  void the_apps_warning_events_travel_with_its_status() throws Exception {
    Commands.App app = new Commands.App(68, "warned", fx.clusterName(0));
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    V1Deployment deployment = fx.deployment(0, app);
    // recent: the worker keeps the last hour's warnings only
    OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
    core.createNamespacedEvent(
            app.namespace(),
            new CoreV1Event()
                .apiVersion("v1")
                .kind("Event")
                .metadata(new V1ObjectMeta().name(app.k8sName() + ".w1").namespace(app.namespace()))
                .involvedObject(
                    new V1ObjectReference()
                        .apiVersion("apps/v1")
                        .kind("Deployment")
                        .name(app.k8sName())
                        .namespace(app.namespace())
                        .uid(deployment.getMetadata().getUid()))
                .type("Warning")
                .reason("FailedMount")
                .message("the volume did not mount")
                .count(3)
                .firstTimestamp(at.minusMinutes(5))
                .lastTimestamp(at))
        .execute();

    JsonObject warned = fx.awaitStatus(app, d -> !d.getJsonArray("warnings").isEmpty());
    assertThat(warned.getString("status")).isEqualTo("running");
    JsonObject warning = warned.getJsonArray("warnings").getJsonObject(0);
    assertThat(warning.getString("reason")).isEqualTo("FailedMount");
    assertThat(warning.getString("message")).isEqualTo("the volume did not mount");
    assertThat(warning.getInteger("count")).isEqualTo(3);
    assertThat(Instant.parse(warning.getString("lastSeen"))).isEqualTo(at.toInstant());
  }

  private static V1Secret secret(Commands.App app, String name) {
    V1Secret secret = fx.secret(0, app, name);
    assertThat(secret).as("Secret " + name).isNotNull();
    return secret;
  }

  private static List<String> logLines() {
    List<String> lines = new ArrayList<>();
    synchronized (LOGS) {
      for (ILoggingEvent event : new ArrayList<>(LOGS.list)) {
        lines.add(
            event.getFormattedMessage()
                + (event.getThrowableProxy() == null
                    ? ""
                    : event.getThrowableProxy().getMessage()));
      }
    }
    return lines;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
