package io.astro.dev.e2e;

import static io.astro.dev.e2e.Gateway.podNames;
import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.Topics;
import io.astro.common.kube.KubeNames;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.events.EventSchemas;
import io.astro.testkit.kafka.ReceivedRecord;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's whole journey with one app, through the gateway only; integrations see it on the topics.
 */
class AppLifecycleEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void a_user_signs_up_runs_an_app_operates_it_and_deletes_it() {
    Gateway api = astro.gateway();
    User ada = api.newUser("ada");
    Answer me = api.get("/api/v1/users/me", ada.token());
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.data().getString("username")).isEqualTo(ada.username());

    // create: answered at once, pending; then it runs with its pods
    JsonObject created = api.create(ada, "web", 2);
    String id = created.getString("id");
    assertThat(created.getString("status")).isEqualTo("pending");
    assertThat(created.getLong("generation")).isEqualTo(1);
    JsonObject running = api.awaitRunning(ada, id, 2);
    assertThat(running.getString("cluster")).isEqualTo("sandbox");
    assertThat(running.getJsonArray("pods"))
        .allSatisfy(
            p -> {
              JsonObject pod = (JsonObject) p;
              assertThat(pod.getString("phase")).isEqualTo("Running");
              assertThat(pod.getString("node")).startsWith("node-");
            });

    // list: newest first, filtered by status and name
    Answer list = api.get("/api/v1/apps?page=1&limit=20&status=running&search=we", ada.token());
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.data().getLong("total")).isEqualTo(1);
    assertThat(list.items().getJsonObject(0).getString("id")).isEqualTo(id);
    assertThat(api.get("/api/v1/apps?status=stopped", ada.token()).data().getLong("total"))
        .isZero();

    // logs: the last lines of every pod, each prefixed with its pod
    Answer logs = api.get("/api/v1/apps/" + id + "/logs?lines=3", ada.token());
    assertThat(logs.status()).isEqualTo(200);
    List<String> lines = logs.body().lines().toList();
    for (String pod : podNames(running)) {
      assertThat(lines).filteredOn(l -> l.startsWith("[" + pod + "] ")).hasSize(3);
    }

    // stop: no pods, nothing else lost
    api.act(ada, id, "stop", null);
    JsonObject stopped =
        api.awaitApp(
            ada,
            id,
            "stopped without pods",
            app -> "stopped".equals(app.getString("status")) && app.getJsonArray("pods").isEmpty());
    assertThat(stopped.getInteger("replicas")).isEqualTo(2);
    assertThat(api.get("/api/v1/apps/" + id + "/logs", ada.token()).body()).isEmpty();

    // start: back to its replica count
    api.act(ada, id, "start", null);
    List<String> before = podNames(api.awaitRunning(ada, id, 2));

    // restart: a rolling restart ends with new pods only
    api.act(ada, id, "restart", null);
    JsonObject restarted =
        api.awaitApp(
            ada,
            id,
            "running on new pods",
            app ->
                "running".equals(app.getString("status"))
                    && app.getInteger("ready_replicas", -1) == 2
                    && app.getJsonArray("pods").size() == 2
                    && podNames(app).stream().noneMatch(before::contains));
    assertThat(restarted.getString("restarted_at")).isNotNull();

    // scale: three ready
    api.act(ada, id, "scale", new JsonObject().put("replicas", 3));
    JsonObject scaled = api.awaitRunning(ada, id, 3);
    assertThat(scaled.getLong("generation")).isEqualTo(5);

    // what landed in the cluster: one Deployment, built from the latest generation
    V1Deployment deployment =
        astro.deployment(scaled.getString("namespace"), scaled.getString("k8s_name"));
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment.getMetadata().getAnnotations())
        .containsEntry(KubeNames.GENERATION_ANNOTATION, "5");

    // history: every command, newest first
    Answer history = api.get("/api/v1/apps/" + id + "/events?limit=100", ada.token());
    assertThat(history.status()).isEqualTo(200);
    assertThat(
            history.items().stream()
                .map(e -> (JsonObject) e)
                .filter(e -> "command".equals(e.getString("kind")))
                .map(e -> e.getString("command"))
                .toList())
        .containsExactly("scale", "restart", "start", "stop", "create");

    // delete: gone from every route, the cluster emptied, the name free again
    Answer deleting = api.delete("/api/v1/apps/" + id, ada.token());
    assertThat(deleting.status()).as(deleting.body()).isEqualTo(202);
    assertThat(deleting.data().getString("status")).isEqualTo("deleting");
    api.awaitAnswer(ada, "/api/v1/apps/" + id, "404", a -> a.status() == 404 && a.code() == 21001);
    assertThat(api.get("/api/v1/apps", ada.token()).data().getLong("total")).isZero();
    assertThat(api.get("/api/v1/apps/" + id + "/logs", ada.token()).status()).isEqualTo(404);
    assertThat(astro.deployment(scaled.getString("namespace"), scaled.getString("k8s_name")))
        .isNull();

    String again = api.create(ada, "web", 1).getString("id");
    assertThat(again).isNotEqualTo(id);
    api.awaitRunning(ada, again, 1);
    assertThat(api.delete("/api/v1/apps/" + again, ada.token()).status()).isEqualTo(202);
    api.awaitAnswer(ada, "/api/v1/apps/" + again, "404", a -> a.status() == 404);

    // integrations: every status of the app on astro.app.status is a CloudEvent valid against
    // docs/events/
    List<ReceivedRecord> statuses =
        astro
            .kafka()
            .awaitRecords(
                Topics.APP_STATUS,
                1,
                r -> id.equals(r.key()) && r.value().contains("\"deleted\""),
                Gateway.WAIT);
    List<ReceivedRecord> all =
        astro.kafka().awaitRecords(Topics.APP_STATUS, 1, r -> id.equals(r.key()), Gateway.WAIT);
    assertThat(statuses).isNotEmpty();
    Set<String> seen =
        all.stream()
            .map(
                r -> {
                  EventSchemas.assertValid("io.astro.app.status.v2", r.value());
                  JsonObject event = new JsonObject(r.value());
                  assertThat(event.getString("specversion")).isEqualTo("1.0");
                  assertThat(event.getString("subject")).isEqualTo(id);
                  return event.getJsonObject("data").getString("status");
                })
            .collect(Collectors.toSet());
    assertThat(seen).contains("running", "stopped", "restarting", "deleting", "deleted");
    // six commands, then the tombstone app-service writes once the delete is complete, so
    // compaction forgets the app
    List<ReceivedRecord> commands =
        astro.kafka().awaitRecords(Topics.APP_COMMANDS, 7, r -> id.equals(r.key()), Gateway.WAIT);
    assertThat(commands).hasSize(7);
    commands
        .subList(0, 6)
        .forEach(r -> EventSchemas.assertValid("io.astro.app.command.v2", r.value()));
    assertThat(commands.get(5).value()).contains("\"command\":\"delete\"");
    assertThat(commands.get(6).value()).isNull();
  }
}
