package io.astro.gateway;

import io.astro.testkit.service.ServiceJarContract;
import java.util.Map;

class GatewayJarIT extends ServiceJarContract {
  GatewayJarIT() {
    // started alone: neither upstream answers, so no keys and no disabled-users list either
    super(
        Main.NAME,
        "ASTRO_GATEWAY_PORT",
        Map.of(),
        Readiness.down("user-service", "app-service", "token-keys", "disabled-users"));
  }
}
