package io.astro.app.events;

import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.cluster.ClusterStatusEvent;

/**
 * Reads {@link ClusterStatusEvent}s (health checks published by the sync-worker) into what the
 * store keeps: text cut to what its columns hold. Anything off the contract is an {@link
 * InvalidEventException} for the dead-letter topic.
 */
public final class ClusterStatusEvents {

  private ClusterStatusEvents() {}

  public static ClusterStatusEvent parse(String value) {
    ClusterStatusEvent e = ClusterStatusEvent.decode(value);
    return new ClusterStatusEvent(
        e.name(),
        e.status(),
        cut(e.version(), 64),
        cut(e.apiServer(), 512),
        e.nodes(),
        e.readyNodes(),
        e.cpuCores(),
        e.memoryBytes(),
        e.heartbeatAt(),
        cut(e.error(), 1024),
        e.checkedAt());
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }
}
