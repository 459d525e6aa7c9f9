package io.astro.app.apps;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The pods (and warnings) as the REST API shows them: every field name in snake_case. */
class RestPodsTest {

  @Test
  void a_pods_camel_case_fields_are_shown_in_snake_case_each_time_they_are_shown() {
    JsonArray stored =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("name", "web-1")
                    .put("waitingReason", "ImagePullBackOff")
                    .put("restartCount", 3)
                    .put("lastState2Exit", "OOMKilled"));

    for (int shown = 0; shown < 3; shown++) {
      assertThat(App.restPods(stored))
          .containsExactly(
              new JsonObject()
                  .put("name", "web-1")
                  .put("waiting_reason", "ImagePullBackOff")
                  .put("restart_count", 3)
                  .put("last_state2_exit", "OOMKilled"));
    }
  }

  @Test
  void field_names_beyond_the_remembered_ones_are_still_converted() {
    JsonObject pod = new JsonObject();
    JsonObject expected = new JsonObject();
    for (int i = 0; i < 1_000; i++) {
      pod.put("field" + i + "Name", i);
      expected.put("field" + i + "_name", i);
    }

    assertThat(App.restPods(new JsonArray().add(pod))).containsExactly(expected);
    assertThat(App.restPods(new JsonArray().add(pod))).containsExactly(expected);
  }
}
