package io.astro.user.store;

import io.astro.common.db.Database;
import io.astro.common.db.outbox.OutboxMessage;
import io.astro.common.db.outbox.OutboxStore;
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
import java.util.function.Function;

/**
 * All SQL on the users table (and the outbox rows its changes write). Unexpected database failures
 * surface as 503 (code 30002).
 */
public final class UserStore {

  private static final String COLUMNS =
      "id, uuid, username, email, password_hash, role, status, created_at, token_version";

  private final Pool pool;

  public UserStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts a user; a taken username or email (case-insensitive, among live users and deleted
   * accounts whose names are still reserved) fails with 409 / 20001 naming the field, and saying so
   * when it is held by a deleted account.
   */
  public Future<User> insert(
      String uuid, String username, String email, String passwordHash, String role) {
    return pool.preparedQuery(
            "INSERT INTO users (uuid, username, email, password_hash, role) VALUES (?, ?, ?, ?, ?)")
        .execute(Tuple.of(uuid, username, email, passwordHash, role))
        .recover(
            failure ->
                Database.isDuplicateKey(failure)
                    ? taken(
                        failure.getMessage().contains("email") ? "email" : "username",
                        username,
                        email)
                    : Database.unavailable(failure))
        .compose(done -> findByUuid(uuid))
        .map(Optional::orElseThrow);
  }

  // a name held by a deleted account is answered as reserved: its owner may not take it back, and
  // nobody else may take it until the reservation ends
  private <T> Future<T> taken(String field, String username, String email) {
    String key = (field.equals("email") ? email : username).toLowerCase(Locale.ROOT);
    return pool.preparedQuery(
            "SELECT deleted_at IS NOT NULL AS reserved FROM users WHERE "
                + (field.equals("email") ? "email_live" : "username_live")
                + " = ?")
        .execute(Tuple.of(key))
        .recover(Database::unavailable)
        .compose(
            rows -> {
              boolean reserved =
                  rows.size() > 0 && Boolean.TRUE.equals(rows.iterator().next().getBoolean(0));
              JsonObject data = new JsonObject().put("field", field);
              if (reserved) {
                data.put("reason", "reserved");
              }
              return Future.failedFuture(
                  new ApiException(
                      ErrorCode.USER_EXISTS,
                      reserved
                          ? field
                              + " belonged to a deleted account and stays reserved for a while;"
                              + " choose another"
                          : "username or email already registered",
                      data));
            });
  }

  /** A live user by username or email, case-insensitively. */
  public Future<Optional<User>> findByLogin(String usernameOrEmail) {
    String key = usernameOrEmail.toLowerCase(Locale.ROOT);
    return one(
        "SELECT "
            + COLUMNS
            + " FROM users WHERE (username_live = ? OR email_live = ?) AND deleted_at IS NULL",
        Tuple.of(key, key));
  }

  public Future<Optional<User>> findByUuid(String uuid) {
    return one(
        "SELECT " + COLUMNS + " FROM users WHERE uuid = ? AND deleted_at IS NULL", Tuple.of(uuid));
  }

