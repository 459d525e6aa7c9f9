package io.astro.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevOptionsTest {

  @Test
  void defaults_are_one_machine_on_the_usual_ports_with_state_in_dot_astro() {
    DevOptions options = DevOptions.parse(new String[0], Map.of());
    assertThat(options.workDir()).isEqualTo(Path.of(".astro").toAbsolutePath());
    assertThat(options.reset()).isFalse();
    assertThat(options.kubeconfig()).isNull();
    assertThat(options.httpHost()).isEqualTo("127.0.0.1");
    assertThat(options.ports())
        .isEqualTo(new DevOptions.Ports(8080, 8081, 8082, 8083, 9092, 9093, 3306));
  }

  @Test
  void the_command_line_asks_for_a_reset_and_a_real_cluster_which_the_environment_can_name_too() {
    DevOptions options =
        DevOptions.parse(new String[] {"--reset", "--kubeconfig", "kind.yaml"}, Map.of());
    assertThat(options.reset()).isTrue();
    assertThat(options.kubeconfig()).isEqualTo(Path.of("kind.yaml").toAbsolutePath());
    assertThat(
            DevOptions.parse(new String[0], Map.of("ASTRO_KUBECONFIG", "/k/config")).kubeconfig())
        .isEqualTo(Path.of("/k/config"));
    assertThat(
            DevOptions.parse(new String[] {"--kubeconfig", "/a"}, Map.of("ASTRO_KUBECONFIG", "/b"))
                .kubeconfig())
        .isEqualTo(Path.of("/a"));
  }

  @Test
  void ports_and_directory_move_with_the_services_own_variables() {
    DevOptions options =
        DevOptions.parse(
            new String[0],
            Map.of(
                "ASTRO_GATEWAY_PORT",
                "18080",
                "ASTRO_DEV_KAFKA_PORT",
                "19092",
                "ASTRO_DEV_DB_PORT",
                "13306",
                "ASTRO_DEV_DIR",
                "/srv/astro",
                "ASTRO_HTTP_HOST",
                "0.0.0.0"));
    assertThat(options.ports().gateway()).isEqualTo(18080);
    assertThat(options.ports().kafka()).isEqualTo(19092);
    assertThat(options.ports().database()).isEqualTo(13306);
    assertThat(options.workDir()).isEqualTo(Path.of("/srv/astro"));
    assertThat(options.httpHost()).isEqualTo("0.0.0.0");
  }

  @Test
  void help_answers_nothing_to_run() {
    assertThat(DevOptions.parse(new String[] {"--help"}, Map.of())).isNull();
  }

  @Test
  void a_mistake_is_one_message_naming_it() {
    assertThatThrownBy(() -> DevOptions.parse(new String[] {"--rest"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown argument '--rest'; " + DevOptions.USAGE);
    assertThatThrownBy(() -> DevOptions.parse(new String[] {"--kubeconfig"}, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--kubeconfig needs a file");
    assertThatThrownBy(() -> DevOptions.parse(new String[0], Map.of("ASTRO_GATEWAY_PORT", "80x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_GATEWAY_PORT");
    assertThatThrownBy(() -> DevOptions.parse(new String[0], Map.of("ASTRO_DEV_DB_PORT", "8080")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("ASTRO_DEV_DB_PORT and ASTRO_GATEWAY_PORT are both 8080");
    assertThatThrownBy(
            () -> DevOptions.parse(new String[0], Map.of("ASTRO_ADMIN_USERNAME", "root")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_ADMIN_PASSWORD");
  }
}
