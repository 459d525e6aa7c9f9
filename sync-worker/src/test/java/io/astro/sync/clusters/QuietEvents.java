package io.astro.sync.clusters;

import io.astro.sync.clusters.ClusterConnection.Events;

/** What a cluster connection tells, for a test that listens to none of it. */
public final class QuietEvents implements Events {
  @Override
  public void appTouched(String cluster, String appId) {}

  @Override
  public void unreachable(String cluster) {}

  @Override
  public void reconnected(String cluster) {}
}
