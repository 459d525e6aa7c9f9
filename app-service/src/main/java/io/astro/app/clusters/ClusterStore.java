package io.astro.app.clusters;

import io.astro.app.store.Page;
import io.astro.common.db.Database;
import io.astro.common.db.outbox.OutboxMessage;
import io.astro.common.db.outbox.OutboxStore;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.cluster.ClusterPublicUrls;
import io.astro.common.events.cluster.ClusterStatus;
import io.astro.common.events.cluster.ClusterStatusEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * All SQL on clusters and their latest health. Every change of a cluster writes its {@code
 * astro.clusters} outbox row in the same transaction, so the sync-worker's registry follows the
 * table.
 */
public final class ClusterStore {

  private static final String SELECT =
      "SELECT c.id, c.name, c.description, c.labels, c.public_urls, c.kubeconfig, c.key_id,"
          + " c.api_server, c.revision, c.sync_requested_at, c.created_at, c.updated_at,"
          + " s.status, s.version, s.api_server AS state_api_server, s.nodes, s.ready_nodes, s.cpu_cores, s.memory_bytes,"
          + " s.heartbeat_at, s.error, s.checked_at,"
          + " (SELECT COUNT(*) FROM apps a WHERE a.cluster_id = c.name AND a.deleted_at IS NULL) AS app_count"
          + " FROM clusters c LEFT JOIN cluster_states s ON s.name = c.name";

  private final Pool pool;

