package io.astro.app.clusters;

import io.astro.app.store.Page;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The clusters Astro uses without an import: those of the sync-worker's own {@code ASTRO_CLUSTERS}
 * (dev mode's sandbox among them), known here by their health checks, and {@code
 * ASTRO_DEFAULT_CLUSTER}. They are listed after the imported ones with {@code static: true}, their
 * id is their name, and the clusters API does not change them (409, code 22006) — the operator's
 * configuration does.
 */
public final class StaticClusters {

  private final ClusterStore store;
  private final String defaultCluster;

  /**
   * @param defaultCluster {@code ASTRO_DEFAULT_CLUSTER}, or null
   */
  public StaticClusters(ClusterStore store, String defaultCluster) {
    this.store = store;
    this.defaultCluster = defaultCluster;
  }

  /** Every static cluster, by name. */
  public Future<List<Cluster>> all() {
    return store
        .unimported()
        .compose(
            found -> {
              if (defaultCluster == null
                  || found.stream().anyMatch(c -> c.name().equals(defaultCluster))) {
                return Future.succeededFuture(found);
              }
              return store
                  .isImported(defaultCluster)
                  .compose(
                      imported ->
                          imported
                              ? Future.succeededFuture(found)
                              : store
                                  .appCount(defaultCluster)
                                  .map(
                                      apps -> {
                                        List<Cluster> out = new ArrayList<>(found);
                                        out.add(
                                            Cluster.fromConfiguration(defaultCluster, null, apps));
                                        out.sort(java.util.Comparator.comparing(Cluster::name));
                                        return out;
                                      }));
            });
  }

  /** The static cluster of that name. */
  public Future<Optional<Cluster>> find(String name) {
    return all().map(list -> list.stream().filter(c -> c.name().equals(name)).findFirst());
  }

  /**
   * {@code imported} (a page of the imported clusters, filtered) followed by the static clusters
   * that pass the same filter: statics take the places after the last imported cluster, so pages
   * stay consistent. Statics have no labels, so a label filter leaves them out.
   */
  public Future<Page<Cluster>> append(
      Page<Cluster> imported,
      String status,
      String search,
      boolean labelFilter,
      int page,
      int limit) {
    if (labelFilter) {
      return Future.succeededFuture(imported);
    }
    return all()
        .map(
            statics -> {
              List<Cluster> matching =
                  statics.stream()
                      .filter(c -> status == null || c.status().value().equals(status))
                      .filter(c -> search == null || c.name().contains(search))
                      .toList();
              long importedTotal = imported.total();
              long from = (long) (page - 1) * limit;
              List<Cluster> items = new ArrayList<>(imported.items());
              // the page's next place after its imported clusters, counted among the statics
              long start = Math.max(0, from + items.size() - importedTotal);
              for (long i = start; i < matching.size() && items.size() < limit; i++) {
                items.add(matching.get((int) i));
              }
              return new Page<>(items, importedTotal + matching.size());
            });
  }
}
