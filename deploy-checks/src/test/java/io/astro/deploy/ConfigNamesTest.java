package io.astro.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scan that the other checks trust: it finds what each service reads, and nothing it does not.
 */
class ConfigNamesTest {

  @Test
  void findsEachServicesOwnAndSharedNames() {
    assertThat(ConfigNames.of("gateway-service"))
        .contains(
            "ASTRO_GATEWAY_PORT",
            "ASTRO_USER_SERVICE_URL",
            "ASTRO_JWT_PUBLIC_KEY_FILE",
            "ASTRO_JWT_ISSUER",
            "ASTRO_HTTP_HOST",
            "ASTRO_LOG_FORMAT",
            "ASTRO_LOG_LEVEL")
        .doesNotContain(
            "ASTRO_DB_HOST", "ASTRO_INTERNAL_TOKEN", "ASTRO_KAFKA_BOOTSTRAP", "ASTRO_ENV");
    assertThat(ConfigNames.of("user-service"))
        .contains(
            "ASTRO_DB_HOST",
            "ASTRO_DB_PASSWORD_FILE",
            "ASTRO_JWT_PRIVATE_KEY_FILE",
            "ASTRO_JWT_PUBLIC_KEY_FILE",
            "ASTRO_ADMIN_PASSWORD",
            "ASTRO_ENV",
            // account events go out through its own outbox
            "ASTRO_KAFKA_BOOTSTRAP",
            "ASTRO_USERNAME_RESERVATION")
        .doesNotContain("ASTRO_INTERNAL_TOKEN", "ASTRO_CLUSTERS");
    assertThat(ConfigNames.of("app-service"))
        .contains(
            "ASTRO_DB_NAME",
            "ASTRO_KAFKA_BOOTSTRAP",
            "ASTRO_JWKS_URL",
            "ASTRO_ENV",
            "ASTRO_KUBECONFIG_KEYS_FILE",
            "ASTRO_INTERNAL_TOKEN_FILE",
            "ASTRO_DEFAULT_CLUSTER")
        .doesNotContain("ASTRO_JWT_PUBLIC_KEY", "ASTRO_CLUSTERS");
    assertThat(ConfigNames.of("sync-worker"))
        .contains(
            "ASTRO_CLUSTERS",
            "ASTRO_KAFKA_BOOTSTRAP",
            "ASTRO_KUBECONFIG_KEYS_FILE",
            "ASTRO_INTERNAL_TOKEN_FILE",
            "ASTRO_NAMESPACE_QUOTA_CPU")
        .doesNotContain("ASTRO_DB_HOST", "ASTRO_ENV", "ASTRO_JWKS_URL");
  }

  @Test
  void findsEachServicesPort() {
    assertThat(ConfigNames.port("gateway-service"))
        .isEqualTo(Map.entry("ASTRO_GATEWAY_PORT", 8080));
    assertThat(ConfigNames.port("user-service"))
        .isEqualTo(Map.entry("ASTRO_USER_SERVICE_PORT", 8081));
    assertThat(ConfigNames.port("app-service"))
        .isEqualTo(Map.entry("ASTRO_APP_SERVICE_PORT", 8082));
    assertThat(ConfigNames.port("sync-worker"))
        .isEqualTo(Map.entry("ASTRO_SYNC_WORKER_PORT", 8083));
  }
}
