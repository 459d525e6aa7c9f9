package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  @Test
  void defaults_suit_a_local_run() {
    GatewayConfig config = GatewayConfig.from(Env.of(Map.of()));

    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.userService()).isEqualTo(URI.create("http://localhost:8081"));
    assertThat(config.appService()).isEqualTo(URI.create("http://localhost:8082"));
    assertThat(config.keys().fixed()).isFalse();
    assertThat(config.keys().jwks())
        .isEqualTo(URI.create("http://localhost:8081/.well-known/jwks.json"));
    // a revoked personal token's access tokens must stop working within 15 s
    assertThat(config.disabledPoll()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.tokenCache()).isEqualTo(10_000);
    assertThat(config.resilience().timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.resilience().failureRate()).isEqualTo(50);
    assertThat(config.resilience().openFor()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.resilience().retryAttempts()).isEqualTo(3);
    assertThat(config.authRate())
        .isEqualTo(new GatewayConfig.RateLimit(120, Duration.ofMinutes(1)));
    assertThat(config.userRate()).isEqualTo(new GatewayConfig.RateLimit(50, Duration.ofSeconds(1)));
    assertThat(config.corsOrigins()).isEmpty();
    assertThat(config.trustForwarded()).isFalse();
    assertThat(config.streams())
        .isEqualTo(new GatewayConfig.Streams(10, Duration.ofMinutes(30), 500));
  }

  @Test
  void reads_lists_and_urls() {
    GatewayConfig config =
        GatewayConfig.from(
            Env.of(
                Map.of(
                    "ASTRO_USER_SERVICE_URL", "http://user-service:8081/",
                    "ASTRO_CORS_ORIGINS", "https://a.example.com, https://b.example.com,")));

    assertThat(config.userService()).isEqualTo(URI.create("http://user-service:8081"));
    assertThat(config.corsOrigins())
        .isEqualTo(List.of("https://a.example.com", "https://b.example.com"));
  }

  @Test
  void refuses_values_that_would_break_a_promise() {
    assertThatThrownBy(
            () -> GatewayConfig.from(Env.of(Map.of("ASTRO_GATEWAY_DISABLED_POLL", "2m"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_GATEWAY_DISABLED_POLL");
    assertThatThrownBy(
            () -> GatewayConfig.from(Env.of(Map.of("ASTRO_APP_SERVICE_URL", "ftp://x/y"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_APP_SERVICE_URL");
    assertThatThrownBy(
            () -> GatewayConfig.from(Env.of(Map.of("ASTRO_GATEWAY_STREAMS_PER_USER", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_GATEWAY_STREAMS_PER_USER");
    assertThatThrownBy(() -> Main.start(Env.of(Map.of("ASTRO_JWT_PUBLIC_KEY", "not a key"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_JWT_PUBLIC_KEY");
  }
}
