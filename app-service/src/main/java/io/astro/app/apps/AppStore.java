package io.astro.app.apps;

import io.astro.app.events.CommandEvents;
import io.astro.app.store.Page;
import io.astro.common.db.Database;
import io.astro.common.db.outbox.OutboxMessage;
import io.astro.common.db.outbox.OutboxStore;
import io.astro.common.events.app.AppStatus;
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
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * All SQL on apps, their history, the outbox rows that announce their changes, and idempotency
 * keys. Every change of desired state locks the app row first and writes its outbox row after, in
 * one transaction: two changes of one app therefore get outbox ids in commit order, which is the
 * order the relay publishes. Expected refusals are outcomes; unexpected database failures surface
 * as 503 (code 30002).
 */
public final class AppStore {

  /** What became of a status event. */
  public enum Applied {
    APPLIED,
    STALE,
    UNKNOWN_APP
  }

  /**
   * The columns every query of whole apps selects, last and in this order ({@link #COLUMNS}), so a
   * row's values are found by position: by name, the apps list's 33 columns of up to 100 rows cost
   * 6 % of app-service's event loop under benchmark 5.
   */
  private enum Column {
    ID,
    USER_ID,
    NAME,
    CLUSTER_ID,
    PLACEMENT,
    NAMESPACE,
    K8S_NAME,
    IMAGE,
    REPLICAS,
    PORT,
    IS_PUBLIC,
    DOMAINS,
    URL,
    CERTIFICATES,
    SETTINGS,
    STOPPED,
    RESTARTED_AT,
    DELETING,
    GENERATION,
    RELEASE_NUMBER,
    STATUS,
    DESIRED_REPLICAS,
    READY_REPLICAS,
    PODS,
    REASON,
    MESSAGE,
    OBSERVED_GENERATION,
    OBSERVED_RELEASE,
    WARNINGS,
    OBSERVED_AT,
    CREATED_AT,
    UPDATED_AT,
    SUSPENDED;

    final String sql = name().toLowerCase(Locale.ROOT);
  }

  private static final String COLUMNS =
      Arrays.stream(Column.values()).map(c -> c.sql).collect(Collectors.joining(", "));

  private final Pool pool;
  private final WriteLimits limits;

  public AppStore(Pool pool, WriteLimits limits) {
    this.pool = pool;
    this.limits = limits;
  }

  /**
   * Inserts a new app with its create command, unless the caller is at {@code maxApps} live apps
   * ({@link CreateOutcome.LimitReached}) or has a live app of that name ({@link
   * CreateOutcome.NameTaken}). With an idempotency key, the key and {@code response} (the answer to
   * give again to a repeat) are stored in the same transaction; a concurrent request with the same
   * key that committed first makes this one answer as {@link #replay} does.
   */
  public Future<CreateOutcome> create(
      Change created,
      int maxApps,
      IdempotencyKey idempotency,
      JsonObject response,
      Function<List<App>, Optional<CreateOutcome>> admit) {
    App app = created.after();
    Future<CreateOutcome> attempt =
        Database.transaction(
            pool,
            conn ->
                lockOwner(conn, app.userId())
                    .compose(
                        v ->
                            idempotency == null
                                ? Future.succeededFuture()
                                : conn.preparedQuery(
                                        "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, response) VALUES (?, ?, ?, ?)")
                                    .execute(
                                        Tuple.of(
                                            app.userId(),
                                            idempotency.key(),
                                            idempotency.requestHash(),
                                            response.encode())))
                    .compose(
                        v ->
                            conn.preparedQuery(
                                    "SELECT COUNT(*) FROM apps WHERE user_id = ? AND deleted_at IS NULL")
                                .execute(Tuple.of(app.userId())))
                    .map(count -> count.iterator().next().getLong(0))
                    .compose(
                        live ->
                            live >= maxApps
                                ? Future.failedFuture(
                                    new Refused(new CreateOutcome.LimitReached(maxApps)))
                                : limits
                                    .check(conn, app.userId(), null, created.action())
                                    .compose(
                                        throttled ->
                                            throttled.isPresent()
                                                ? Future.failedFuture(
                                                    new Refused(
                                                        new CreateOutcome.Throttled(
                                                            throttled.get())))
                                                : others(conn, app.userId(), app.id()))
                                    .compose(
                                        others ->
                                            admit
                                                .apply(others)
                                                .<Future<Void>>map(
                                                    no -> Future.failedFuture(new Refused(no)))
                                                .orElseGet(() -> insert(conn, app)))
                                    // counted under the owner's lock: this also mends a count
                                    // an earlier version left behind
                                    .compose(v -> liveApps(conn, app.userId(), live + 1)))
                    .compose(v -> record(conn, created))
                    .map(new CreateOutcome.Created(app)));
    return attempt.recover(
        failure -> {
          if (failure instanceof Refused refused) {
            return Future.succeededFuture(refused.outcome);
          }
          if (idempotency != null
              && Database.isDuplicateKey(failure)
              && failure.getMessage().contains("PRIMARY")) {
            // a concurrent request with the same key won the race: answer as it did
            return replay(app.userId(), idempotency)
                .map(
                    earlier ->
                        earlier.orElseThrow(
                            () -> new IllegalStateException("idempotency key vanished")));
          }
          return Database.unavailable(failure);
        });
  }

