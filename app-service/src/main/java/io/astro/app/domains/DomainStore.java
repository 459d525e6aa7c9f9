package io.astro.app.domains;

import io.astro.app.apps.AppStore;
import io.astro.app.apps.WriteLimits;
import io.astro.common.db.Database;
import io.astro.common.events.cluster.ClusterPublicUrls;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * All SQL on custom domains. A claim, a removal and a verification each lock the app row first (as
 * every change of an app does); a domain's row is its claim across all users (primary key), and a
 * change of the app's verified domains is announced in the same transaction ({@link
 * AppStore#syncDomains}).
 */
public final class DomainStore {

  private static final String COLUMNS =
      "domain, app_id, user_id, token, status, reason, attempts, next_check_at, checked_at,"
          + " verified_at, created_at";

  /** The action a retry counts as in the write limits and the app's history. */
  public static final String VERIFY_ACTION = "verify_domain";

  private final Pool pool;
  private final WriteLimits limits;

  public DomainStore(Pool pool, WriteLimits limits) {
    this.pool = pool;
    this.limits = limits;
  }

  // the app's cluster's own apps domain (io.astro.cluster.v1's publicUrls, as stored), null if none
  private static final String CLUSTER_URLS =
      "(SELECT c.public_urls FROM clusters c WHERE c.name = apps.cluster_id AND c.deleted_at IS NULL)"
          + " AS public_urls";

  /**
   * Claims {@code domain} for the caller's live app, unless the app has {@code max} already, the
   * name is under a live cluster's apps domain, or the app has no apps domain at all (its
   * cluster's, else {@code defaultAppsDomain}).
   */
  public Future<DomainOutcome> add(Domain domain, int max, String defaultAppsDomain) {
    return Database.transaction(
            pool,
            conn ->
                lockApp(conn, domain.userId(), domain.appId())
                    .compose(
                        app -> {
                          if (app.isEmpty()) {
                            return Future.succeededFuture(new DomainOutcome.AppNotFound());
                          }
                          if (app.get().deleting()) {
                            return Future.succeededFuture(new DomainOutcome.BeingDeleted());
                          }
                          if (app.get().appsDomain() == null && defaultAppsDomain == null) {
                            return Future.succeededFuture(new DomainOutcome.NoPublicUrls());
                          }
                          return reservedBy(conn, domain.domain())
                              .compose(
                                  reserved ->
                                      reserved != null
                                          ? Future.succeededFuture(
                                              new DomainOutcome.Reserved(reserved))
                                          : claim(conn, domain, max, app.get()));
                        }))
        .recover(Database::unavailable);
  }

  private Future<DomainOutcome> claim(SqlConnection conn, Domain domain, int max, LockedApp app) {
    return ofApp(conn, domain.appId())
        .compose(
            existing -> {
              if (existing.stream().anyMatch(d -> d.domain().equals(domain.domain()))) {
                return Future.succeededFuture(new DomainOutcome.Taken(true));
              }
              if (existing.size() >= max) {
                return Future.succeededFuture(new DomainOutcome.LimitReached(max));
              }
              return insert(conn, domain)
                  .<DomainOutcome>map(
                      new DomainOutcome.Added(domain, app.k8sName(), app.appsDomain()))
                  .recover(
                      failure ->
                          Database.isDuplicateKey(failure)
                              ? Future.succeededFuture(new DomainOutcome.Taken(false))
                              : Future.failedFuture(failure));
            });
  }

  /** The live cluster's apps domain {@code name} is or is under; null when none. */
  private static Future<String> reservedBy(SqlConnection conn, String name) {
    return conn.query(
            "SELECT public_urls FROM clusters WHERE deleted_at IS NULL AND public_urls IS NOT NULL")
        .execute()
        .map(
            rows -> {
              for (Row row : rows) {
                String own = appsDomain(row.getValue("public_urls"));
                if (own != null && (name.equals(own) || name.endsWith("." + own))) {
                  return own;
                }
              }
              return null;
            });
  }

  private static String appsDomain(Object publicUrls) {
    if (publicUrls == null) {
      return null;
    }
    return ClusterPublicUrls.fromData(
            publicUrls instanceof JsonObject o ? o : new JsonObject(publicUrls.toString()))
        .appsDomain();
  }

