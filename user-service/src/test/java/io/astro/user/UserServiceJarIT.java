package io.astro.user;

import io.astro.testkit.service.ServiceJarContract;
import java.util.Map;

class UserServiceJarIT extends ServiceJarContract {
  UserServiceJarIT() {
    super(Main.NAME, "ASTRO_USER_SERVICE_PORT", Map.of());
  }
}
