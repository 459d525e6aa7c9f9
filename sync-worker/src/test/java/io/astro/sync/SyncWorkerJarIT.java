package io.astro.sync;

import io.astro.testkit.service.ServiceJarContract;
import java.util.Map;

class SyncWorkerJarIT extends ServiceJarContract {
  SyncWorkerJarIT() {
    super(Main.NAME, "ASTRO_SYNC_WORKER_PORT", Map.of());
  }
}