  /**
   * What an idempotency key seen before answers: the response stored with it when the request
   * matches, {@link CreateOutcome.KeyReused} when it came with another request; empty when the key
   * is new.
   */
  public Future<Optional<CreateOutcome>> replay(long userId, IdempotencyKey idempotency) {
    return pool.preparedQuery(
            "SELECT request_hash, response FROM idempotency_keys WHERE user_id = ? AND idem_key = ?")
        .execute(Tuple.of(userId, idempotency.key()))
        .recover(Database::unavailable)
        .map(
            rows -> {
              if (rows.size() == 0) {
                return Optional.empty();
              }
              Row row = rows.iterator().next();
              if (!row.getString("request_hash").equals(idempotency.requestHash())) {
                return Optional.of(new CreateOutcome.KeyReused());
              }
              return Optional.of(new CreateOutcome.Replayed(json(row.getValue("response"))));
            });
  }

  /** A live app of the user; empty when it does not exist or belongs to someone else. */
  public Future<Optional<App>> find(long userId, String id) {
    return pool.preparedQuery(
            "SELECT " + COLUMNS + " FROM apps WHERE id = ? AND user_id = ? AND deleted_at IS NULL")
        .execute(Tuple.of(id, userId))
        .recover(Database::unavailable)
        .map(AppStore::single);
  }

  /**
   * An app of any user, a deleted one too (its last status {@code deleted}): what the status stream
   * tells the app's owner after a status event.
   */
  public Future<Optional<App>> anyById(String id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM apps WHERE id = ?")
        .execute(Tuple.of(id))
        .recover(Database::unavailable)
        .map(AppStore::single);
  }

