package io.astro.common.events.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A command record is read into desired state, or refused as poison when it is off the contract.
 */
class AppCommandTest {

  private static final String APP = "0b6f8a36-2f7e-4f5e-9a55-6b3c1b3c9d01";
  private static final String SEALED = "v1.k1.bm9uY2UtY2lwaGVydGV4dC10YWc=";

  @Test
  void a_valid_command_becomes_the_whole_desired_state() {
    AppCommand app = AppCommand.decode(command(d -> {}));

    assertThat(app.appId()).isEqualTo(APP);
    assertThat(app.userId()).isEqualTo(7);
    assertThat(app.k8sName()).isEqualTo(KubeNames.objectName("web", 7));
    assertThat(app.generation()).isEqualTo(3);
    assertThat(app.desired().port()).isEqualTo(8080);
    assertThat(app.runningReplicas()).isEqualTo(2);
  }

  @Test
  void a_stopped_app_runs_no_replicas_but_keeps_its_count() {
    AppCommand app =
        AppCommand.decode(command(d -> d.getJsonObject("desired").put("stopped", true)));

    assertThat(app.desired().replicas()).isEqualTo(2);
    assertThat(app.runningReplicas()).isZero();
  }

  @Test
  void an_app_with_a_port_is_public_unless_the_command_says_otherwise() {
    AppCommand before =
        AppCommand.decode(command(d -> d.getJsonObject("desired").remove("public")));
    AppCommand internal =
        AppCommand.decode(command(d -> d.getJsonObject("desired").put("public", false)));
    AppCommand noPort = AppCommand.decode(command(d -> d.getJsonObject("desired").putNull("port")));

    assertThat(before.desired().isPublic()).isTrue();
    assertThat(before.desired().exposed()).isTrue();
    assertThat(internal.desired().exposed()).isFalse();
    assertThat(noPort.desired().exposed()).isFalse();
    assertThat(AppCommand.decode(internal.encode())).isEqualTo(internal);
    assertThatThrownBy(
            () -> AppCommand.decode(command(d -> d.getJsonObject("desired").put("public", "no"))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("public");
  }

  @Test
  void custom_domains_are_optional_and_must_be_host_names() {
    AppCommand before =
        AppCommand.decode(command(d -> d.getJsonObject("desired").remove("domains")));
    AppCommand withDomains =
        AppCommand.decode(
            command(
                d ->
                    d.getJsonObject("desired")
                        .put("domains", new JsonArray().add("www.example.org"))));

    assertThat(before.desired().domains()).isEmpty();
    assertThat(withDomains.desired().domains()).containsExactly("www.example.org");
    assertThat(AppCommand.decode(withDomains.encode())).isEqualTo(withDomains);
    for (String bad : List.of("*.example.org", "Example.org", "localhost", "a..b")) {
      assertThatThrownBy(
              () ->
                  AppCommand.decode(
                      command(
                          d ->
                              d.getJsonObject("desired").put("domains", new JsonArray().add(bad)))))
          .as(bad)
          .isInstanceOf(InvalidEventException.class)
          .hasMessageContaining("domains");
    }
  }

  @Test
  void off_contract_commands_are_poison() {
    assertThatThrownBy(() -> AppCommand.decode("{}")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> AppCommand.decode(command(d -> d.remove("desired"))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("desired");
    assertThatThrownBy(() -> AppCommand.decode(command(d -> d.put("namespace", "kube-system"))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("namespace");
    assertThatThrownBy(
            () -> AppCommand.decode(command(d -> d.getJsonObject("desired").put("replicas", 11))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("replicas");
    assertThatThrownBy(() -> AppCommand.decode(command(d -> d.put("generation", "three"))))
        .isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> AppCommand.decode(command(d -> d.put("k8sName", "Web_U7"))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("k8sName");
    assertThatThrownBy(() -> AppCommand.decode(command(d -> d.put("command", "explode"))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("command");
  }

  @Test
  void the_subject_must_be_the_app() {
    String other =
        EventCodec.encodeText(
            EventCodec.create(
                AppCommand.TYPE,
                AppCommand.SOURCE,
                "another",
                EventCodec.data(EventCodec.decode(command(d -> {}), AppCommand.TYPE))));

    assertThatThrownBy(() -> AppCommand.decode(other))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("subject");
  }

  @Test
  void secrets_travel_sealed_and_named() {
    AppCommand app = AppCommand.decode(command(d -> {}));

    assertThat(app.desired().release().secretNames()).containsExactly("API_KEY");
    assertThatThrownBy(() -> AppCommand.decode(command(d -> release(d).put("secrets", "hunter2"))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("not sealed")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(
            () -> AppCommand.decode(command(d -> release(d).put("secretNames", new JsonArray()))))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("secretNames");
  }

  @Test
  void a_v1_command_left_on_the_topic_is_read_as_release_0_with_no_settings() {
    AppCommandV1 old =
        new AppCommandV1(
            AppCommand.Command.STOP,
            APP,
            7,
            "web",
            "default",
            KubeNames.namespace(7),
            KubeNames.objectName("web", 7),
            5,
            new AppCommandV1.Desired("nginx:1.27", 2, 8080, true, null, false));

    AppCommand app = AppCommand.read(old.encode());

    assertThat(app.generation()).isEqualTo(5);
    assertThat(app.desired().image()).isEqualTo("nginx:1.27");
    assertThat(app.runningReplicas()).isZero();
    assertThat(app.desired().release()).isEqualTo(AppCommand.Release.BEFORE_RELEASES);
    assertThat(AppCommand.read(command(d -> {}))).isEqualTo(AppCommand.decode(command(d -> {})));
    assertThatThrownBy(() -> AppCommand.decode(old.encode()))
        .isInstanceOf(InvalidEventException.class);
  }

  @Test
  void what_is_encoded_decodes_to_the_same_command() {
    AppCommand app = AppCommand.decode(command(d -> {}));

    assertThat(AppCommand.decode(app.encode())).isEqualTo(app);
  }

  private static JsonObject release(JsonObject data) {
    return data.getJsonObject("desired").getJsonObject("release");
  }

  private static String command(Consumer<JsonObject> edit) {
    JsonObject data =
        new JsonObject()
            .put("command", "scale")
            .put("appId", APP)
            .put("userId", 7)
            .put("name", "web")
            .put("cluster", "default")
            .put("namespace", KubeNames.namespace(7))
            .put("k8sName", KubeNames.objectName("web", 7))
            .put("generation", 3)
            .put(
                "desired",
                new JsonObject()
                    .put("image", "nginx:1.27")
                    .put("replicas", 2)
                    .put("port", 8080)
                    .put("stopped", false)
                    .putNull("restartedAt")
                    .put("deleted", false)
                    .put(
                        "release",
                        new JsonObject()
                            .put("number", 2)
                            .put("env", new JsonObject().put("MODE", "production"))
                            .put("secretNames", new JsonArray().add("API_KEY"))
                            .put("secrets", SEALED)
                            .putNull("command")
                            .putNull("args")
                            .putNull("resources")
                            .putNull("healthCheck")
                            .putNull("imagePullSecret")));
    edit.accept(data);
    return EventCodec.encodeText(EventCodec.create(AppCommand.TYPE, AppCommand.SOURCE, APP, data));
  }
}
