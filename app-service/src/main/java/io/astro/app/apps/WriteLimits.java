package io.astro.app.apps;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Optional;

/**
 * How many changes one app and one user may make in a window: at most {@code perAppAction} of one
 * action (restart, scale, update, ...) on one app, and {@code perUser} changes of any kind (creates
 * included) across all the user's apps. The changes are counted from {@code app_events} (every
 * change writes its command line there), inside the change's own transaction after the owner row's
 * lock: every instance counts the same rows and two changes of one user cannot both take the last
 * slot, so the bound holds however many app-service instances run. Only changes that would write
 * are counted and checked; reads and no-ops never reach it. A delete is never refused (it frees
 * what the user holds, and happens once per app) but counts like any change; neither is a suspend
 * or resume, which an account's state makes, not its owner.
 */
public record WriteLimits(int perAppAction, int perUser, Duration window) {

  /** Where a refused change stands: which bound it hit and when a slot frees. */
  public record Throttled(
      String action, String scope, int limit, Duration window, long retryAfterSeconds) {

    /** The {@code data} of the 429 answer. */
    public JsonObject toJson() {
      return new JsonObject()
          .put("action", action)
          .put("scope", scope)
          .put("limit", limit)
          .put("window_seconds", window.toSeconds())
          .put("retry_after_seconds", retryAfterSeconds);
    }

    public String message() {
      String per = window.toSeconds() == 60 ? "a minute" : "per " + window.toSeconds() + " s";
      return "app".equals(scope)
          ? "too many " + action + " requests for this app: at most " + limit + " " + per
          : "too many changes to your apps: at most " + limit + " " + per;
    }
  }

  /**
   * Whether one more {@code action} of the user (on {@code appId}; null for a create) would pass a
   * bound, counted in the caller's transaction (which holds the owner row's lock).
   */
  public Future<Optional<Throttled>> check(
      SqlConnection conn, long userId, String appId, String action) {
    // suspend and resume follow the owner's account, not the owner's requests
    if ("delete".equals(action) || "suspend".equals(action) || "resume".equals(action)) {
      return Future.succeededFuture(Optional.empty());
    }
    long windowMicros = window.toNanos() / 1_000;
    String app = appId == null ? "" : appId;
    return conn.preparedQuery(
            "SELECT COUNT(*),"
                + " COALESCE(SUM(e.app_id = ? AND e.action = ?), 0),"
                + " TIMESTAMPDIFF(MICROSECOND, MIN(e.created_at), NOW(3)),"
                + " TIMESTAMPDIFF(MICROSECOND,"
                + " MIN(CASE WHEN e.app_id = ? AND e.action = ? THEN e.created_at END), NOW(3))"
                + " FROM apps a JOIN app_events e ON e.app_id = a.id"
                + " WHERE a.user_id = ? AND e.kind = 'command'"
                + " AND e.created_at > NOW(3) - INTERVAL ? MICROSECOND")
        .execute(Tuple.of(app, action, app, action, userId, windowMicros))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              long all = row.getLong(0);
              long ofAction = row.getLong(1);
              long retry = 0;
              String scope = null;
              int limit = 0;
              if (appId != null && ofAction >= perAppAction) {
                scope = "app";
                limit = perAppAction;
                retry = retryAfter(windowMicros, row.getLong(3));
              }
              if (all >= perUser) {
                long userRetry = retryAfter(windowMicros, row.getLong(2));
                if (scope == null || userRetry > retry) {
                  scope = "user";
                  limit = perUser;
                  retry = userRetry;
                }
              }
              return scope == null
                  ? Optional.<Throttled>empty()
                  : Optional.of(new Throttled(action, scope, limit, window, retry));
            });
  }

  // whole seconds until the oldest counted change leaves the window; at least 1
  private static long retryAfter(long windowMicros, Long oldestAgeMicros) {
    long age = oldestAgeMicros == null ? 0 : oldestAgeMicros;
    long left = windowMicros - age;
    return Math.max(1, (left + 999_999) / 1_000_000);
  }
}
