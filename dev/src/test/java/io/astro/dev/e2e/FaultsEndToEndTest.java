package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.Topics;
import io.astro.common.kube.KubeNames;
import io.astro.dev.AstroServices;
import io.astro.dev.e2e.Gateway.User;
import io.astro.testkit.Eventually;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sync-worker restarts and the broker goes away while users create and change apps: every app
 * still ends running, and no command is applied twice — each Deployment was written once per
 * generation (its {@code metadata.generation} counts spec changes, its {@code astro.io/generation}
 * names the app's latest).
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

  @Test
  void commands_taken_while_the_broker_is_down_are_applied_once_it_is_back() {
    Gateway api = astro.gateway();
    User user = api.newUser("brk");
    String scaled = api.create(user, "scaled", 1).getString("id");
    api.awaitRunning(user, scaled, 1);

    astro.dev().backing().stopKafka();
    List<String> created = new ArrayList<>();
    try {
      // the API keeps answering: each command is recorded with its change, in the outbox
      for (int i = 0; i < 3; i++) {
        created.add(api.create(user, "down-" + i, 1).getString("id"));
      }
      assertThat(
              api.act(user, scaled, "scale", new JsonObject().put("replicas", 2))
                  .getLong("generation"))
          .isEqualTo(2);
      assertThat(api.get("/api/v1/apps/" + created.get(0), user.token()).data().getString("status"))
          .isEqualTo("pending");
      // held down until app-service has seen it gone and its commands wait in the outbox
      String appService = astro.dev().managementUrl(AstroServices.APP_SERVICE);
      awaitNotReady(appService, "kafka");
      Scrape.awaitSample(appService, "astro_app_outbox_pending", n -> n >= 4);
    } finally {
      astro.dev().backing().startKafka();
    }

    for (String id : created) {
      assertAppliedOnce(api.awaitRunning(user, id, 1), 1);
    }
    assertAppliedOnce(api.awaitRunning(user, scaled, 2), 2);
    // every command reached the topic exactly once per generation (at-least-once delivery may
    // repeat a record;
    // what matters is that a repeat carries the same event id and generation)
    Set<String> waiting = Set.copyOf(created);
    List<JsonObject> commands =
        astro
            .kafka()
            .awaitRecords(Topics.APP_COMMANDS, 3, r -> waiting.contains(r.key()), Gateway.WAIT)
            .stream()
            .map(r -> new JsonObject(r.value()))
            .toList();
    assertThat(commands.stream().map(c -> c.getString("id")).distinct().count()).isEqualTo(3);
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
