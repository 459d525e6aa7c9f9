package io.astro.app.apps;

import io.astro.common.events.app.AppStatus;
import io.astro.common.events.cluster.ClusterStatusEvent;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;

/**
 * An app's detail with what its cluster's health says about it: on an unhealthy cluster it shows
 * {@code unknown} (reason {@code ClusterUnhealthy}, never the cluster's error; the stored status
 * comes back by itself once the cluster recovers), and its status is {@code stale} when the cluster
 * has not answered a health check for two intervals.
 */
public final class AppDetail {

  private final Duration healthInterval;

  public AppDetail(Duration healthInterval) {
    this.healthInterval = healthInterval;
  }

  /**
   * {@code state} is null for a cluster without health checks (one from the sync-worker's static
   * config).
   */
  public JsonObject toJson(App app, ClusterStatusEvent state, Instant now) {
    JsonObject json = app.toJson();
    if (state == null) {
      return json.put("stale", false);
    }
    json.put("cluster_status", state.status().value());
    if (!state.healthy() && app.status() != AppStatus.DELETING) {
      // the cluster's error is for operators (the clusters API): it names hosts and addresses
      json.put("status", AppStatus.UNKNOWN.value())
          .put("reason", TenantText.CLUSTER_UNHEALTHY)
          .put("message", TenantText.of(TenantText.CLUSTER_UNHEALTHY));
    }
    boolean silent =
        state.heartbeatAt() == null
            || state.heartbeatAt().isBefore(now.minus(healthInterval.multipliedBy(2)));
    return json.put("stale", !state.healthy() || silent);
  }
}
