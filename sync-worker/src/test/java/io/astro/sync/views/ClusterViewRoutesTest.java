package io.astro.sync.views;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.config.HttpSettings;
import io.astro.common.kube.KubeNames;
import io.astro.common.runtime.Service;
import io.astro.testkit.Eventually;
import io.astro.testkit.kube.FakeCluster;
import io.astro.testkit.kube.FakeClusterExtension;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.PolicyV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudgetSpec;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.util.PatchUtils;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operators' cluster views over HTTP against a fake cluster: nodes, their pods, cordon, drain
 * through the Eviction API (a PodDisruptionBudget holds it until it allows), label and taint
 * changes refused naming the field, Astro's namespaces and events.
 */
@ExtendWith(FakeClusterExtension.class)
class ClusterViewRoutesTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "views-test-internal-token-0123456789";
  private static final String NS = KubeNames.namespace(7);
  private static final String WEB = KubeNames.objectName("web", 7);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static Service service;
  private static String base;
  private static ApiClient kube;

  @BeforeAll
  static void start(FakeCluster cluster) throws Exception {
    kube = cluster.apiClient();
    CoreV1Api core = new CoreV1Api(kube);
    core.createNamespace(
            new V1Namespace()
                .apiVersion("v1")
                .kind("Namespace")
                .metadata(new V1ObjectMeta().name(NS).labels(KubeNames.namespaceLabels(7))))
        .execute();
    core.createNamespacedResourceQuota(
            NS,
            new V1ResourceQuota()
                .apiVersion("v1")
                .kind("ResourceQuota")
                .metadata(
                    new V1ObjectMeta().name(KubeNames.QUOTA).labels(KubeNames.managedLabels()))
                .spec(
                    new V1ResourceQuotaSpec()
                        // pods only: a cpu quota would need requests on the test's pods
                        .hard(Map.of("pods", new Quantity("20")))))
        .execute();
    new AppsV1Api(kube).createNamespacedDeployment(NS, deployment()).execute();
    Eventually.await(
        "2 running pods of " + WEB,
        WAIT,
        () -> core.listNamespacedPod(NS).labelSelector("app=" + WEB).execute().getItems(),
        pods ->
            pods.size() == 2
                && pods.stream().allMatch(p -> "Running".equals(p.getStatus().getPhase())));

    ApiClient client = cluster.newClient();
    service = Service.create("sync-worker-views-test");
    ClusterViewRoutes routes =
        new ClusterViewRoutes(
            service.vertx(), id -> "c1".equals(id) ? Optional.of(client) : Optional.empty(), TOKEN);
    service
        .serve(
            new HttpSettings("127.0.0.1", 0, HttpSettings.DEFAULT_BODY_LIMIT),
            List.of(),
            routes::mount)
        .await();
    base = "http://127.0.0.1:" + service.httpPort() + "/internal/v1/clusters/";
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close().await();
    }
  }

  @Test
  void nodes_are_listed_with_state_capacity_and_running_pods() {
    HttpResponse<String> response = call("GET", "c1/nodes", null, TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonArray items = data(response).getJsonArray("items");
    assertThat(items.stream().map(n -> ((JsonObject) n).getString("name")))
        .contains("node-1", "node-2");
    JsonObject node = byName(items, "node-1");
    assertThat(node.getBoolean("ready")).isTrue();
    assertThat(node.getBoolean("schedulable")).isTrue();
    assertThat(node.getString("os")).isEqualTo("linux");
    assertThat(node.getString("kubelet_version")).startsWith("v1.");
    assertThat(node.getJsonObject("capacity"))
        .isEqualTo(new JsonObject().put("cpu", "4").put("memory", "16Gi").put("pods", "110"));
    assertThat(node.getJsonObject("allocatable").getString("pods")).isEqualTo("110");
    assertThat(node.getJsonArray("conditions").stream())
        .anySatisfy(c -> assertThat(((JsonObject) c).getString("type")).isEqualTo("Ready"));
    assertThat(node.getJsonObject("labels").getString("kubernetes.io/hostname"))
        .isEqualTo("node-1");
    long running = items.stream().mapToLong(n -> ((JsonObject) n).getLong("pods_running")).sum();
    assertThat(running).isGreaterThanOrEqualTo(2);
  }

  @Test
  void a_node_detail_names_its_pods_and_the_astro_app_each_belongs_to() {
    JsonObject web = podOfWeb();
    assertThat(web.getString("namespace")).isEqualTo(NS);
    assertThat(web.getJsonObject("app"))
        .isEqualTo(new JsonObject().put("id", "app-7").put("name", "web").put("user_id", "7"));
    assertThat(web.getString("phase")).isEqualTo("Running");
  }

  @Test
  void calls_without_the_token_or_for_unknown_clusters_and_nodes_are_refused() {
    assertThat(call("GET", "c1/nodes", null, null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "c1/nodes", null, "wrong-token-wrong-token").statusCode())
        .isEqualTo(401);
    HttpResponse<String> unknown = call("GET", "c9/nodes", null, TOKEN);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(envelope(unknown).getJsonObject("data").getString("missing")).isEqualTo("cluster");
    HttpResponse<String> noNode = call("GET", "c1/nodes/node-9", null, TOKEN);
    assertThat(noNode.statusCode()).isEqualTo(404);
    assertThat(envelope(noNode).getJsonObject("data").getString("missing")).isEqualTo("node");
  }

  @Test
  void labels_and_taints_are_changed_and_bad_ones_refused_naming_the_field() {
    HttpResponse<String> changed =
        call(
            "PATCH",
            "c1/nodes/node-2",
            "{\"labels\":{\"astro.io/pool\":\"gold\"},"
                + "\"taints\":[{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"PreferNoSchedule\"}]}",
            TOKEN);
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    assertThat(data(changed).getJsonObject("labels").getString("astro.io/pool")).isEqualTo("gold");
    assertThat(data(changed).getJsonArray("taints"))
        .containsExactly(
            new JsonObject()
                .put("key", "dedicated")
                .put("value", "gpu")
                .put("effect", "PreferNoSchedule"));

    HttpResponse<String> removed =
        call(
            "PATCH",
            "c1/nodes/node-2",
            "{\"labels\":{\"astro.io/pool\":null},\"taints\":[]}",
            TOKEN);
    assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
    assertThat(data(removed).getJsonObject("labels").containsKey("astro.io/pool")).isFalse();
    assertThat(data(removed).getJsonArray("taints")).isEmpty();

    assertRefused(
        "{\"taints\":[{\"key\":\"dedicated\",\"effect\":\"Sometimes\"}]}", "taints[0].effect");
    assertRefused("{\"taints\":[{\"key\":\"dedicated\"}]}", "taints[0].effect");
    assertRefused(
        "{\"taints\":[{\"key\":\"a\",\"effect\":\"NoSchedule\"},{\"key\":\"a\",\"value\":\"b\","
            + "\"effect\":\"NoSchedule\"}]}",
        "taints[1]");
    assertRefused(
        "{\"taints\":[{\"key\":\"node.kubernetes.io/unschedulable\",\"effect\":\"NoSchedule\"}]}",
        "taints[0].key");
    assertRefused("{\"labels\":{\"-bad\":\"x\"}}", "labels.-bad");
    assertRefused("{\"labels\":{\"zone\":\"eu west\"}}", "labels.zone");
    assertRefused("{\"labels\":{\"zone\":\"" + "a".repeat(64) + "\"}}", "labels.zone");
    HttpResponse<String> unknown =
        call("PATCH", "c1/nodes/node-2", "{\"name\":\"other\",\"labels\":{}}", TOKEN);
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
    assertThat(fields(unknown)).containsExactly("name");
  }

  @Test
  void a_drain_waits_for_the_disruption_budget_then_moves_the_pods_off_the_node() throws Exception {
    JsonObject pod = podOfWeb();
    String node = nodeOf(pod.getString("name"));
    String other = node.equals("node-1") ? "node-2" : "node-1";
    PolicyV1Api policy = new PolicyV1Api(kube);
    policy
        .createNamespacedPodDisruptionBudget(
            NS,
            new V1PodDisruptionBudget()
                .apiVersion("policy/v1")
                .kind("PodDisruptionBudget")
                .metadata(new V1ObjectMeta().name("web-budget"))
                .spec(
                    new V1PodDisruptionBudgetSpec()
                        .minAvailable(new IntOrString(2))
                        .selector(new V1LabelSelector().matchLabels(Map.of("app", WEB)))))
        .execute();
    try {
      HttpResponse<String> started =
          call("POST", "c1/nodes/" + node + "/drain", "{\"timeout_seconds\":120}", TOKEN);
      assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
      assertThat(data(started).getJsonObject("drain").getString("state")).isEqualTo("running");

      JsonObject blocked =
          Eventually.await(
              "the drain blocked by the budget",
              WAIT,
              () -> data(call("GET", "c1/nodes/" + node, null, TOKEN)),
              d ->
                  d.getJsonObject("drain") != null
                      && !d.getJsonObject("drain").getJsonArray("blocked").isEmpty());
      assertThat(blocked.getBoolean("schedulable")).isFalse();
      JsonObject refusal = blocked.getJsonObject("drain").getJsonArray("blocked").getJsonObject(0);
      assertThat(refusal.getString("namespace")).isEqualTo(NS);
      assertThat(refusal.getInteger("status")).isEqualTo(429);
      assertThat(refusal.getString("reason"))
          .isEqualTo("The disruption budget web-budget needs 2 healthy pods and has 2 currently");
      assertThat(blocked.getJsonObject("drain").getString("state")).isEqualTo("running");

      PatchUtils.patch(
          V1PodDisruptionBudget.class,
          () ->
              policy
                  .patchNamespacedPodDisruptionBudget(
                      "web-budget", NS, new V1Patch("{\"spec\":{\"minAvailable\":1}}"))
                  .buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
          kube);

      JsonObject done =
          Eventually.await(
              "the drain done",
              WAIT,
              () -> data(call("GET", "c1/nodes/" + node, null, TOKEN)),
              d -> "succeeded".equals(d.getJsonObject("drain").getString("state")));
      assertThat(done.getJsonArray("pods").stream())
          .noneSatisfy(p -> assertThat(((JsonObject) p).getString("namespace")).isEqualTo(NS));
      assertThat(done.getJsonObject("drain").getInteger("evicted")).isGreaterThanOrEqualTo(1);
      Eventually.until(
          "both pods of " + WEB + " running on " + other,
          WAIT,
          () -> {
            try {
              List<io.kubernetes.client.openapi.models.V1Pod> pods =
                  new CoreV1Api(kube)
                      .listNamespacedPod(NS)
                      .labelSelector("app=" + WEB)
                      .execute()
                      .getItems();
              return pods.size() == 2
                  && pods.stream()
                      .allMatch(
                          p ->
                              other.equals(p.getSpec().getNodeName())
                                  && "Running".equals(p.getStatus().getPhase()));
            } catch (io.kubernetes.client.openapi.ApiException e) {
              return false;
            }
          });

      HttpResponse<String> uncordoned = call("POST", "c1/nodes/" + node + "/uncordon", null, TOKEN);
      assertThat(uncordoned.statusCode()).as(uncordoned.body()).isEqualTo(200);
      assertThat(data(uncordoned).getBoolean("schedulable")).isTrue();
    } finally {
      policy.deleteNamespacedPodDisruptionBudget("web-budget", NS).execute();
      call("POST", "c1/nodes/" + node + "/uncordon", null, TOKEN);
    }
  }

  @Test
  void cordon_and_uncordon_flip_schedulable() {
    HttpResponse<String> cordoned = call("POST", "c1/nodes/node-1/cordon", null, TOKEN);
    assertThat(cordoned.statusCode()).as(cordoned.body()).isEqualTo(200);
    assertThat(data(cordoned).getBoolean("schedulable")).isFalse();
    HttpResponse<String> uncordoned = call("POST", "c1/nodes/node-1/uncordon", null, TOKEN);
    assertThat(data(uncordoned).getBoolean("schedulable")).isTrue();
  }

  @Test
  void a_drain_timeout_out_of_range_is_refused_naming_the_field() {
    HttpResponse<String> response =
        call("POST", "c1/nodes/node-1/drain", "{\"timeout_seconds\":0}", TOKEN);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(fields(response)).containsExactly("timeout_seconds");

    HttpResponse<String> camel =
        call("POST", "c1/nodes/node-1/drain", "{\"timeoutSeconds\":60}", TOKEN);
    assertThat(camel.statusCode()).as(camel.body()).isEqualTo(400);
    assertThat(fields(camel)).containsExactly("timeoutSeconds");
  }

  @Test
  void namespaces_show_owner_app_count_and_quota() {
    HttpResponse<String> response = call("GET", "c1/namespaces", null, TOKEN);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonArray items = data(response).getJsonArray("items");
    assertThat(items.stream().map(n -> ((JsonObject) n).getString("name")))
        .as("only Astro's user namespaces")
        .containsExactly(NS);
    JsonObject ns = items.getJsonObject(0);
    assertThat(ns.getString("user_id")).isEqualTo("7");
    assertThat(ns.getInteger("apps")).isEqualTo(1);
    assertThat(ns.getJsonObject("quota").getJsonObject("hard"))
        .isEqualTo(new JsonObject().put("pods", "20"));
    assertThat(ns.getJsonObject("quota").getJsonObject("used").getString("pods")).isEqualTo("2");
  }

  @Test
  void events_are_filtered_by_namespace_type_and_time_newest_first_and_bounded() throws Exception {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);
    event("old-warning", "Warning", "BackOff", now.minusHours(2));
    event("new-warning", "Warning", "FailedScheduling", now.minusMinutes(1));
    // ahead of anything the simulator may record meanwhile
    event("newest-normal", "Normal", "Pulled", now.plusMinutes(1));

    JsonArray warnings =
        data(call("GET", "c1/events?namespace=" + NS + "&type=Warning", null, TOKEN))
            .getJsonArray("items");
    assertThat(warnings.stream().map(e -> ((JsonObject) e).getString("reason")))
        .containsExactly("FailedScheduling", "BackOff");
    JsonObject first = warnings.getJsonObject(0);
    assertThat(first.getJsonObject("object"))
        .isEqualTo(new JsonObject().put("kind", "Pod").put("namespace", NS).put("name", "x"));

    JsonArray recent =
        data(call(
                "GET",
                "c1/events?namespace="
                    + NS
                    + "&since="
                    + now.minusMinutes(30).toInstant()
                    + "&limit=1",
                null,
                TOKEN))
            .getJsonArray("items");
    assertThat(recent.stream().map(e -> ((JsonObject) e).getString("reason")))
        .containsExactly("Pulled");

    for (String bad :
        List.of("type=Error", "limit=0", "limit=501", "since=yesterday", "namespace=A_B")) {
      HttpResponse<String> refused = call("GET", "c1/events?" + bad, null, TOKEN);
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(fields(refused)).containsExactly(bad.substring(0, bad.indexOf('=')));
    }
  }

  private static void event(String name, String type, String reason, OffsetDateTime at)
      throws Exception {
    new CoreV1Api(kube)
        .createNamespacedEvent(
            NS,
            new CoreV1Event()
                .apiVersion("v1")
                .kind("Event")
                .metadata(new V1ObjectMeta().name(name).namespace(NS))
                .type(type)
                .reason(reason)
                .message(reason + " happened")
                .involvedObject(new V1ObjectReference().kind("Pod").namespace(NS).name("x"))
                .firstTimestamp(at)
                .lastTimestamp(at)
                .count(1))
        .execute();
  }

  private static void assertRefused(String body, String field) {
    HttpResponse<String> response = call("PATCH", "c1/nodes/node-2", body, TOKEN);
    assertThat(response.statusCode()).as(body + " → " + response.body()).isEqualTo(422);
    assertThat(fields(response)).as(body).contains(field);
  }

  private static JsonObject podOfWeb() {
    for (Object n : data(call("GET", "c1/nodes", null, TOKEN)).getJsonArray("items")) {
      String name = ((JsonObject) n).getString("name");
      JsonObject detail = data(call("GET", "c1/nodes/" + name, null, TOKEN));
      for (Object p : detail.getJsonArray("pods")) {
        JsonObject pod = (JsonObject) p;
        if (NS.equals(pod.getString("namespace"))) {
          return pod.put("node", name);
        }
      }
    }
    throw new AssertionError("no pod of " + WEB + " on any node");
  }

  private static String nodeOf(String pod) throws Exception {
    return new CoreV1Api(kube).readNamespacedPod(pod, NS).execute().getSpec().getNodeName();
  }

  private static JsonObject byName(JsonArray items, String name) {
    return items.stream()
        .map(JsonObject.class::cast)
        .filter(n -> name.equals(n.getString("name")))
        .findFirst()
        .orElseThrow();
  }

  private static V1Deployment deployment() {
    Map<String, String> labels = new java.util.LinkedHashMap<>();
    labels.put("app", WEB);
    labels.putAll(KubeNames.appLabels("web", WEB, "app-7", 7));
    return new V1Deployment()
        .apiVersion("apps/v1")
        .kind("Deployment")
        .metadata(new V1ObjectMeta().name(WEB).labels(labels))
        .spec(
            new V1DeploymentSpec()
                .replicas(2)
                .selector(new V1LabelSelector().matchLabels(Map.of("app", WEB)))
                .template(
                    new V1PodTemplateSpec()
                        .metadata(new V1ObjectMeta().labels(labels))
                        .spec(
                            new V1PodSpec()
                                .containers(
                                    List.of(
                                        new V1Container()
                                            .name(KubeNames.APP_CONTAINER)
                                            .image("ghcr.io/acme/web:1"))))));
  }

  /** The fields a refusal names ({@code data.fields[].field}). */
  private static List<String> fields(HttpResponse<String> response) {
    return envelope(response).getJsonObject("data").getJsonArray("fields").stream()
        .map(f -> ((JsonObject) f).getString("field"))
        .toList();
  }

  private static JsonObject envelope(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  private static JsonObject data(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    return envelope(response).getJsonObject("data");
  }

  private static HttpResponse<String> call(String method, String path, String body, String token) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(WAIT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
  }
}
