package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.KubeNames;
import io.astro.dev.Workspace;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.PolicyV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudgetSpec;
import io.kubernetes.client.util.PatchUtils;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator looks after the cluster Astro runs apps on through the gateway: its nodes and the
 * apps on them, a cordon, a drain a PodDisruptionBudget holds back until it allows it, Astro's
 * namespaces and the cluster's warnings. A tenant is refused all of it.
 */
class ClusterOperationsEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  private static final String CLUSTER = "/api/v1/clusters/sandbox";

  @Test
  void an_operator_sees_nodes_drains_one_past_a_budget_and_reads_namespaces_and_warnings()
      throws Exception {
    Gateway api = astro.gateway();
    Workspace.Admin admin = astro.dev().admin();
    String operator = api.login(admin.username(), admin.password(), null).token();
    User tenant = api.newUser("ops");
    String appId = api.create(tenant, "web", 2).getString("id");
    api.awaitRunning(tenant, appId, 2);

    // the sandbox is a static cluster: listed, read-only
    JsonObject sandbox =
        api.get("/api/v1/clusters", operator).items().stream()
            .map(JsonObject.class::cast)
            .filter(c -> "sandbox".equals(c.getString("name")))
            .findFirst()
            .orElseThrow();
    assertThat(sandbox.getBoolean("static")).isTrue();
    assertThat(api.send("DELETE", CLUSTER, operator, null, Map.of()).code()).isEqualTo(22006);

    // a tenant gets none of it
    assertThat(api.get(CLUSTER + "/nodes", tenant.token()).status()).isEqualTo(403);
    assertThat(api.get(CLUSTER + "/namespaces", tenant.token()).status()).isEqualTo(403);

    Answer nodes = api.get(CLUSTER + "/nodes", operator);
    assertThat(nodes.status()).as(nodes.body()).isEqualTo(200);
    assertThat(nodes.items()).isNotEmpty();
    assertThat(nodes.items().stream().map(n -> ((JsonObject) n).getBoolean("ready")))
        .containsOnly(true);

    // the node running one of the app's pods says whose pod it is
    String node = null;
    String found = null;
    for (Object n : nodes.items()) {
      String name = ((JsonObject) n).getString("name");
      for (Object p : api.get(CLUSTER + "/nodes/" + name, operator).data().getJsonArray("pods")) {
        JsonObject pod = (JsonObject) p;
        if (pod.getJsonObject("app") != null
            && appId.equals(pod.getJsonObject("app").getString("id"))) {
          node = name;
          found = pod.getString("namespace");
        }
      }
    }
    assertThat(node).as("a node running a pod of the app").isNotNull();
    String namespace = found;
    assertThat(KubeNames.isUserNamespace(namespace)).isTrue();

    Answer cordoned = api.post(CLUSTER + "/nodes/" + node + "/cordon", operator, null);
    assertThat(cordoned.data().getBoolean("schedulable")).isFalse();
    Answer uncordoned = api.post(CLUSTER + "/nodes/" + node + "/uncordon", operator, null);
    assertThat(uncordoned.data().getBoolean("schedulable")).isTrue();

    Answer badTaint =
        api.send(
            "PATCH",
            CLUSTER + "/nodes/" + node,
            operator,
            "{\"taints\":[{\"key\":\"dedicated\",\"effect\":\"Sometimes\"}]}",
            Map.of());
    assertThat(badTaint.status()).as(badTaint.body()).isEqualTo(422);
    assertThat(badTaint.data().getJsonArray("fields").getJsonObject(0).getString("field"))
        .isEqualTo("taints[0].effect");

    // a budget that allows no disruption holds the drain back; once it allows one, the drain ends
    ApiClient kube = astro.kube().apiClient();
    PolicyV1Api policy = new PolicyV1Api(kube);
    policy
        .createNamespacedPodDisruptionBudget(
            namespace,
            new V1PodDisruptionBudget()
                .apiVersion("policy/v1")
                .kind("PodDisruptionBudget")
                .metadata(new V1ObjectMeta().name("web-budget"))
                .spec(
                    new V1PodDisruptionBudgetSpec()
                        .minAvailable(new IntOrString(2))
                        .selector(
                            new V1LabelSelector()
                                .matchLabels(Map.of(KubeNames.APP_ID_LABEL, appId)))))
        .execute();
    String drained = node;
    try {
      Answer started =
          api.post(
              CLUSTER + "/nodes/" + drained + "/drain",
              operator,
              new JsonObject().put("timeout_seconds", 300));
      assertThat(started.status()).as(started.body()).isEqualTo(202);
      JsonObject blocked =
          Eventually.await(
              "the drain held back by the budget",
              Gateway.WAIT,
              () -> api.get(CLUSTER + "/nodes/" + drained, operator).data(),
              d ->
                  d.getJsonObject("drain") != null
                      && !d.getJsonObject("drain").getJsonArray("blocked").isEmpty());
      JsonObject refusal = blocked.getJsonObject("drain").getJsonArray("blocked").getJsonObject(0);
      assertThat(refusal.getInteger("status")).isEqualTo(429);
      assertThat(refusal.getString("reason")).contains("web-budget");
      assertThat(blocked.getBoolean("schedulable")).isFalse();

      PatchUtils.patch(
          V1PodDisruptionBudget.class,
          () ->
              policy
                  .patchNamespacedPodDisruptionBudget(
                      "web-budget", namespace, new V1Patch("{\"spec\":{\"minAvailable\":1}}"))
                  .buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
          kube);
      JsonObject done =
          Eventually.await(
              "the drain done",
              Gateway.WAIT,
              () -> api.get(CLUSTER + "/nodes/" + drained, operator).data(),
              d -> "succeeded".equals(d.getJsonObject("drain").getString("state")));
      JsonArray left = done.getJsonArray("pods");
      assertThat(left.stream())
          .noneSatisfy(
              p -> assertThat(((JsonObject) p).getString("namespace")).isEqualTo(namespace));
      // the app keeps its two pods, on the other nodes
      api.awaitRunning(tenant, appId, 2);
    } finally {
      policy.deleteNamespacedPodDisruptionBudget("web-budget", namespace).execute();
      api.post(CLUSTER + "/nodes/" + drained + "/uncordon", operator, null);
    }

    JsonObject ns =
        api.get(CLUSTER + "/namespaces", operator).items().stream()
            .map(JsonObject.class::cast)
            .filter(n -> namespace.equals(n.getString("name")))
            .findFirst()
            .orElseThrow();
    assertThat(ns.getInteger("apps")).isEqualTo(1);
    assertThat(ns.getJsonObject("quota")).isNotNull();

    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);
    new CoreV1Api(kube)
        .createNamespacedEvent(
            namespace,
            new CoreV1Event()
                .apiVersion("v1")
                .kind("Event")
                .metadata(new V1ObjectMeta().name("ops-warning").namespace(namespace))
                .type("Warning")
                .reason("OpsCheck")
                .message("an operator should see this")
                .involvedObject(new V1ObjectReference().kind("Pod").namespace(namespace).name("x"))
                .firstTimestamp(now)
                .lastTimestamp(now)
                .count(1))
        .execute();
    Answer warnings =
        api.get(CLUSTER + "/events?type=Warning&limit=10&namespace=" + namespace, operator);
    assertThat(warnings.status()).as(warnings.body()).isEqualTo(200);
    assertThat(warnings.items().stream().map(e -> ((JsonObject) e).getString("reason")))
        .contains("OpsCheck")
        .allSatisfy(reason -> assertThat(reason).isNotNull());
    assertThat(warnings.items().stream().map(e -> ((JsonObject) e).getString("type")))
        .containsOnly("Warning");
    assertThat(api.get(CLUSTER + "/events?limit=0", operator).status()).isEqualTo(400);

    // all of it is on the audit trail, the operator's own lines: changes, a refusal, reads (asked
    // one action at a time: the drain's progress polls alone are more lines than a page holds)
    for (String action :
        List.of(
            "cluster.list",
            "cluster.nodes.read",
            "cluster.node.uncordon",
            "cluster.node.drain",
            "cluster.namespaces.read",
            "cluster.events.read")) {
      Eventually.await(
          action + " on the audit trail",
          Gateway.WAIT,
          () -> auditLine(api, operator, action),
          line -> line != null);
    }
    JsonObject refusedDelete =
        Eventually.await(
            "the refused delete on the audit trail",
            Gateway.WAIT,
            () -> auditLine(api, operator, "cluster.delete"),
            line -> line != null);
    assertThat(refusedDelete.getJsonObject("outcome").getInteger("code")).isEqualTo(22006);
    assertThat(refusedDelete.getJsonObject("actor").getString("role")).isEqualTo("admin");
    JsonObject cordon =
        Eventually.await(
            "the cordon on the audit trail",
            Gateway.WAIT,
            () -> auditLine(api, operator, "cluster.node.cordon"),
            line -> line != null);
    assertThat(cordon.getJsonObject("target").getString("type")).isEqualTo("node");
    assertThat(cordon.getJsonObject("target").getString("name")).isEqualTo(node);
    assertThat(cordon.getJsonObject("target").getString("id")).endsWith("/" + node);
    // the tenant's only cluster lines are its two refused reads
    assertThat(
            api.get("/api/v1/audit?action=cluster", tenant.token()).items().stream()
                .map(JsonObject.class::cast)
                .map(
                    l ->
                        l.getString("action")
                            + " "
                            + l.getJsonObject("outcome").getInteger("status"))
                .toList())
        .containsExactlyInAnyOrder("cluster.nodes.read 403", "cluster.namespaces.read 403");
  }

  /** The newest of the caller's audit lines of exactly {@code action}, or null. */
  private static JsonObject auditLine(Gateway api, String token, String action) {
    return api.get("/api/v1/audit?action=" + action + "&limit=100", token).items().stream()
        .map(JsonObject.class::cast)
        .filter(l -> action.equals(l.getString("action")))
        .findFirst()
        .orElse(null);
  }
}
