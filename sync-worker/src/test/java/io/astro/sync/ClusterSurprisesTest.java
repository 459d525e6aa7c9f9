package io.astro.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.KubeNames;
import io.astro.sync.clusters.KubeApis;
import io.astro.testkit.kafka.KafkaBroker;
import io.astro.testkit.kafka.KafkaExtension;
import io.astro.testkit.kube.ApiFaults;
import io.astro.testkit.kube.ApiTraffic;
import io.astro.testkit.kube.FakeCluster;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What real clusters do to the objects Astro wrote, and what the worker does about it: a namespace
 * deleted by hand or stuck terminating, fence objects edited in place, an admission webhook that
 * rewrites images, watches the server expires. The worker resyncs every second here, so "after a
 * few more resyncs" is a matter of counting the namespace reads each reconcile makes.
 */
@ExtendWith(KafkaExtension.class)
class ClusterSurprisesTest {

  private static final String DEFAULT_DENY = "astro-default-deny";

  private static SyncWorkerFixture fx;
  private static FakeCluster cluster;

  @BeforeAll
  static void start(KafkaBroker broker) {
    fx = new SyncWorkerFixture(broker, 1).startWorker(Map.of("ASTRO_INFORMER_RESYNC", "1s"));
    cluster = fx.cluster(0);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @AfterEach
  void healthy() {
    cluster.faults().clear();
  }

  @Test
  void resyncs_write_nothing_while_namespace_and_fence_are_in_place() {
    Commands.App app = new Commands.App(50, "steady", cluster.name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    String metrics = fx.worker().metrics();
    String namespaceVersion = namespace(app).getMetadata().getResourceVersion();

    awaitResyncs(app, 5);

    assertThat(writeLines(fx.worker().metrics())).isEqualTo(writeLines(metrics));
    assertThat(namespace(app).getMetadata().getResourceVersion()).isEqualTo(namespaceVersion);
  }

  @Test
  void a_namespace_deleted_by_hand_is_recreated_and_its_apps_run_again() throws Exception {
    Commands.App app = new Commands.App(51, "web", cluster.name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    String uid = namespace(app).getMetadata().getUid();
    int runningBefore = count(app, "running");

    // Terminating first, then its content and it are removed, as the namespace controller does
    new CoreV1Api(cluster.apiClient()).deleteNamespace(app.namespace()).execute();

    SyncWorkerFixture.await(
        "namespace recreated",
        () -> {
          V1Namespace ns = namespaceOrNull(app);
          return ns != null && !ns.getMetadata().getUid().equals(uid) && !terminating(ns);
        });
    awaitCount(app, "running", runningBefore + 1);
    assertThat(namespace(app).getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "baseline");
    assertThat(networkPolicy(app, DEFAULT_DENY)).isNotNull();
    assertThat(quota(app)).isNotNull();
    assertThat(fx.deployment(0, app)).isNotNull();
  }

  @Test
  void a_terminating_namespace_is_waited_out_then_recreated() throws Exception {
    Commands.App first = new Commands.App(52, "first", cluster.name());
    fx.commands.send(first, "create");
    fx.awaitStatus(first, "running");
    CoreV1Api core = new CoreV1Api(cluster.apiClient());
    // a finalizer of someone else's keeps the deleted namespace Terminating until it is taken away
    KubeApis apis = KubeApis.on(cluster.apiClient());
    assertThat(
            apis.namespaces()
                .patch(
                    first.namespace(),
                    V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                    new V1Patch("{\"metadata\":{\"finalizers\":[\"" + HOLD + "\"]}}"))
                .isSuccess())
        .isTrue();
    core.deleteNamespace(first.namespace()).execute();
    assertThat(terminating(namespace(first))).isTrue();

    Commands.App second = new Commands.App(52, "second", cluster.name());
    fx.commands.send(second, "create");
    JsonObject pending =
        fx.awaitStatus(
            second,
            d ->
                "pending".equals(d.getString("status"))
                    && "NamespaceTerminating".equals(d.getString("reason")));
    assertThat(pending.getString("message")).contains(second.namespace());
    assertThat(fx.deployment(0, second)).isNull();
    assertThat(statuses(first)).noneMatch(d -> "failed".equals(d.getString("status")));

    int firstRunning = count(first, "running");
    SyncWorkerFixture.await(
        "the Terminating namespace emptied but for the finalizer",
        () -> {
          V1Namespace ns = namespaceOrNull(first);
          return ns != null
              && List.of(HOLD).equals(ns.getMetadata().getFinalizers())
              && fx.deployment(0, first) == null;
        });
    assertThat(
            apis.namespaces()
                .patch(
                    first.namespace(),
                    V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                    new V1Patch("{\"metadata\":{\"finalizers\":null}}"))
                .isSuccess())
        .isTrue();

    fx.awaitStatus(second, "running");
    awaitCount(first, "running", firstRunning + 1);
    assertThat(terminating(namespace(first))).isFalse();
  }

  @Test
  void fence_objects_edited_in_place_are_repaired() throws Exception {
    Commands.App app = new Commands.App(53, "fenced", cluster.name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    NetworkingV1Api networking = new NetworkingV1Api(cluster.apiClient());
    CoreV1Api core = new CoreV1Api(cluster.apiClient());

    V1NetworkPolicy deny = networkPolicy(app, DEFAULT_DENY);
    deny.getSpec().podSelector(new V1LabelSelector().matchLabels(Map.of("only", "these")));
    networking.replaceNamespacedNetworkPolicy(DEFAULT_DENY, app.namespace(), deny).execute();
    V1ResourceQuota quota = quota(app);
    quota.getSpec().getHard().put("pods", new Quantity("1000"));
    core.replaceNamespacedResourceQuota(KubeNames.QUOTA, app.namespace(), quota).execute();

    SyncWorkerFixture.await(
        "fence repaired",
        () ->
            Objects.equals(
                    networkPolicy(app, DEFAULT_DENY).getSpec().getPodSelector(),
                    new V1LabelSelector())
                && quota(app).getSpec().getHard().get("pods").getNumber().intValue() == 20);
  }

  @Test
  void an_image_pinned_to_its_digest_by_a_webhook_is_the_image_asked_for() {
    cluster.faults().mutateImages(ApiFaults.PIN_DIGEST);
    Commands.App app = new Commands.App(54, "pinned", cluster.name());
    fx.commands.send(app, "create");
    JsonObject running = fx.awaitStatus(app, "running");
    assertThat(fx.deployment(0, app).getSpec().getTemplate().getSpec().getContainers().get(0))
        .satisfies(c -> assertThat(c.getImage()).startsWith(app.image + "@sha256:"));

    awaitResyncs(app, 5);

    assertThat(replaces(app)).isZero();
    assertThat(running.getString("reason")).isNull();
    assertThat(statuses(app)).noneMatch(d -> "DriftFought".equals(d.getString("reason")));
  }

  @Test
  void drift_a_webhook_brings_back_is_repaired_with_back_off_and_reported_once() {
    cluster.faults().mutateImages(ApiFaults.PIN_DIGEST_DROP_TAG);
    Commands.App app = new Commands.App(55, "fought", cluster.name());
    fx.commands.send(app, "create");

    JsonObject fought =
        fx.awaitStatus(
            app,
            d ->
                "running".equals(d.getString("status"))
                    && "DriftFought".equals(d.getString("reason")));
    assertThat(fought.getString("message")).contains("spec.template.spec.containers[0].image");
    long replacedWhenReported = replaces(app);

    awaitResyncs(app, 10);

    // with back-off 1 s, 2 s, 4 s, … the repairs grow with the log of the time; a hot loop would
    // replace on every one of the resyncs awaited above, and more
    assertThat(replaces(app)).isLessThanOrEqualTo(replacedWhenReported + 4);
    assertThat(statuses(app).stream().filter(d -> "DriftFought".equals(d.getString("reason"))))
        .hasSize(1);

    cluster.faults().clear();
    fx.awaitStatus(
        app, d -> "running".equals(d.getString("status")) && d.getString("reason") == null);
  }

  /**
   * The decision in docs/sync-worker.md ("No write when nothing changed"): a hand edit of the pod
   * template that keeps the spec-hash annotation, in a field the drift check does not read (here
   * the environment), is trusted as Kubernetes' controllers trust their {@code pod-template-hash};
   * the worker's cache does not even hold those fields. The next change of the desired state writes
   * the whole Deployment again, without the edit.
   */
  @Test
  void a_hand_edit_under_an_unchanged_spec_hash_stands_until_the_next_desired_change() {
    Commands.App app = new Commands.App(57, "trusted", cluster.name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    AppsV1Api apps = new AppsV1Api(cluster.apiClient());
    SyncWorkerFixture.await(
        "the environment edited by hand",
        () -> {
          V1Deployment edited = fx.deployment(0, app);
          edited
              .getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0)
              .addEnvItem(new V1EnvVar().name("EDITED").value("by-hand"));
          try {
            apps.replaceNamespacedDeployment(app.k8sName(), app.namespace(), edited).execute();
            return true;
          } catch (ApiException e) {
            if (e.getCode() == 409) {
              return false; // a controller's status write came in between: read it again
            }
            throw new IllegalStateException(e);
          }
        });
    long replacedByHand = replaces(app);

    awaitResyncs(app, 5);

    assertThat(replaces(app)).isEqualTo(replacedByHand);
    assertThat(environment(app)).extracting(V1EnvVar::getName).contains("EDITED");

    app.replicas = 2;
    fx.commands.send(app, "scale");
    fx.awaitStatus(
        app,
        d ->
            "running".equals(d.getString("status"))
                && Integer.valueOf(2).equals(d.getInteger("readyReplicas")));
    assertThat(environment(app)).extracting(V1EnvVar::getName).doesNotContain("EDITED");
  }

  private static List<V1EnvVar> environment(Commands.App app) {
    List<V1EnvVar> env =
        fx.deployment(0, app).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
    return env == null ? List.of() : env;
  }

  @Test
  void expired_watches_are_relisted_without_marking_apps_unknown() {
    Commands.App app = new Commands.App(56, "watched", cluster.name());
    fx.commands.send(app, "create");
    fx.awaitStatus(app, "running");
    int before = statuses(app).size();
    ApiTraffic traffic = cluster.traffic();
    long deploymentLists = traffic.requests("GET", "/apis/apps/v1/deployments");
    long podLists = traffic.requests("GET", "/api/v1/pods");

    assertThat(cluster.faults().expireWatches("^/apis/apps/v1/deployments$|^/api/v1/pods$"))
        .isGreaterThanOrEqualTo(2);

    SyncWorkerFixture.await(
        "informers re-listed",
        () ->
            traffic.requests("GET", "/apis/apps/v1/deployments") > deploymentLists
                && traffic.requests("GET", "/api/v1/pods") > podLists);
    // the loop still works from the re-listed caches
    Commands.App later = new Commands.App(56, "later", cluster.name());
    fx.commands.send(later, "create");
    fx.awaitStatus(later, "running");
    awaitResyncs(app, 3);

    List<JsonObject> after = statuses(app);
    assertThat(after.subList(before, after.size()))
        .noneMatch(d -> "unknown".equals(d.getString("status")));
    assertThat(after.get(after.size() - 1).getString("status")).isEqualTo("running");
  }

  // --- helpers

  /** Waits until the worker has read the app's namespace {@code n} more times (reconciles). */
  private static void awaitResyncs(Commands.App app, int n) {
    String path = "/api/v1/namespaces/" + app.namespace();
    long start = cluster.traffic().requests("GET", path);
    SyncWorkerFixture.await(
        n + " more reconciles", () -> cluster.traffic().requests("GET", path) >= start + n);
  }

  private static long replaces(Commands.App app) {
    return cluster
        .traffic()
        .requests(
            "PUT", "/apis/apps/v1/namespaces/" + app.namespace() + "/deployments/" + app.k8sName());
  }

  private static List<String> writeLines(String metrics) {
    return metrics.lines().filter(l -> l.startsWith("astro_sync_writes_total{")).toList();
  }

  private static List<JsonObject> statuses(Commands.App app) {
    return fx.statuses(app, 1);
  }

  private static int count(Commands.App app, String status) {
    return (int) statuses(app).stream().filter(d -> status.equals(d.getString("status"))).count();
  }

  private static void awaitCount(Commands.App app, String status, int n) {
    fx.broker.awaitRecords(
        fx.statusTopic,
        n,
        r -> app.id.equals(r.key()) && status.equals(SyncWorkerFixture.data(r).getString("status")),
        SyncWorkerFixture.WAIT);
  }

  /**
   * What the namespace controller does after a namespace delete: its objects go. Done by hand for a
   * fake that does not cascade; harmless where it does.
   */
  /** A finalizer standing for another controller's cleanup. */
  private static final String HOLD = "example.com/cleanup";

  private static boolean terminating(V1Namespace ns) {
    return ns.getMetadata().getDeletionTimestamp() != null
        || (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase()));
  }

  private static V1Namespace namespace(Commands.App app) {
    return Objects.requireNonNull(namespaceOrNull(app), "namespace " + app.namespace());
  }

  private static V1Namespace namespaceOrNull(Commands.App app) {
    return read(() -> new CoreV1Api(cluster.apiClient()).readNamespace(app.namespace()).execute());
  }

  private static V1NetworkPolicy networkPolicy(Commands.App app, String name) {
    return read(
        () ->
            new NetworkingV1Api(cluster.apiClient())
                .readNamespacedNetworkPolicy(name, app.namespace())
                .execute());
  }

  private static V1ResourceQuota quota(Commands.App app) {
    return read(
        () ->
            new CoreV1Api(cluster.apiClient())
                .readNamespacedResourceQuota(KubeNames.QUOTA, app.namespace())
                .execute());
  }

  private interface Read<T> {
    T run() throws ApiException;
  }

  private static <T> T read(Read<T> read) {
    try {
      return read.run();
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return null;
      }
      throw new IllegalStateException(e);
    }
  }
}
