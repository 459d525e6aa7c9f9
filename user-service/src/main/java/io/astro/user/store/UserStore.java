package io.astro.user.store;

import io.astro.common.db.Database;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** All SQL on the users table. Unexpected database failures surface as 503 (code 30002). */
public final class UserStore {

  private static final String COLUMNS =
      "id, uuid, username, email, password_hash, role, status, created_at, token_version";

  private final Pool pool;

  public UserStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts a user; a taken username or email (case-insensitive, among live users) fails with 409 /
   * 20001.
   */
  public Future<User> insert(
      String uuid, String username, String email, String passwordHash, String role) {
    return pool.preparedQuery(
            "INSERT INTO users (uuid, username, email, password_hash, role) VALUES (?, ?, ?, ?, ?)")
        .execute(Tuple.of(uuid, username, email, passwordHash, role))
        .recover(
            failure ->
                Database.isDuplicateKey(failure)
                    ? Future.failedFuture(
                        new ApiException(
                            ErrorCode.USER_EXISTS,
                            "username or email already registered",
                            new JsonObject()
                                .put(
                                    "field",
                                    failure.getMessage().contains("email") ? "email" : "username")))
                    : Database.unavailable(failure))
        .compose(done -> findByUuid(uuid))
        .map(Optional::orElseThrow);
  }

  /** A live user by username or email, case-insensitively. */
  public Future<Optional<User>> findByLogin(String usernameOrEmail) {
    String key = usernameOrEmail.toLowerCase(Locale.ROOT);
    return one(
        "SELECT " + COLUMNS + " FROM users WHERE username_live = ? OR email_live = ?",
        Tuple.of(key, key));
  }

  public Future<Optional<User>> findByUuid(String uuid) {
    return one(
        "SELECT " + COLUMNS + " FROM users WHERE uuid = ? AND deleted_at IS NULL", Tuple.of(uuid));
  }

  /** Sets the status; false when no live user has that uuid. */
  public Future<Boolean> setStatus(String uuid, String status) {
    return pool.preparedQuery("UPDATE users SET status = ? WHERE uuid = ? AND deleted_at IS NULL")
        .execute(Tuple.of(status, uuid))
        // MySQL counts only changed rows: an unchanged status still needs the user to exist
        .map(rows -> rows.rowCount() > 0)
        .compose(
            changed ->
                changed ? Future.succeededFuture(true) : findByUuid(uuid).map(Optional::isPresent))
        .recover(Database::unavailable);
  }

  public Future<Void> setPasswordHash(String uuid, String passwordHash) {
    return pool.preparedQuery("UPDATE users SET password_hash = ? WHERE uuid = ?")
        .execute(Tuple.of(passwordHash, uuid))
        .<Void>mapEmpty()
        .recover(Database::unavailable);
  }

  /**
   * Sets a live user's email; another live user's email (case-insensitively) fails with 409 / 20001
   * naming {@code email}. Empty when no live user has that uuid.
   */
  public Future<Optional<User>> setEmail(String uuid, String email) {
    return pool.preparedQuery("UPDATE users SET email = ? WHERE uuid = ? AND deleted_at IS NULL")
        .execute(Tuple.of(email, uuid))
        .recover(
            failure ->
                Database.isDuplicateKey(failure)
                    ? Future.failedFuture(
                        new ApiException(
                            ErrorCode.USER_EXISTS,
                            "email already registered",
                            new JsonObject().put("field", "email")))
                    : Database.unavailable(failure))
        .compose(done -> findByUuid(uuid));
  }

  /**
   * Replaces a live user's password and raises their token version by one, but only while it is
   * still {@code expectedVersion}: of two changes made at once, one wins. False when it was not
   * (another change came first, or no such live user).
   */
  public Future<Boolean> changePassword(String uuid, String passwordHash, long expectedVersion) {
    return pool.preparedQuery(
            "UPDATE users SET password_hash = ?, token_version = token_version + 1,"
                + " token_version_at = CURRENT_TIMESTAMP(3)"
                + " WHERE uuid = ? AND token_version = ? AND deleted_at IS NULL")
        .execute(Tuple.of(passwordHash, uuid, expectedVersion))
        .map(rows -> rows.rowCount() > 0)
        .recover(Database::unavailable);
  }

  /**
   * The token versions of live users whose version was raised within {@code horizon}: older tokens
   * of anyone else have all expired, so the list stays as small as the recent password changes.
   */
  public Future<Map<String, Long>> recentTokenVersions(Duration horizon) {
    return pool.preparedQuery(
            "SELECT uuid, token_version FROM users WHERE token_version_at >"
                + " CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND AND deleted_at IS NULL")
        .execute(Tuple.of(horizon.toSeconds()))
        .map(
            rows -> {
              Map<String, Long> versions = new LinkedHashMap<>();
              rows.forEach(row -> versions.put(row.getString(0), row.getLong(1)));
              return versions;
            })
        .recover(Database::unavailable);
  }

  public Future<List<String>> disabledUuids() {
    return pool.query("SELECT uuid FROM users WHERE status = 'disabled' AND deleted_at IS NULL")
        .execute()
        .map(
            rows -> {
              List<String> uuids = new ArrayList<>(rows.size());
              rows.forEach(row -> uuids.add(row.getString(0)));
              return uuids;
            })
        .recover(Database::unavailable);
  }

  private Future<Optional<User>> one(String sql, Tuple args) {
    return pool.preparedQuery(sql)
        .execute(args)
        .map(UserStore::first)
        .recover(Database::unavailable);
  }

  private static Optional<User> first(RowSet<Row> rows) {
    var it = rows.iterator();
    if (!it.hasNext()) {
      return Optional.empty();
    }
    Row r = it.next();
    LocalDateTime created = r.getLocalDateTime("created_at");
    return Optional.of(
        new User(
            r.getLong("id"),
            r.getString("uuid"),
            r.getString("username"),
            r.getString("email"),
            r.getString("password_hash"),
            r.getString("role"),
            r.getString("status"),
            created.toInstant(ZoneOffset.UTC),
            r.getLong("token_version")));
  }
}