  /**
   * The user's live apps, newest first, optionally only one status and names containing {@code
   * search}.
   *
   * <p>One round trip for a page with apps on it: the total rides along as an uncorrelated subquery
   * (MariaDB runs it once), and the page is picked from {@code idx_apps_user_live} alone before
   * whole rows are read (a deferred join), so a deep page reads the index entries it skips, not
   * their rows. Unfiltered, the total is the owner's count of live apps ({@code
   * app_owners.live_apps}, kept by {@link #create} and {@link #apply}); counting a user's 1 000
   * entries was a third of the database's time for the page. A filter's total is counted. A page
   * past the end has no row to carry the total: the same total is asked for apart.
   */
  public Future<Page<App>> list(long userId, String status, String search, int page, int limit) {
    StringBuilder where = new StringBuilder(" FROM apps WHERE user_id = ? AND deleted_at IS NULL");
    Tuple args = Tuple.tuple().addLong(userId);
    if (status != null) {
      where.append(" AND status = ?");
      args.addString(status);
    }
    if (search != null) {
      where.append(" AND name LIKE ?");
      args.addString(
          "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
    }
    // unfiltered, the owner's count of live apps, whose one parameter (the user) is all the where
    // has
    String total =
        status != null || search != null
            ? "SELECT COUNT(*)" + where
            // a user who never created an app has no owner row
            : "SELECT COALESCE((SELECT live_apps FROM app_owners WHERE user_id = ?), 0)";
    Tuple pageArgs = Tuple.tuple();
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < args.size(); i++) {
        pageArgs.addValue(args.getValue(i));
      }
    }
    pageArgs.addInteger(limit).addInteger((page - 1) * limit);
    return pool.preparedQuery(
            "SELECT ("
                + total
                + ") AS total, "
                + COLUMNS
                + " FROM apps JOIN (SELECT seq"
                + where
                + " ORDER BY seq DESC LIMIT ? OFFSET ?) picked USING (seq) ORDER BY seq DESC")
        .execute(pageArgs)
        .compose(
            rows ->
                rows.size() > 0
                    ? Future.succeededFuture(
                        new Page<>(apps(rows), rows.iterator().next().getLong("total")))
                    : pool.preparedQuery(total)
                        .execute(args)
                        .map(count -> new Page<App>(List.of(), count.iterator().next().getLong(0))))
        .recover(Database::unavailable);
  }

  /** What to do with an app whose row is locked for a change. */
  public sealed interface Decision {

    /** Store the change and its command. */
    record Write(Change change) implements Decision {}

    /** Nothing to change: the app already is as asked. */
    record Keep() implements Decision {}

    /** The app is being deleted and takes no other operation. */
    record BeingDeleted() implements Decision {}

    /** The change is refused (bad fields, quota, unknown release): nothing stored. */
    record Refuse(ChangeOutcome outcome) implements Decision {}
  }

  /**
   * Changes a live app of the user: {@code decide} sees the row as locked, with the user's other
   * live apps (for the quota: the owner row's lock keeps them as they are until commit), and says
   * what to do; {@link ChangeOutcome.NotFound} when it is not the user's live app, {@link
   * ChangeOutcome.Throttled} when a write would pass the {@link WriteLimits}.
   */
  public Future<ChangeOutcome> change(
      long userId, String id, BiFunction<App, List<App>, Decision> decide) {
    return Database.transaction(
            pool,
            conn ->
                lockOwner(conn, userId)
                    .compose(
                        v ->
                            conn.preparedQuery(
                                    "SELECT "
                                        + COLUMNS
                                        + " FROM apps WHERE id = ? AND user_id = ? AND deleted_at IS NULL FOR UPDATE")
                                .execute(Tuple.of(id, userId)))
                    .map(AppStore::single)
                    .compose(
                        found -> {
                          if (found.isEmpty()) {
                            return Future.succeededFuture(new ChangeOutcome.NotFound());
                          }
                          App current = found.get();
                          return others(conn, userId, id)
                              .compose(
                                  others -> {
                                    Decision decision = decide.apply(current, others);
                                    if (decision instanceof Decision.Write write) {
                                      return limits
                                          .check(conn, userId, id, write.change().action())
                                          .compose(
                                              throttled ->
                                                  throttled.isPresent()
                                                      ? Future.succeededFuture(
                                                          new ChangeOutcome.Throttled(
                                                              throttled.get()))
                                                      : write(conn, write.change()));
                                    }
                                    if (decision instanceof Decision.Refuse refuse) {
                                      return Future.succeededFuture(refuse.outcome());
                                    }
                                    return Future.succeededFuture(
                                        decision instanceof Decision.BeingDeleted
                                            ? new ChangeOutcome.BeingDeleted()
                                            : new ChangeOutcome.Unchanged(current));
                                  });
                        }))
        .recover(Database::unavailable);
  }

  /** The user's live apps but {@code exceptId}, in the caller's transaction. */
  private static Future<List<App>> others(SqlConnection conn, long userId, String exceptId) {
    return conn.preparedQuery(
            "SELECT " + COLUMNS + " FROM apps WHERE user_id = ? AND deleted_at IS NULL AND id <> ?")
        .execute(Tuple.of(userId, exceptId))
        .map(AppStore::apps);
  }

  /**
   * Seals again the ciphertexts of every app's settings and releases ({@code reseal} answers empty
   * when there is nothing to do), each row under its lock; answers how many rows changed. Rows of
   * deleted apps are kept as they are: nothing reads them again.
   */
  public Future<Integer> reseal(BiFunction<String, Settings, Optional<Settings>> reseal) {
    return pool.query(
            "SELECT a.id, r.number FROM apps a LEFT JOIN app_releases r ON r.app_id = a.id"
                + " WHERE a.deleted_at IS NULL ORDER BY a.id, r.number")
        .execute()
        .compose(
            rows -> {
              Future<Integer> chain = Future.succeededFuture(0);
              String previous = null;
              for (Row row : rows) {
                String id = row.getString("id");
                Long number = row.getLong("number");
                if (!id.equals(previous)) {
                  chain = chain.compose(n -> resealRow(id, null, reseal).map(moved -> n + moved));
                  previous = id;
                }
                if (number != null) {
                  chain = chain.compose(n -> resealRow(id, number, reseal).map(moved -> n + moved));
                }
              }
              return chain;
            })
        .recover(Database::unavailable);
  }

  // the app row when release is null, else that release's row
  private Future<Integer> resealRow(
      String id, Long release, BiFunction<String, Settings, Optional<Settings>> reseal) {
    String select =
        release == null
            ? "SELECT settings FROM apps WHERE id = ? FOR UPDATE"
            : "SELECT settings FROM app_releases WHERE app_id = ? AND number = ? FOR UPDATE";
    String update =
        release == null
            ? "UPDATE apps SET settings = ? WHERE id = ?"
            : "UPDATE app_releases SET settings = ? WHERE app_id = ? AND number = ?";
    Tuple key = release == null ? Tuple.of(id) : Tuple.of(id, release);
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(select)
                .execute(key)
                .compose(
                    rows -> {
                      Object stored = rows.size() == 0 ? null : rows.iterator().next().getValue(0);
                      if (stored == null) {
                        return Future.succeededFuture(0);
                      }
                      Optional<Settings> after =
                          reseal.apply(id, Settings.fromStored(json(stored)));
                      if (after.isEmpty()) {
                        return Future.succeededFuture(0);
                      }
                      Tuple args =
                          Tuple.tuple().addString(after.get().toStored().encode()).addString(id);
                      if (release != null) {
                        args.addLong(release);
                      }
                      return conn.preparedQuery(update).execute(args).map(1);
                    }));
  }

  /** How many live apps each of {@code userIds} has (absent: none). */
  public Future<Map<Long, Long>> counts(List<Long> userIds) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String marks = String.join(",", Collections.nCopies(userIds.size(), "?"));
    return pool.preparedQuery(
            "SELECT user_id, COUNT(*) FROM apps WHERE deleted_at IS NULL AND user_id IN ("
                + marks
                + ") GROUP BY user_id")
        .execute(Tuple.wrap(new ArrayList<Object>(userIds)))
        .map(
            rows -> {
              Map<Long, Long> counts = new HashMap<>();
              rows.forEach(r -> counts.put(r.getLong(0), r.getLong(1)));
              return counts;
            })
        .recover(Database::unavailable);
  }

  /** Records a command that is about no one app (keyed by {@code key}) in the outbox. */
  public Future<Void> command(String key, OutboxMessage message) {
    return pool.withTransaction(conn -> OutboxStore.insert(conn, key, message))
        .recover(Database::unavailable);
  }

  /** The user's live apps (for the quota they use). */
  public Future<List<App>> live(long userId) {
    return pool.preparedQuery(
            "SELECT " + COLUMNS + " FROM apps WHERE user_id = ? AND deleted_at IS NULL")
        .execute(Tuple.of(userId))
        .recover(Database::unavailable)
        .map(AppStore::apps);
  }

  /**
   * The releases of a live app of the user, newest first; empty as {@link #find}. A release's
   * status is told from the app's current release ({@link AppRelease#status}).
   */
  public Future<Optional<Page<AppRelease>>> releases(
      long userId, String appId, int page, int limit) {
    return find(userId, appId)
        .compose(
            app ->
                app.isEmpty()
                    ? Future.succeededFuture(Optional.empty())
                    : pool.preparedQuery("SELECT COUNT(*) FROM app_releases WHERE app_id = ?")
                        .execute(Tuple.of(appId))
                        .compose(
                            count ->
                                pool.preparedQuery(
                                        "SELECT "
                                            + RELEASE_COLUMNS
                                            + " FROM app_releases r JOIN apps a ON a.id = r.app_id"
                                            + " WHERE r.app_id = ? ORDER BY r.number DESC LIMIT ? OFFSET ?")
                                    .execute(Tuple.of(appId, limit, (page - 1) * limit))
                                    .map(
                                        rows -> {
                                          List<AppRelease> releases = new ArrayList<>();
                                          rows.forEach(r -> releases.add(release(r)));
                                          return Optional.of(
                                              new Page<>(
                                                  releases, count.iterator().next().getLong(0)));
                                        }))
                        .recover(Database::unavailable));
  }

  /** Release {@code number} of the user's live app {@code appId}; empty when there is none. */
  public Future<Optional<AppRelease>> release(long userId, String appId, long number) {
    return pool.preparedQuery(
            "SELECT "
                + RELEASE_COLUMNS
                + " FROM app_releases r JOIN apps a ON a.id = r.app_id"
                + " WHERE r.app_id = ? AND r.number = ? AND a.user_id = ? AND a.deleted_at IS NULL")
        .execute(Tuple.of(appId, number, userId))
        .recover(Database::unavailable)
        .map(
            rows ->
                rows.size() == 0 ? Optional.empty() : Optional.of(release(rows.iterator().next())));
  }

  private static final String RELEASE_COLUMNS =
      "r.app_id, r.number, r.generation, r.image, r.port, r.settings, r.description, r.failed,"
          + " r.number = a.release_number AS active, r.created_at";

  private static JsonArray jsonArray(Object stored) {
    return stored == null
        ? new JsonArray()
        : stored instanceof JsonArray a ? a : new JsonArray(stored.toString());
  }

  private static AppRelease release(Row r) {
    Object settings = r.getValue("settings");
    return new AppRelease(
        r.getString("app_id"),
        r.getLong("number"),
        r.getLong("generation"),
        r.getString("image"),
        r.getInteger("port"),
        Settings.fromStored(settings == null ? null : json(settings)),
        r.getString("description"),
        r.getBoolean("failed"),
        // a comparison comes back as a number, not as a BOOLEAN column
        r.getValue("active") instanceof Number n
            ? n.intValue() == 1
            : Boolean.TRUE.equals(r.getValue("active")),
        instant(r.getLocalDateTime("created_at")));
  }

  private static Future<ChangeOutcome> write(SqlConnection conn, Change change) {
    App after = change.after();
    App.Desired d = after.desired();
    return conn.preparedQuery(
            "UPDATE apps SET image = ?, replicas = ?, port = ?, is_public = ?, settings = ?,"
                + " image_pull_secret = ?,"
                + " stopped = ?, restarted_at = ?, deleting = ?, generation = ?, release_number = ?,"
                + " status = ?, updated_at = ?, suspended = ? WHERE id = ?")
        .execute(
            Tuple.tuple()
                .addString(d.image())
                .addInteger(d.replicas())
                .addValue(d.port())
                .addBoolean(d.isPublic())
                .addString(d.settings().toStored().encode())
                .addValue(d.settings().registry())
                .addBoolean(d.stopped())
                .addValue(utc(d.restartedAt()))
                .addBoolean(d.deleting())
                .addLong(after.generation())
                .addLong(d.release())
                .addString(after.status().value())
                .addValue(utc(after.updatedAt()))
                .addBoolean(d.suspended())
                .addString(after.id()))
        .compose(v -> record(conn, change))
        .map(new ChangeOutcome.Changed(after));
  }

  /** The history of a live app of the user, newest first; empty as {@link #find}. */
  public Future<Optional<Page<AppEvent>>> events(long userId, String appId, int page, int limit) {
    return find(userId, appId)
        .compose(
            app ->
                app.isEmpty()
                    ? Future.succeededFuture(Optional.empty())
                    : history(appId, page, limit).map(Optional::of));
  }

  private Future<Page<AppEvent>> history(String appId, int page, int limit) {
    return pool.preparedQuery("SELECT COUNT(*) FROM app_events WHERE app_id = ?")
        .execute(Tuple.of(appId))
        .compose(
            count ->
                pool.preparedQuery(
                        "SELECT id, kind, action, generation, reason, message, request_id, created_at"
                            + " FROM app_events WHERE app_id = ? ORDER BY id DESC LIMIT ? OFFSET ?")
                    .execute(Tuple.of(appId, limit, (page - 1) * limit))
                    .map(
                        rows -> {
                          List<AppEvent> events = new ArrayList<>(rows.size());
                          for (Row r : rows) {
                            events.add(
                                new AppEvent(
                                    r.getLong("id"),
                                    r.getString("kind"),
                                    r.getString("action"),
                                    r.getLong("generation"),
                                    r.getString("reason"),
                                    r.getString("message"),
                                    r.getString("request_id"),
                                    instant(r.getLocalDateTime("created_at"))));
                          }
                          return new Page<>(events, count.iterator().next().getLong(0));
                        }))
        .recover(Database::unavailable);
  }

  /**
   * Applies a status event when it is newer than what is stored (see {@link
   * Observation#isNewerThan}); a status change is added to the app's history, and so is each
   * warning not among the app's last reported ones (kind {@code warning}), once. A rollout that
   * failed marks the release of its generation {@code failed}. An app being deleted keeps status
   * {@code deleting} until an event says it is gone, and is then soft-deleted, which frees its
   * name.
   */
  public Future<Applied> apply(Observation o) {
    // an app reported gone may leave its owner's count of live apps: the owner's row is locked
    // before the app's, in the order a create and a change take them (no deadlock between them)
    Future<Optional<Long>> owner =
        o.gone() ? ownerOf(o.appId()) : Future.succeededFuture(Optional.empty());
    return owner.compose(
        userId ->
            pool.withTransaction(
                conn ->
                    userId
                        .map(id -> lockOwner(conn, id))
                        .orElseGet(Future::succeededFuture)
                        .compose(v -> applyLocked(conn, o))));
  }

  /** The user an app belongs to, which never changes: empty when there is no such app. */
  private Future<Optional<Long>> ownerOf(String appId) {
    return pool.preparedQuery("SELECT user_id FROM apps WHERE id = ?")
        .execute(Tuple.of(appId))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.empty()
                    : Optional.of(rows.iterator().next().getLong(0)));
  }

  /** {@link #apply} in its transaction; the owner's row is locked already if the app is gone. */
  private static Future<Applied> applyLocked(SqlConnection conn, Observation o) {
    return conn.preparedQuery(
            "SELECT " + COLUMNS + " FROM apps WHERE id = ? AND deleted_at IS NULL FOR UPDATE")
        .execute(Tuple.of(o.appId()))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return Future.succeededFuture(Applied.UNKNOWN_APP);
              }
              App app = app(rows.iterator().next());
              if (!o.isNewerThan(app.observed())) {
                return Future.succeededFuture(Applied.STALE);
              }
              AppStatus status = app.statusAfter(o);
              boolean remove = status == AppStatus.DELETED;
              Future<?> history =
                  status == app.status() && Objects.equals(o.reason(), app.observed().reason())
                      ? Future.succeededFuture()
                      : conn.preparedQuery(
                              "INSERT INTO app_events (app_id, kind, action, generation, reason, message)"
                                  + " VALUES (?, 'status', ?, ?, ?, ?)")
                          .execute(
                              Tuple.tuple()
                                  .addString(app.id())
                                  .addString(status.value())
                                  .addLong(o.observedGeneration())
                                  .addValue(o.reason())
                                  .addValue(o.message()));
              return history
                  .compose(v -> newWarnings(conn, app, o))
                  .compose(v -> failedRelease(conn, app, o))
                  .compose(
                      v ->
                          conn.preparedQuery(
                                  "UPDATE apps SET status = ?, desired_replicas = ?,"
                                      + " ready_replicas = ?, pods = ?, reason = ?, message = ?, observed_generation = ?,"
                                      + " observed_release = ?, warnings = ?, url = ?, certificates = ?,"
                                      + " observed_at = ?,"
                                      + " deleted_at = IF(?, CURRENT_TIMESTAMP(3), NULL) WHERE id = ?")
                              .execute(
                                  Tuple.tuple()
                                      .addString(status.value())
                                      .addInteger(o.desiredReplicas())
                                      .addInteger(o.readyReplicas())
                                      .addString(o.pods().encode())
                                      .addValue(o.reason())
                                      .addValue(o.message())
                                      .addLong(o.observedGeneration())
                                      .addLong(o.observedRelease())
                                      .addString(o.warnings().encode())
                                      .addValue(o.url())
                                      .addString(o.certificates().encode())
                                      .addValue(utc(o.observedAt()))
                                      .addBoolean(remove)
                                      .addString(app.id())))
                  // the delete is complete: a tombstone after the app's delete command
                  // (same key, a later outbox row), so compaction forgets the app; its
                  // custom domains are free for another app
                  .compose(
                      v ->
                          remove
                              ? OutboxStore.insert(conn, app.id(), CommandEvents.tombstone())
                                  .compose(
                                      t ->
                                          conn.preparedQuery(
                                                  "DELETE FROM app_domains WHERE app_id = ?")
                                              .execute(Tuple.of(app.id())))
                                  .compose(
                                      d ->
                                          conn.preparedQuery(
                                                  "UPDATE app_owners SET live_apps = live_apps - 1"
                                                      + " WHERE user_id = ? AND live_apps > 0")
                                              .execute(Tuple.of(app.userId()))
                                              .<Void>mapEmpty())
                              : Future.<Void>succeededFuture())
                  .map(Applied.APPLIED);
            });
  }

  // a warning is the same news while its reason and message are: its count going up is not
  private static Future<Void> newWarnings(SqlConnection conn, App app, Observation o) {
    Set<String> known = new HashSet<>();
    for (Object w : app.observed().warnings()) {
      if (w instanceof JsonObject warning) {
        known.add(warning.getString("reason") + "\n" + warning.getString("message"));
      }
    }
    List<Tuple> lines = new ArrayList<>();
    for (Object w : o.warnings()) {
      if (w instanceof JsonObject warning
          && known.add(warning.getString("reason") + "\n" + warning.getString("message"))) {
        lines.add(
            Tuple.tuple()
                .addString(app.id())
                .addString(cut(warning.getString("reason"), 128))
                .addLong(o.observedGeneration())
                .addValue(
                    warning.getString("message") == null
                        ? null
                        : cut(warning.getString("message"), 1024)));
      }
    }
    return lines.isEmpty()
        ? Future.succeededFuture()
        : conn.preparedQuery(
                "INSERT INTO app_events (app_id, kind, action, generation, message)"
                    + " VALUES (?, 'warning', ?, ?, ?)")
            .executeBatch(lines)
            .mapEmpty();
  }

  private static Future<Void> failedRelease(SqlConnection conn, App app, Observation o) {
    if (!o.rolloutFailed()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(
            "SELECT MAX(number) FROM app_releases WHERE app_id = ? AND generation <= ?")
        .execute(Tuple.of(app.id(), o.observedGeneration()))
        .compose(
            rows -> {
              Long number = rows.iterator().next().getLong(0);
              return number == null
                  ? Future.succeededFuture()
                  : conn.preparedQuery(
                          "UPDATE app_releases SET failed = TRUE WHERE app_id = ? AND number = ?")
                      .execute(Tuple.of(app.id(), number))
                      .mapEmpty();
            });
  }

  // the owner row's lock serializes one user's creates, so the quota count below cannot race
  private static Future<Void> lockOwner(SqlConnection conn, long userId) {
    return conn.preparedQuery(
            "INSERT INTO app_owners (user_id) VALUES (?) ON DUPLICATE KEY UPDATE user_id = user_id")
        .execute(Tuple.of(userId))
        .mapEmpty();
  }

  private static Future<Void> liveApps(SqlConnection conn, long userId, long live) {
    return conn.preparedQuery("UPDATE app_owners SET live_apps = ? WHERE user_id = ?")
        .execute(Tuple.of(live, userId))
        .mapEmpty();
  }

  private static Future<Void> insert(SqlConnection conn, App app) {
    App.Desired d = app.desired();
    return conn.preparedQuery(
            "INSERT INTO apps (id, user_id, name, cluster_id, placement, namespace, k8s_name, image,"
                + " replicas, port, is_public, settings, image_pull_secret, stopped, generation,"
                + " release_number, status, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .execute(
            Tuple.tuple()
                .addString(app.id())
                .addLong(app.userId())
                .addString(app.name())
                .addString(app.clusterId())
                .addValue(app.placement())
                .addString(app.namespace())
                .addString(app.k8sName())
                .addString(d.image())
                .addInteger(d.replicas())
                .addValue(d.port())
                .addBoolean(d.isPublic())
                .addString(d.settings().toStored().encode())
                .addValue(d.settings().registry())
                .addBoolean(d.stopped())
                .addLong(app.generation())
                .addLong(d.release())
                .addString(app.status().value())
                .addValue(utc(app.createdAt()))
                .addValue(utc(app.updatedAt())))
        .<Void>mapEmpty()
        .recover(
            failure ->
                Database.isDuplicateKey(failure)
                    ? Future.failedFuture(new Refused(new CreateOutcome.NameTaken(app.name())))
                    : Future.failedFuture(failure));
  }

  /**
   * Makes the app's desired domains its verified ones ({@code app_domains}), in the caller's
   * transaction, the app row locked: when they differ, a new generation announced by an {@code
   * update} command, so the sync-worker adds them to (or takes them off) the app's Ingress. A
   * deleted app, or one being deleted, is left as it is; answers the app when it changed.
   */
  public static Future<Optional<App>> syncDomains(SqlConnection conn, String appId, Instant now) {
    return conn.preparedQuery(
            "SELECT " + COLUMNS + " FROM apps WHERE id = ? AND deleted_at IS NULL FOR UPDATE")
        .execute(Tuple.of(appId))
        .map(AppStore::single)
        .compose(
            found -> {
              if (found.isEmpty() || found.get().desired().deleting()) {
                return Future.succeededFuture(Optional.<App>empty());
              }
              App app = found.get();
              return conn.preparedQuery(
                      "SELECT domain FROM app_domains WHERE app_id = ? AND status = 'verified'"
                          + " ORDER BY domain")
                  .execute(Tuple.of(appId))
                  .compose(
                      rows -> {
                        List<String> verified = new ArrayList<>();
                        rows.forEach(r -> verified.add(r.getString("domain")));
                        if (verified.equals(app.desired().domains())) {
                          return Future.succeededFuture(Optional.<App>empty());
                        }
                        App after = app.next(app.desired().withDomains(verified), now);
                        return conn.preparedQuery(
                                "UPDATE apps SET domains = ?, generation = ?, updated_at = ?"
                                    + " WHERE id = ?")
                            .execute(
                                Tuple.tuple()
                                    .addString(new JsonArray(verified).encode())
                                    .addLong(after.generation())
                                    .addValue(utc(now))
                                    .addString(appId))
                            .compose(v -> record(conn, Change.operation(after, "update", null)))
                            .map(v -> Optional.of(after));
                      });
            });
  }

  /** The history line and the outbox row of a change, in the caller's transaction. */
  private static Future<Void> record(SqlConnection conn, Change change) {
    App app = change.after();
    return conn.preparedQuery(
            "INSERT INTO app_events (app_id, kind, action, generation, request_id) VALUES (?, 'command', ?, ?, ?)")
        .execute(
            Tuple.tuple()
                .addString(app.id())
                .addString(change.action())
                .addLong(app.generation())
                .addValue(change.requestId()))
        .compose(
            v ->
                change.release() == null
                    ? Future.succeededFuture()
                    : conn.preparedQuery(
                            "INSERT INTO app_releases (app_id, number, generation, image, port, settings,"
                                + " description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                        .execute(
                            Tuple.tuple()
                                .addString(app.id())
                                .addLong(app.desired().release())
                                .addLong(app.generation())
                                .addString(app.desired().image())
                                .addValue(app.desired().port())
                                .addString(app.desired().settings().toStored().encode())
                                .addString(cut(change.release(), 1024))
                                .addValue(utc(app.updatedAt()))))
        .compose(v -> OutboxStore.insert(conn, app.id(), change.message()));
  }

  private static Optional<App> single(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(app(rows.iterator().next()));
  }

  /**
   * A create the store refuses: failing the transaction's future rolls back what it wrote (the
   * idempotency key), and the outcome is answered after.
   */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient CreateOutcome outcome;

    Refused(CreateOutcome outcome) {
      super(null, null, false, false);
      this.outcome = outcome;
    }
  }

  private static List<App> apps(RowSet<Row> rows) {
    List<App> apps = new ArrayList<>(rows.size());
    Columns columns = rows.size() == 0 ? null : Columns.of(rows.iterator().next());
    rows.forEach(r -> apps.add(app(r, columns)));
    return apps;
  }

  private static App app(Row r) {
    return app(r, Columns.of(r));
  }

  private static App app(Row r, Columns c) {
    App.Desired desired =
        new App.Desired(
            r.getString(c.at(Column.IMAGE)),
            r.getInteger(c.at(Column.REPLICAS)),
            r.getInteger(c.at(Column.PORT)),
            r.getBoolean(c.at(Column.STOPPED)),
            instant(r.getLocalDateTime(c.at(Column.RESTARTED_AT))),
            r.getBoolean(c.at(Column.DELETING)),
            r.getLong(c.at(Column.RELEASE_NUMBER)),
            Settings.fromStored(
                r.getValue(c.at(Column.SETTINGS)) == null
                    ? null
                    : json(r.getValue(c.at(Column.SETTINGS)))),
            r.getBoolean(c.at(Column.IS_PUBLIC)),
            domains(r.getValue(c.at(Column.DOMAINS))),
            r.getBoolean(c.at(Column.SUSPENDED)));
    Object warnings = r.getValue(c.at(Column.WARNINGS));
    Object pods = r.getValue(c.at(Column.PODS));
    App.Observed observed =
        new App.Observed(
            r.getInteger(c.at(Column.DESIRED_REPLICAS)),
            r.getInteger(c.at(Column.READY_REPLICAS)),
            pods == null
                ? new JsonArray()
                : pods instanceof JsonArray a ? a : new JsonArray(pods.toString()),
            r.getString(c.at(Column.REASON)),
            r.getString(c.at(Column.MESSAGE)),
            r.getLong(c.at(Column.OBSERVED_GENERATION)),
            instant(r.getLocalDateTime(c.at(Column.OBSERVED_AT))),
            r.getLong(c.at(Column.OBSERVED_RELEASE)),
            warnings == null
                ? new JsonArray()
                : warnings instanceof JsonArray a ? a : new JsonArray(warnings.toString()),
            r.getString(c.at(Column.URL)),
            jsonArray(r.getValue(c.at(Column.CERTIFICATES))));
    return new App(
        r.getString(c.at(Column.ID)),
        r.getLong(c.at(Column.USER_ID)),
        r.getString(c.at(Column.NAME)),
        r.getString(c.at(Column.CLUSTER_ID)),
        r.getString(c.at(Column.PLACEMENT)),
        r.getString(c.at(Column.NAMESPACE)),
        r.getString(c.at(Column.K8S_NAME)),
        desired,
        r.getLong(c.at(Column.GENERATION)),
        AppStatus.of(r.getString(c.at(Column.STATUS))),
        observed,
        instant(r.getLocalDateTime(c.at(Column.CREATED_AT))),
        instant(r.getLocalDateTime(c.at(Column.UPDATED_AT))));
  }

  /** Where the app's columns of one result begin: after any it selects first ({@code total}). */
  // a column's ordinal is its place in the SELECT by construction: COLUMNS lists them in order
  @SuppressWarnings("EnumOrdinal")
  private record Columns(int first) {
    static Columns of(Row row) {
      int first = row.size() - Column.values().length;
      for (Column column : Column.values()) {
        if (first < 0 || !column.sql.equals(row.getColumnName(first + column.ordinal()))) {
          throw new IllegalStateException("the result does not end with the app's columns");
        }
      }
      return new Columns(first);
    }

    int at(Column column) {
      return first + column.ordinal();
    }
  }

  /** The verified domains column: null (none yet) or a JSON array of names. */
  private static List<String> domains(Object value) {
    if (value == null) {
      return List.of();
    }
    JsonArray names = value instanceof JsonArray a ? a : new JsonArray(value.toString());
    List<String> list = new ArrayList<>();
    names.forEach(n -> list.add(String.valueOf(n)));
    return list;
  }

  // MariaDB hands JSON columns back as text, MySQL 8 as parsed JSON
  private static JsonObject json(Object value) {
    return value instanceof JsonObject o ? o : new JsonObject(value.toString());
  }

  private static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max);
  }

  private static Instant instant(LocalDateTime utc) {
    return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
  }

  private static LocalDateTime utc(Instant instant) {
    return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