  /** The domains of the caller's live app, by name. */
  public Future<DomainOutcome> list(long userId, String appId) {
    return pool.preparedQuery(
            "SELECT k8s_name, certificates, "
                + CLUSTER_URLS
                + " FROM apps WHERE id = ? AND user_id = ? AND deleted_at IS NULL")
        .execute(Tuple.of(appId, userId))
        .compose(
            apps -> {
              if (apps.size() == 0) {
                return Future.succeededFuture(new DomainOutcome.AppNotFound());
              }
              Row app = apps.iterator().next();
              String k8sName = app.getString("k8s_name");
              String appsDomain = appsDomain(app.getValue("public_urls"));
              Object stored = app.getValue("certificates");
              JsonArray certificates =
                  stored == null
                      ? new JsonArray()
                      : stored instanceof JsonArray a ? a : new JsonArray(stored.toString());
              return pool.preparedQuery(
                      "SELECT " + COLUMNS + " FROM app_domains WHERE app_id = ? ORDER BY domain")
                  .execute(Tuple.of(appId))
                  .<DomainOutcome>map(
                      rows ->
                          new DomainOutcome.Listed(
                              domains(rows), k8sName, appsDomain, certificates));
            })
        .recover(Database::unavailable);
  }

  /**
   * Frees {@code domain} of the caller's live app; a verified one leaves the app's Ingress with the
   * new generation this announces.
   */
  public Future<DomainOutcome> remove(long userId, String appId, String domain, Instant now) {
    return Database.transaction(
            pool,
            conn ->
                lockApp(conn, userId, appId)
                    .compose(
                        app -> {
                          if (app.isEmpty()) {
                            return Future.succeededFuture(new DomainOutcome.AppNotFound());
                          }
                          return conn.preparedQuery(
                                  "DELETE FROM app_domains WHERE domain = ? AND app_id = ?")
                              .execute(Tuple.of(domain, appId))
                              .compose(
                                  deleted ->
                                      deleted.rowCount() == 0
                                          ? Future.<DomainOutcome>succeededFuture(
                                              new DomainOutcome.DomainNotFound())
                                          : AppStore.syncDomains(conn, appId, now)
                                              .<DomainOutcome>map(
                                                  v -> new DomainOutcome.Removed()));
                        }))
        .recover(Database::unavailable);
  }

  /**
   * Looks at {@code domain} of the caller's live app again: a {@code failed} one goes back to
   * {@code pending_verification} with its token, no reason and a fresh back-off (attempts 0), due
   * now; a pending one is due now (its attempts kept). A verified one answers {@link
   * DomainOutcome.AlreadyVerified}. Counts as a write of the user ({@link WriteLimits}, action
   * {@value #VERIFY_ACTION}), recorded in the app's history.
   */
  public Future<DomainOutcome> retry(long userId, String appId, String domain, Instant now) {
    return Database.transaction(
            pool,
            conn ->
                lockApp(conn, userId, appId)
                    .compose(
                        app -> {
                          if (app.isEmpty()) {
                            return Future.succeededFuture(new DomainOutcome.AppNotFound());
                          }
                          return ofApp(conn, appId)
                              .compose(
                                  existing -> {
                                    Domain found =
                                        existing.stream()
                                            .filter(d -> d.domain().equals(domain))
                                            .findFirst()
                                            .orElse(null);
                                    if (found == null) {
                                      return Future.<DomainOutcome>succeededFuture(
                                          new DomainOutcome.DomainNotFound());
                                    }
                                    if (found.status() == DomainStatus.VERIFIED) {
                                      return Future.<DomainOutcome>succeededFuture(
                                          new DomainOutcome.AlreadyVerified());
                                    }
                                    return limits
                                        .check(conn, userId, appId, VERIFY_ACTION)
                                        .compose(
                                            throttled ->
                                                throttled.isPresent()
                                                    ? Future.<DomainOutcome>succeededFuture(
                                                        new DomainOutcome.Throttled(
                                                            throttled.get()))
                                                    : lookAgain(conn, found, now)
                                                        .<DomainOutcome>map(
                                                            again ->
                                                                new DomainOutcome.Retried(
                                                                    again,
                                                                    app.get().k8sName(),
                                                                    app.get().appsDomain())));
                                  });
                        }))
        .recover(Database::unavailable);
  }

  private static Future<Domain> lookAgain(SqlConnection conn, Domain d, Instant now) {
    boolean failed = d.status() == DomainStatus.FAILED;
    int attempts = failed ? 0 : d.attempts();
    String reason = failed ? null : d.reason();
    return conn.preparedQuery(
            "UPDATE app_domains SET status = ?, reason = ?, attempts = ?, next_check_at = ?"
                + " WHERE domain = ? AND app_id = ?")
        .execute(
            Tuple.tuple()
                .addString(DomainStatus.PENDING_VERIFICATION.value())
                .addValue(reason)
                .addInteger(attempts)
                .addValue(utc(now))
                .addString(d.domain())
                .addString(d.appId()))
        .compose(
            updated ->
                conn.preparedQuery(
                        "INSERT INTO app_events (app_id, kind, action, generation, message)"
                            + " SELECT id, 'command', ?, generation, ? FROM apps WHERE id = ?")
                    .execute(Tuple.of(VERIFY_ACTION, d.domain(), d.appId())))
        .map(
            v ->
                new Domain(
                    d.domain(),
                    d.appId(),
                    d.userId(),
                    d.token(),
                    DomainStatus.PENDING_VERIFICATION,
                    reason,
                    attempts,
                    now,
                    d.checkedAt(),
                    d.verifiedAt(),
                    d.createdAt()));
  }

