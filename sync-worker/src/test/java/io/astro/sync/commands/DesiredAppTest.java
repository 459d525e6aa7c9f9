package io.astro.sync.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A command record is read into desired state, or refused as poison when it is off the contract.
 */
class DesiredAppTest {

  private static final String APP = "0b6f8a36-2f7e-4f5e-9a55-6b3c1b3c9d01";

  @Test
  void a_valid_command_becomes_the_whole_desired_state() {
    DesiredApp app = DesiredApp.parse(command(d -> {}));

    assertThat(app.appId()).isEqualTo(APP);
    assertThat(app.userId()).isEqualTo(7);
    assertThat(app.k8sName()).isEqualTo("web-u7");
    assertThat(app.generation()).isEqualTo(3);
    assertThat(app.port()).isEqualTo(8080);
    assertThat(app.runningReplicas()).isEqualTo(2);
  }

  @Test
  void a_stopped_app_runs_no_replicas_but_keeps_its_count() {
    DesiredApp app =
        DesiredApp.parse(command(d -> d.getJsonObject("desired").put("stopped", true)));

    assertThat(app.replicas()).isEqualTo(2);
    assertThat(app.runningReplicas()).isZero();
  }

  @Test
  void off_contract_commands_are_poison() {
    assertThatThrownBy(() -> DesiredApp.parse("{}")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> DesiredApp.parse(command(d -> d.remove("desired"))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("desired");
    assertThatThrownBy(() -> DesiredApp.parse(command(d -> d.put("namespace", "kube-system"))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("namespace");
    assertThatThrownBy(
            () -> DesiredApp.parse(command(d -> d.getJsonObject("desired").put("replicas", 11))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("replicas");
    assertThatThrownBy(() -> DesiredApp.parse(command(d -> d.put("generation", "three"))))
        .isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> DesiredApp.parse(command(d -> d.put("k8sName", "Web_U7"))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("k8sName");
  }

  private static String command(Consumer<JsonObject> edit) {
    JsonObject data =
        new JsonObject()
            .put("command", "scale")
            .put("appId", APP)
            .put("userId", 7)
            .put("name", "web")
            .put("cluster", "default")
            .put("namespace", "astro-user-7")
            .put("k8sName", "web-u7")
            .put("generation", 3)
            .put(
                "desired",
                new JsonObject()
                    .put("image", "nginx:1.27")
                    .put("replicas", 2)
                    .put("port", 8080)
                    .put("stopped", false)
                    .putNull("restartedAt")
                    .put("deleted", false));
    edit.accept(data);
    return new String(
        EventCodec.encode(EventCodec.create(DesiredApp.TYPE, "/astro/app-service", APP, data)),
        StandardCharsets.UTF_8);
  }
}
