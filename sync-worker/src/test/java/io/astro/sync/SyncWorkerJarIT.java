package io.astro.sync;

import io.astro.testkit.service.ServiceJarContract;
import java.util.Map;

class SyncWorkerJarIT extends ServiceJarContract {
  SyncWorkerJarIT() {
    // started without Kafka: no command partitions, no cluster topic
    super(Main.NAME, "ASTRO_SYNC_WORKER_PORT", Map.of(), Readiness.down("kafka", "clusters"));
  }
}