  /** Domains waiting for a check whose time has come, the longest waiting first. */
  public Future<List<Domain>> due(Instant now, int limit) {
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM app_domains WHERE status = ? AND next_check_at <= ?"
                + " ORDER BY next_check_at LIMIT ?")
        .execute(Tuple.of(DomainStatus.PENDING_VERIFICATION.value(), utc(now), limit))
        .map(DomainStore::domains);
  }

  /**
   * Records a check of {@code checked} (still pending with the same token, else nothing happens):
   * {@code verified}, or not yet with {@code reason} and a next check at {@code next} (null: give
   * up, {@code failed}). A verification puts the domain into the app's desired state.
   */
  public Future<Boolean> checked(
      Domain checked, boolean verified, String reason, Instant next, Instant now) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery("SELECT user_id FROM apps WHERE id = ? FOR UPDATE")
                .execute(Tuple.of(checked.appId()))
                .compose(
                    locked ->
                        conn.preparedQuery(
                                "UPDATE app_domains SET status = ?, reason = ?, attempts = attempts + 1,"
                                    + " next_check_at = ?, checked_at = ?, verified_at = ?"
                                    + " WHERE domain = ? AND app_id = ? AND token = ? AND status = ?")
                            .execute(
                                Tuple.tuple()
                                    .addString(
                                        verified
                                            ? DomainStatus.VERIFIED.value()
                                            : next == null
                                                ? DomainStatus.FAILED.value()
                                                : DomainStatus.PENDING_VERIFICATION.value())
                                    .addValue(verified ? null : cut(reason, 512))
                                    .addValue(verified ? null : utc(next))
                                    .addValue(utc(now))
                                    .addValue(verified ? utc(now) : null)
                                    .addString(checked.domain())
                                    .addString(checked.appId())
                                    .addString(checked.token())
                                    .addString(DomainStatus.PENDING_VERIFICATION.value())))
                .compose(
                    updated -> {
                      if (updated.rowCount() == 0) {
                        return Future.succeededFuture(false);
                      }
                      return verified
                          ? AppStore.syncDomains(conn, checked.appId(), now).map(true)
                          : Future.succeededFuture(true);
                    }));
  }

  /** The app's deleting flag and object name, its row locked; empty if not the user's live app. */
  private static Future<Optional<LockedApp>> lockApp(
      SqlConnection conn, long userId, String appId) {
    return conn.preparedQuery(
            "SELECT k8s_name, deleting, "
                + CLUSTER_URLS
                + " FROM apps WHERE id = ? AND user_id = ? AND deleted_at IS NULL FOR UPDATE")
        .execute(Tuple.of(appId, userId))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(
                        new LockedApp(
                            rows.iterator().next().getString("k8s_name"),
                            rows.iterator().next().getBoolean("deleting"),
                            appsDomain(rows.iterator().next().getValue("public_urls")))));
  }

  private record LockedApp(String k8sName, boolean deleting, String appsDomain) {}

  private static Future<List<Domain>> ofApp(SqlConnection conn, String appId) {
    return conn.preparedQuery("SELECT " + COLUMNS + " FROM app_domains WHERE app_id = ?")
        .execute(Tuple.of(appId))
        .map(DomainStore::domains);
  }

  private static Future<Void> insert(SqlConnection conn, Domain d) {
    return conn.preparedQuery(
            "INSERT INTO app_domains (domain, app_id, user_id, token, status, next_check_at, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")
        .execute(
            Tuple.tuple()
                .addString(d.domain())
                .addString(d.appId())
                .addLong(d.userId())
                .addString(d.token())
                .addString(d.status().value())
                .addValue(utc(d.nextCheckAt()))
                .addValue(utc(d.createdAt())))
        .mapEmpty();
  }

  private static List<Domain> domains(RowSet<Row> rows) {
    List<Domain> list = new ArrayList<>();
    for (Row r : rows) {
      list.add(
          new Domain(
              r.getString("domain"),
              r.getString("app_id"),
              r.getLong("user_id"),
              r.getString("token"),
              DomainStatus.of(r.getString("status")),
              r.getString("reason"),
              r.getInteger("attempts"),
              instant(r.getLocalDateTime("next_check_at")),
              instant(r.getLocalDateTime("checked_at")),
              instant(r.getLocalDateTime("verified_at")),
              instant(r.getLocalDateTime("created_at"))));
    }
    return list;
  }

  private static String cut(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }

  private static Instant instant(LocalDateTime utc) {
    return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
  }

  private static LocalDateTime utc(Instant instant) {
    return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
