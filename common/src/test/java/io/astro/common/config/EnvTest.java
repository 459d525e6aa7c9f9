package io.astro.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

  enum Format {
    JSON,
    TEXT
  }

  @Test
  void absent_or_blank_values_take_the_default() {
    Env env = Env.of(Map.of("BLANK", "  "));
    assertThat(env.string("MISSING", "d")).isEqualTo("d");
    assertThat(env.string("BLANK", "d")).isEqualTo("d");
    assertThat(env.integer("MISSING", 7, 0, 10)).isEqualTo(7);
    assertThat(env.bool("MISSING", true)).isTrue();
    assertThat(env.duration("MISSING", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    assertThat(env.oneOf("MISSING", Format.class, Format.JSON)).isEqualTo(Format.JSON);
  }

  @Test
  void values_are_parsed_into_their_types() {
    Env env =
        Env.of(
            Map.of(
                "PORT", "8081", "ON", "yes", "OFF", "false", "T1", "500ms", "T2", "5m", "T3", "24h",
                "SIZE", "1MiB", "SIZE2", "2048", "FMT", "text"));
    assertThat(env.integer("PORT", 0, 0, 65535)).isEqualTo(8081);
    assertThat(env.bool("ON", false)).isTrue();
    assertThat(env.bool("OFF", true)).isFalse();
    assertThat(env.duration("T1", null)).isEqualTo(Duration.ofMillis(500));
    assertThat(env.duration("T2", null)).isEqualTo(Duration.ofMinutes(5));
    assertThat(env.duration("T3", null)).isEqualTo(Duration.ofHours(24));
    assertThat(env.bytes("SIZE", 0)).isEqualTo(1024 * 1024);
    assertThat(env.bytes("SIZE2", 0)).isEqualTo(2048);
    assertThat(env.oneOf("FMT", Format.class, Format.JSON)).isEqualTo(Format.TEXT);
  }

  @Test
  void unusable_values_fail_naming_the_variable() {
    Env env =
        Env.of(
            Map.of(
                "PORT", "80x", "BIG", "70000", "B", "maybe", "T", "soon", "S", "lots", "F", "xml"));
    assertThatThrownBy(() -> env.integer("PORT", 0, 0, 65535))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PORT")
        .hasMessageContaining("80x");
    assertThatThrownBy(() -> env.integer("BIG", 0, 0, 65535))
        .hasMessageContaining("between 0 and 65535");
    assertThatThrownBy(() -> env.bool("B", false)).hasMessageContaining("B must be true or false");
    assertThatThrownBy(() -> env.duration("T", null)).hasMessageContaining("T must be a duration");
    assertThatThrownBy(() -> env.bytes("S", 0)).hasMessageContaining("S must be a size");
    assertThatThrownBy(() -> env.oneOf("F", Format.class, Format.JSON))
        .hasMessageContaining("[json, text]");
    assertThatThrownBy(() -> env.required("NOPE")).hasMessage("NOPE is required but not set");
  }

  @Test
  void overrides_win_over_the_base_environment() {
    Env env = Env.of(Map.of("A", "1", "B", "2")).with(Map.of("B", "3"));
    assertThat(env.string("A", null)).isEqualTo("1");
    assertThat(env.string("B", null)).isEqualTo("3");
  }

  @Test
  void http_settings_default_to_a_one_mebibyte_body_limit() {
    HttpSettings settings =
        HttpSettings.from(
            Env.of(Map.of("ASTRO_GATEWAY_PORT", "9000")),
            "ASTRO_GATEWAY_PORT",
            8080,
            "ASTRO_GATEWAY_MANAGEMENT_PORT",
            9080);
    assertThat(settings.port()).isEqualTo(9000);
    assertThat(settings.managementPort()).isEqualTo(9080);
    assertThat(settings.host()).isEqualTo("0.0.0.0");
    assertThat(settings.bodyLimitBytes()).isEqualTo(1024 * 1024);
  }

  @Test
  void the_management_port_is_free_when_the_port_is_and_never_the_same() {
    assertThat(HttpSettings.from(Env.of(Map.of("P", "0")), "P", 8080, "M", 9080).managementPort())
        .isZero();
    assertThat(
            HttpSettings.from(Env.of(Map.of("P", "0", "M", "9999")), "P", 8080, "M", 9080)
                .managementPort())
        .isEqualTo(9999);
    assertThatThrownBy(() -> HttpSettings.from(Env.of(Map.of("M", "8080")), "P", 8080, "M", 9080))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("M must differ from P");
  }
}
