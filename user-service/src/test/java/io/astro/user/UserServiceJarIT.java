package io.astro.user;

import io.astro.testkit.Backends;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.service.ServiceJarContract;
import java.util.Map;

class UserServiceJarIT extends ServiceJarContract {

  UserServiceJarIT() {
    super(
        Main.NAME,
        "ASTRO_USER_SERVICE_PORT",
        databaseEnv(Backends.mysql().createDatabase("user_jar")),
        Readiness.up("start-up", "database"));
  }

  private static Map<String, String> databaseEnv(TestDatabase db) {
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
        // no broker: account events wait in the outbox
        "ASTRO_KAFKA_BOOTSTRAP",
        "127.0.0.1:1");
  }
}
