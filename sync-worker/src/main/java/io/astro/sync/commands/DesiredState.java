package io.astro.sync.commands;

import io.astro.common.events.app.AppCommand;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest desired state of every app this worker owns, rebuilt from the compacted command topic.
 * A record whose generation is not newer than the one held changes nothing, so replays and
 * duplicates are harmless. Thread-safe: written by the command consumer, read by reconcile workers.
 */
public final class DesiredState {

  private record Held(AppCommand app, int partition) {}

  private final Map<String, Held> apps = new ConcurrentHashMap<>();

  /** Records {@code app} if it is newer than what is held; true when it was. */
  public boolean offer(AppCommand app, int partition) {
    boolean[] newer = {false};
    apps.compute(
        app.appId(),
        (id, held) -> {
          if (held != null && held.app().generation() >= app.generation()) {
            return held;
          }
          newer[0] = true;
          return new Held(app, partition);
        });
    return newer[0];
  }

  /**
   * Forgets an app whose delete is complete (a tombstone on the commands topic); a later command
   * for the same id is taken whatever its generation.
   */
  public void forget(String appId) {
    if (appId != null) {
      apps.remove(appId);
    }
  }

  public Optional<AppCommand> get(String appId) {
    Held held = apps.get(appId);
    return held == null ? Optional.empty() : Optional.of(held.app());
  }

  /** Forgets the apps of partitions this worker no longer owns; answers their ids. */
  public List<String> release(Collection<Integer> partitions) {
    List<String> released =
        apps.entrySet().stream()
            .filter(e -> partitions.contains(e.getValue().partition()))
            .map(Map.Entry::getKey)
            .toList();
    released.forEach(apps::remove);
    return released;
  }

  public List<String> appsOn(String cluster) {
    return apps.values().stream()
        .filter(h -> h.app().cluster().equals(cluster))
        .map(h -> h.app().appId())
        .toList();
  }

  public int size() {
    return apps.size();
  }
}
