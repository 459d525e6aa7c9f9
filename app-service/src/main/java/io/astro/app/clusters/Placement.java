package io.astro.app.clusters;

import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where a new app goes. A user's apps share one cluster (one namespace holds them), so only a
 * user's first app is placed: on the healthy cluster with the most free CPU among those carrying
 * the operator's placement labels. Free CPU is the allocatable cores the last health check saw,
 * less what the live apps there request. Without any imported cluster, apps go to the configured
 * default (a cluster the sync-worker knows from its own config).
 */
public final class Placement {

  /** The cluster chosen and why, shown in the app's detail. */
  public record Choice(String cluster, String reason) {}

  private final ClusterStore clusters;
  private final String defaultCluster;
  private final Map<String, String> labels;
  private final double coresPerReplica;

  public Placement(
      ClusterStore clusters,
      String defaultCluster,
      Map<String, String> labels,
      double coresPerReplica) {
    this.clusters = clusters;
    this.defaultCluster = defaultCluster;
    this.labels = labels;
    this.coresPerReplica = coresPerReplica;
  }

  /** Where the user's next app goes; empty when no healthy cluster can take it now. */
  public Future<Optional<Choice>> place(long userId) {
    return clusters
        .clusterOfUser(userId)
        .compose(
            existing ->
                existing.isPresent()
                    ? Future.succeededFuture(
                        Optional.of(new Choice(existing.get(), "with the user's other apps")))
                    : clusters
                        .all()
                        .compose(
                            all ->
                                all.isEmpty()
                                    ? Future.succeededFuture(
                                        Optional.of(
                                            new Choice(
                                                defaultCluster,
                                                "the default cluster (no clusters imported)")))
                                    : clusters.replicasByCluster().map(load -> choose(all, load))));
  }

  /** The placement labels a cluster must carry, as {@code key=value,…}; empty without any. */
  public String labelText() {
    return labels.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .sorted()
        .collect(Collectors.joining(","));
  }

  private Optional<Choice> choose(List<Cluster> all, Map<String, Integer> load) {
    List<Cluster> candidates =
        all.stream()
            .filter(c -> c.state() != null && c.state().healthy() && c.state().cpuCores() != null)
            .filter(
                c ->
                    labels.entrySet().stream()
                        .allMatch(l -> l.getValue().equals(c.labels().getString(l.getKey()))))
            .toList();
    Optional<Cluster> best =
        candidates.stream()
            .max(
                Comparator.comparingDouble((Cluster c) -> free(c, load))
                    .thenComparing(Cluster::name, Comparator.reverseOrder()));
    if (best.isEmpty()) {
      return Optional.empty();
    }
    Cluster c = best.get();
    return Optional.of(
        new Choice(
            c.name(),
            String.format(
                Locale.ROOT,
                "most free CPU (%.1f of %.1f cores) among %d healthy " + "cluster%s%s",
                free(c, load),
                c.state().cpuCores(),
                candidates.size(),
                candidates.size() == 1 ? "" : "s",
                labels.isEmpty() ? "" : " labelled " + labelText())));
  }

  private double free(Cluster c, Map<String, Integer> load) {
    return c.state().cpuCores() - load.getOrDefault(c.name(), 0) * coresPerReplica;
  }
}
