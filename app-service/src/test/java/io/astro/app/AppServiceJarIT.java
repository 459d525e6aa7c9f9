package io.astro.app;

import io.astro.testkit.Backends;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.service.ServiceJarContract;
import java.util.Map;

class AppServiceJarIT extends ServiceJarContract {

  AppServiceJarIT() {
    super(
        Main.NAME,
        "ASTRO_APP_SERVICE_PORT",
        env(Backends.mysql().createDatabase("app_jar")),
        // started without user-service: no token keys, no disabled-users list, so no traffic yet
        Readiness.up("database", "kafka").andDown("token-keys", "disabled-users"));
  }

  private static Map<String, String> env(TestDatabase db) {
    return Map.of(
        "ASTRO_DB_HOST",
        db.host(),
        "ASTRO_DB_PORT",
        Integer.toString(db.port()),
        "ASTRO_DB_NAME",
        db.database(),
        "ASTRO_DB_USER",
        db.user(),
        "ASTRO_DB_PASSWORD",
        db.password(),
        "ASTRO_KAFKA_BOOTSTRAP",
        Backends.kafka().bootstrapServers());
  }
}
