package io.astro.gateway;

import io.astro.testkit.service.ServiceJarContract;
import java.util.Map;

class GatewayJarIT extends ServiceJarContract {
  GatewayJarIT() {
    super(Main.NAME, "ASTRO_GATEWAY_PORT", Map.of());
  }
}