  /**
   * Sets the status of a live user and, when it changed, records {@code event} (built from the
   * user) in the outbox in the same transaction; an unchanged status records nothing. False when no
   * live user has that uuid.
   */
  public Future<Boolean> setStatus(
      String uuid, UserStatus status, Function<User, OutboxMessage> event) {
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(
                        "SELECT "
                            + COLUMNS
                            + " FROM users WHERE uuid = ? AND deleted_at IS NULL"
                            + " FOR UPDATE")
                    .execute(Tuple.of(uuid))
                    .map(UserStore::first)
                    .compose(
                        found -> {
                          if (found.isEmpty()) {
                            return Future.succeededFuture(false);
                          }
                          User user = found.get();
                          if (user.status() == status) {
                            return Future.succeededFuture(true);
                          }
                          return conn.preparedQuery("UPDATE users SET status = ? WHERE id = ?")
                              .execute(Tuple.of(status.value(), user.id()))
                              .compose(v -> OutboxStore.insert(conn, uuid, event.apply(user)))
                              .map(true);
                        }))
        .recover(Database::unavailable);
  }

  /**
   * Deletes a live account whose token version is still {@code expectedVersion} and records {@code
   * event} in the outbox, in one transaction: from then on it cannot log in, its tokens are refused
   * ({@link #disabledUuids}) and its names stay reserved until {@link #releaseNames}. False when no
   * such live account (deleted meanwhile, or its password changed).
   */
  public Future<Boolean> delete(String uuid, long expectedVersion, OutboxMessage event) {
    return pool.withTransaction(
            conn ->
                conn.preparedQuery(
                        "UPDATE users SET status = ?, deleted_at = CURRENT_TIMESTAMP(3)"
                            + " WHERE uuid = ? AND token_version = ? AND deleted_at IS NULL")
                    .execute(Tuple.of(UserStatus.DELETED.value(), uuid, expectedVersion))
                    .compose(
                        rows ->
                            rows.rowCount() == 0
                                ? Future.succeededFuture(false)
                                : OutboxStore.insert(conn, uuid, event).map(true)))
        .recover(Database::unavailable);
  }

  /**
   * Frees the username and email of accounts deleted longer than {@code reservation} ago (at most
   * {@code batch} of them); answers how many.
   */
  public Future<Integer> releaseNames(Duration reservation, int batch) {
    return pool.preparedQuery(
            "UPDATE users SET names_released_at = CURRENT_TIMESTAMP(3) WHERE deleted_at IS NOT NULL"
                + " AND names_released_at IS NULL AND deleted_at <= CURRENT_TIMESTAMP(3) - INTERVAL"
                + " ? SECOND LIMIT "
                + batch)
        .execute(Tuple.of(reservation.toSeconds()))
        .map(rows -> rows.rowCount());
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

  /** One page of live accounts and how many match in all. */
  public record Page(List<User> users, long total) {}

  /**
   * Live accounts, oldest first, optionally only those whose username or email contains {@code
   * search} (case-insensitively) and of {@code status}.
   */
  public Future<Page> list(String search, UserStatus status, int page, int limit) {
    StringBuilder where = new StringBuilder(" FROM users WHERE deleted_at IS NULL");
    Tuple args = Tuple.tuple();
    if (status != null) {
      where.append(" AND status = ?");
      args.addString(status.value());
    }
    if (search != null) {
      String like =
          "%"
              + search
                  .toLowerCase(Locale.ROOT)
                  .replace("\\", "\\\\")
                  .replace("%", "\\%")
                  .replace("_", "\\_")
              + "%";
      where.append(" AND (username_live LIKE ? OR email_live LIKE ?)");
      args.addString(like).addString(like);
    }
    Tuple pageArgs = Tuple.tuple();
    for (int i = 0; i < args.size(); i++) {
      pageArgs.addValue(args.getValue(i));
    }
    pageArgs.addInteger(limit).addInteger((page - 1) * limit);
    return pool.preparedQuery("SELECT COUNT(*)" + where)
        .execute(args)
        .compose(
            count ->
                pool.preparedQuery("SELECT " + COLUMNS + where + " ORDER BY id LIMIT ? OFFSET ?")
                    .execute(pageArgs)
                    .map(
                        rows -> {
                          List<User> users = new ArrayList<>(rows.size());
                          rows.forEach(r -> users.add(user(r)));
                          return new Page(users, count.iterator().next().getLong(0));
                        }))
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

  /**
   * Accounts whose tokens must be refused: disabled ones, and those deleted within {@code horizon}
   * (a token issued before a deletion is accepted nowhere after it has expired anyway).
   */
  public Future<List<String>> disabledUuids(Duration horizon) {
    return pool.preparedQuery(
            "SELECT uuid FROM users WHERE (status = ? AND deleted_at IS NULL) OR"
                + " deleted_at > CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND")
        .execute(Tuple.of(UserStatus.DISABLED.value(), horizon.toSeconds()))
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
    return Optional.of(user(it.next()));
  }

  private static User user(Row r) {
    LocalDateTime created = r.getLocalDateTime("created_at");
    return new User(
        r.getLong("id"),
        r.getString("uuid"),
        r.getString("username"),
        r.getString("email"),
        r.getString("password_hash"),
        r.getString("role"),
        UserStatus.of(r.getString("status")),
        created.toInstant(ZoneOffset.UTC),
        r.getLong("token_version"));
  }
}