  public ClusterStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores a new cluster and its record; {@link ImportOutcome.NameTaken} when the name is taken.
   */
  public Future<ImportOutcome> insert(Cluster cluster, OutboxMessage message) {
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(
                        "INSERT INTO clusters (id, name, description, labels, public_urls, kubeconfig, key_id,"
                            + " api_server, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .execute(
                        Tuple.tuple()
                            .addString(cluster.id())
                            .addString(cluster.name())
                            .addValue(cluster.description())
                            .addString(cluster.labels().encode())
                            .addValue(urlsColumn(cluster.publicUrls()))
                            .addString(cluster.sealedKubeconfig())
                            .addString(cluster.keyId())
                            .addValue(cluster.apiServer())
                            .addLong(cluster.revision()))
                    .compose(v -> OutboxStore.insert(conn, cluster.name(), message)))
        .<ImportOutcome>compose(
            v ->
                find(cluster.id())
                    .map(
                        stored ->
                            new ImportOutcome.Imported(
                                stored.orElseThrow(
                                    () -> new IllegalStateException("cluster not read back")))))
        .recover(
            failure ->
                Database.isDuplicateKey(failure)
                    ? Future.succeededFuture(new ImportOutcome.NameTaken(cluster.name()))
                    : Database.unavailable(failure));
  }

  /** A live cluster; empty when there is none with that id. */
  public Future<Optional<Cluster>> find(String id) {
    return pool.preparedQuery(SELECT + " WHERE c.id = ? AND c.deleted_at IS NULL")
        .execute(Tuple.of(id))
        .recover(Database::unavailable)
        .map(
            rows ->
                rows.size() == 0 ? Optional.empty() : Optional.of(cluster(rows.iterator().next())));
  }

  /**
   * Live clusters, newest first; {@code status} as shown (unknown = never checked), {@code label} =
   * key, value.
   */
  public Future<Page<Cluster>> list(
      String status, String search, String labelKey, String labelValue, int page, int limit) {
    StringBuilder where = new StringBuilder(" WHERE c.deleted_at IS NULL");
    Tuple args = Tuple.tuple();
    if (status != null) {
      where.append(" AND COALESCE(s.status, ?) = ?");
      args.addString(ClusterStatus.UNKNOWN.value()).addString(status);
    }
    if (search != null) {
      where.append(" AND c.name LIKE ?");
      args.addString(
          "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
    }
    if (labelKey != null) {
      where.append(" AND JSON_UNQUOTE(JSON_EXTRACT(c.labels, CONCAT('$.\"', ?, '\"'))) = ?");
      args.addString(labelKey).addString(labelValue);
    }
    Tuple pageArgs = Tuple.tuple();
    for (int i = 0; i < args.size(); i++) {
      pageArgs.addValue(args.getValue(i));
    }
    pageArgs.addInteger(limit).addInteger((page - 1) * limit);
    return pool.preparedQuery(
            "SELECT COUNT(*) FROM clusters c LEFT JOIN cluster_states s ON s.name = c.name" + where)
        .execute(args)
        .compose(
            count ->
                pool.preparedQuery(SELECT + where + " ORDER BY c.seq DESC LIMIT ? OFFSET ?")
                    .execute(pageArgs)
                    .map(rows -> new Page<>(clusters(rows), count.iterator().next().getLong(0))))
        .recover(Database::unavailable);
  }

  /** Every live cluster, for placement and re-encryption. */
  public Future<List<Cluster>> all() {
    return pool.query(SELECT + " WHERE c.deleted_at IS NULL ORDER BY c.seq")
        .execute()
        .map(ClusterStore::clusters)
        .recover(Database::unavailable);
  }

  /**
   * Changes a live cluster under its row lock: {@code change} returns the cluster after the change
   * and the outbox message announcing it. Answers the cluster as stored after; empty when there is
   * no live cluster with that id.
   */
  public Future<Optional<Cluster>> update(String id, Function<Cluster, Changed> change) {
    return pool.withTransaction(
            conn ->
                lock(conn, id)
                    .compose(
                        found -> {
                          if (found.isEmpty()) {
                            return Future.succeededFuture(false);
                          }
                          Changed changed = change.apply(found.get());
                          Cluster c = changed.cluster();
                          return conn.preparedQuery(
                                  "UPDATE clusters SET description = ?, labels = ?, public_urls = ?, kubeconfig = ?,"
                                      + " key_id = ?, api_server = ?, revision = ?, sync_requested_at = ? WHERE id = ?")
                              .execute(
                                  Tuple.tuple()
                                      .addValue(c.description())
                                      .addString(c.labels().encode())
                                      .addValue(urlsColumn(c.publicUrls()))
                                      .addString(c.sealedKubeconfig())
                                      .addString(c.keyId())
                                      .addValue(c.apiServer())
                                      .addLong(c.revision())
                                      .addValue(utc(c.syncRequestedAt()))
                                      .addString(id))
                              .compose(v -> OutboxStore.insert(conn, c.name(), changed.message()))
                              .map(true);
                        }))
        // a kubeconfig that does not open is the change's own refusal, not the database's
        .recover(
            e ->
                e instanceof ClusterService.SealBroken
                    ? Future.failedFuture(e)
                    : Database.unavailable(e))
        .compose(updated -> updated ? find(id) : Future.succeededFuture(Optional.empty()));
  }

  /** The cluster after a change and the record that announces it. */
  public record Changed(Cluster cluster, OutboxMessage message) {}

  /**
   * Soft-deletes a cluster and announces its tombstone. With live apps on it, {@link
   * DeleteOutcome.InUse} unless {@code force}, which marks those apps {@code unknown}.
   */
  public Future<DeleteOutcome> delete(String id, boolean force, OutboxMessage tombstone) {
    return pool.withTransaction(
            conn ->
                lock(conn, id)
                    .compose(
                        found -> {
                          if (found.isEmpty()) {
                            return Future.<DeleteOutcome>succeededFuture(
                                new DeleteOutcome.NotFound());
                          }
                          Cluster current = found.get();
                          Future<Void> apps = Future.succeededFuture();
                          if (current.appCount() > 0) {
                            if (!force) {
                              return Future.<DeleteOutcome>succeededFuture(
                                  new DeleteOutcome.InUse(current.name(), current.appCount()));
                            }
                            apps =
                                conn.preparedQuery(
                                        "UPDATE apps SET status = ?, reason = 'ClusterDeleted',"
                                            + " message = 'the cluster this app was placed on was removed' WHERE cluster_id = ? AND deleted_at IS NULL")
                                    .execute(Tuple.of(AppStatus.UNKNOWN.value(), current.name()))
                                    .mapEmpty();
                          }
                          return apps.compose(
                                  v ->
                                      conn.preparedQuery(
                                              "UPDATE clusters SET deleted_at = CURRENT_TIMESTAMP(3) WHERE id = ?")
                                          .execute(Tuple.of(id)))
                              .compose(
                                  v ->
                                      conn.preparedQuery(
                                              "DELETE FROM cluster_states WHERE name = ?")
                                          .execute(Tuple.of(current.name())))
                              .compose(v -> OutboxStore.insert(conn, current.name(), tombstone))
                              .<DeleteOutcome>map(new DeleteOutcome.Deleted());
                        }))
        .recover(Database::unavailable);
  }

  /** The cluster the user's live apps are on; empty for a user without live apps. */
  public Future<Optional<String>> clusterOfUser(long userId) {
    return pool.preparedQuery(
            "SELECT cluster_id FROM apps WHERE user_id = ? AND deleted_at IS NULL LIMIT 1")
        .execute(Tuple.of(userId))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.<String>empty()
                    : Optional.of(rows.iterator().next().getString(0)))
        .recover(Database::unavailable);
  }

  /** Replicas asked for by the live, running apps of each cluster (by name). */
  public Future<Map<String, Integer>> replicasByCluster() {
    return pool.query(
            "SELECT cluster_id, SUM(replicas) FROM apps WHERE deleted_at IS NULL AND stopped = FALSE"
                + " GROUP BY cluster_id")
        .execute()
        .map(
            rows -> {
              Map<String, Integer> load = new HashMap<>();
              rows.forEach(r -> load.put(r.getString(0), r.getNumeric(1).intValue()));
              return load;
            })
        .recover(Database::unavailable);
  }

  /**
   * Keeps a health check if it is newer than the one held (by {@code checked_at}); true when it was
   * applied.
   */
  public Future<Boolean> applyState(ClusterStatusEvent s) {
    // checked_at is assigned last: the IFs before it compare against the row's previous value
    return pool.preparedQuery(
            "INSERT INTO cluster_states (name, status, version, api_server, nodes, ready_nodes,"
                + " cpu_cores, memory_bytes, heartbeat_at, error, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON DUPLICATE KEY UPDATE"
                + " status = IF(VALUES(checked_at) > checked_at, VALUES(status), status),"
                + " version = IF(VALUES(checked_at) > checked_at, VALUES(version), version),"
                + " api_server = IF(VALUES(checked_at) > checked_at, VALUES(api_server), api_server),"
                + " nodes = IF(VALUES(checked_at) > checked_at, VALUES(nodes), nodes),"
                + " ready_nodes = IF(VALUES(checked_at) > checked_at, VALUES(ready_nodes), ready_nodes),"
                + " cpu_cores = IF(VALUES(checked_at) > checked_at, VALUES(cpu_cores), cpu_cores),"
                + " memory_bytes = IF(VALUES(checked_at) > checked_at, VALUES(memory_bytes), memory_bytes),"
                + " heartbeat_at = IF(VALUES(checked_at) > checked_at, COALESCE(VALUES(heartbeat_at), heartbeat_at),"
                + " heartbeat_at),"
                + " error = IF(VALUES(checked_at) > checked_at, VALUES(error), error),"
                + " checked_at = GREATEST(VALUES(checked_at), checked_at)")
        .execute(
            Tuple.tuple()
                .addString(s.name())
                .addString(s.status().value())
                .addValue(s.version())
                .addValue(s.apiServer())
                .addValue(s.nodes())
                .addValue(s.readyNodes())
                .addValue(s.cpuCores() == null ? null : BigDecimal.valueOf(s.cpuCores()))
                .addValue(s.memoryBytes())
                .addValue(utc(s.heartbeatAt()))
                .addValue(s.error())
                .addValue(utc(s.checkedAt())))
        .map(rows -> rows.rowCount() > 0)
        .recover(Database::unavailable);
  }

  /**
   * The clusters that have health checks but were never imported (or whose import was deleted):
   * those of the sync-worker's own {@code ASTRO_CLUSTERS}, by name, with their live app count.
   */
  public Future<List<Cluster>> unimported() {
    return pool.query(
            "SELECT s.name, s.status, s.version, s.api_server AS state_api_server, s.nodes,"
                + " s.ready_nodes, s.cpu_cores, s.memory_bytes, s.heartbeat_at, s.error,"
                + " s.checked_at,"
                + " (SELECT COUNT(*) FROM apps a WHERE a.cluster_id = s.name AND a.deleted_at IS NULL)"
                + " AS app_count"
                + " FROM cluster_states s WHERE NOT EXISTS (SELECT 1 FROM clusters c"
                + " WHERE c.name = s.name AND c.deleted_at IS NULL) ORDER BY s.name")
        .execute()
        .map(
            rows -> {
              List<Cluster> out = new ArrayList<>(rows.size());
              rows.forEach(
                  r ->
                      out.add(
                          Cluster.fromConfiguration(
                              r.getString("name"),
                              state(r, r.getString("name")),
                              r.getInteger("app_count"))));
              return out;
            })
        .recover(Database::unavailable);
  }

  /** Whether a live imported cluster has this name. */
  public Future<Boolean> isImported(String name) {
    return pool.preparedQuery("SELECT 1 FROM clusters WHERE name = ? AND deleted_at IS NULL")
        .execute(Tuple.of(name))
        .map(rows -> rows.size() > 0)
        .recover(Database::unavailable);
  }

  /** Live apps placed on {@code name}. */
  public Future<Integer> appCount(String name) {
    return pool.preparedQuery(
            "SELECT COUNT(*) FROM apps WHERE cluster_id = ? AND deleted_at IS NULL")
        .execute(Tuple.of(name))
        .map(rows -> rows.iterator().next().getInteger(0))
        .recover(Database::unavailable);
  }

  /**
   * The latest health of a cluster by name; empty if none was reported (e.g. a cluster from static
   * config).
   */
  public Future<Optional<ClusterStatusEvent>> state(String name) {
    return pool.preparedQuery(
            "SELECT name, status, version, api_server AS state_api_server, nodes, ready_nodes,"
                + " cpu_cores, memory_bytes, heartbeat_at, error, checked_at FROM cluster_states WHERE name = ?")
        .execute(Tuple.of(name))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.<ClusterStatusEvent>empty()
                    : Optional.of(state(rows.iterator().next(), name)))
        .recover(Database::unavailable);
  }

  private static Future<Optional<Cluster>> lock(SqlConnection conn, String id) {
    return conn.preparedQuery(SELECT + " WHERE c.id = ? AND c.deleted_at IS NULL FOR UPDATE")
        .execute(Tuple.of(id))
        .map(
            rows ->
                rows.size() == 0 ? Optional.empty() : Optional.of(cluster(rows.iterator().next())));
  }

  private static List<Cluster> clusters(RowSet<Row> rows) {
    List<Cluster> clusters = new ArrayList<>(rows.size());
    rows.forEach(r -> clusters.add(cluster(r)));
    return clusters;
  }

  // the event's shape of the settings; NULL when the cluster overrides none
  private static String urlsColumn(ClusterPublicUrls urls) {
    return urls.isEmpty() ? null : urls.toData().encode();
  }

  private static ClusterPublicUrls urls(Object column) {
    if (column == null) {
      return ClusterPublicUrls.NONE;
    }
    return ClusterPublicUrls.fromData(
        column instanceof JsonObject o ? o : new JsonObject(column.toString()));
  }

  private static Cluster cluster(Row r) {
    Object labels = r.getValue("labels");
    ClusterStatusEvent state = r.getString("status") == null ? null : state(r, r.getString("name"));
    return new Cluster(
        r.getString("id"),
        r.getString("name"),
        r.getString("description"),
        labels instanceof JsonObject o ? o : new JsonObject(labels.toString()),
        urls(r.getValue("public_urls")),
        r.getString("kubeconfig"),
        r.getString("key_id"),
        r.getString("api_server"),
        r.getLong("revision"),
        instant(r.getLocalDateTime("sync_requested_at")),
        instant(r.getLocalDateTime("created_at")),
        instant(r.getLocalDateTime("updated_at")),
        state,
        r.getInteger("app_count"));
  }

  private static ClusterStatusEvent state(Row r, String name) {
    BigDecimal cpu = r.getBigDecimal("cpu_cores");
    return new ClusterStatusEvent(
        name,
        ClusterStatus.of(r.getString("status")),
        r.getString("version"),
        r.getString("state_api_server"),
        r.getInteger("nodes"),
        r.getInteger("ready_nodes"),
        cpu == null ? null : cpu.doubleValue(),
        r.getLong("memory_bytes"),
        instant(r.getLocalDateTime("heartbeat_at")),
        r.getString("error"),
        instant(r.getLocalDateTime("checked_at")));
  }

  private static Instant instant(LocalDateTime utc) {
    return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
  }

  private static LocalDateTime utc(Instant instant) {
    return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
