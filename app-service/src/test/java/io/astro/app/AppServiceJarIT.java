package io.astro.app;

import io.astro.testkit.service.ServiceJarContract;
import java.util.Map;

class AppServiceJarIT extends ServiceJarContract {
  AppServiceJarIT() {
    super(Main.NAME, "ASTRO_APP_SERVICE_PORT", Map.of());
  }
}
