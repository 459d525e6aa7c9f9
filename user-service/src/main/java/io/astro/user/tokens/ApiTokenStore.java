package io.astro.user.tokens;

import io.astro.common.auth.TokenScope;
import io.astro.common.db.Database;
import io.astro.user.store.UserStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * All SQL on the api_tokens table. Times are the database's ({@code CURRENT_TIMESTAMP(3)}), as for
 * users, so expiry is judged by one clock. Unexpected database failures surface as 503 (30002).
 */
public final class ApiTokenStore {

  private static final String COLUMNS =
      "uuid, name, prefix, scope, created_at, last_used_at, expires_at";
  private static final String LIVE = "revoked_at IS NULL AND expires_at > CURRENT_TIMESTAMP(3)";

  private final Pool pool;

  public ApiTokenStore(Pool pool) {
    this.pool = pool;
  }

  /** A live token's account and scope, found by the secret's hash. */
  public record Exchangeable(
      long tokenId,
      String tokenUuid,
      TokenScope scope,
      Instant expiresAt,
      String userUuid,
      long userId,
      String role,
      long tokenVersion,
      String name) {}

  /**
   * Stores a token for the user unless they already have {@code maxLive} live ones (then empty).
   * The user's row is locked for the count and the insert, so requests at once cannot pass the
   * bound together.
   */
  public Future<Optional<ApiToken>> create(
      long userId,
      String uuid,
      String name,
      byte[] hash,
      String prefix,
      TokenScope scope,
      int expiresInDays,
      int maxLive) {
    return Database.<Optional<ApiToken>>transaction(
            pool,
            conn ->
                conn.preparedQuery("SELECT id FROM users WHERE id = ? FOR UPDATE")
                    .execute(Tuple.of(userId))
                    .compose(
                        locked ->
                            conn.preparedQuery(
                                    "SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND " + LIVE)
                                .execute(Tuple.of(userId)))
                    .compose(
                        count -> {
                          if (count.iterator().next().getLong(0) >= maxLive) {
                            return Future.succeededFuture(Optional.empty());
                          }
                          return conn.preparedQuery(
                                  "INSERT INTO api_tokens (uuid, user_id, name, token_hash,"
                                      + " prefix, scope, expires_at) VALUES (?, ?, ?, ?, ?, ?,"
                                      + " CURRENT_TIMESTAMP(3) + INTERVAL ? DAY)")
                              .execute(
                                  Tuple.of(
                                      uuid,
                                      userId,
                                      name,
                                      Buffer.buffer(hash),
                                      prefix,
                                      scope.wireName(),
                                      expiresInDays))
                              .compose(
                                  inserted ->
                                      conn.preparedQuery(
                                              "SELECT "
                                                  + COLUMNS
                                                  + " FROM api_tokens WHERE uuid = ?")
                                          .execute(Tuple.of(uuid)))
                              .map(rows -> Optional.of(token(rows.iterator().next())));
                        }))
        .recover(Database::unavailable);
  }

  /** The user's live tokens, newest first. */
  public Future<List<ApiToken>> live(long userId) {
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM api_tokens WHERE user_id = ? AND "
                + LIVE
                + " ORDER BY created_at DESC, id DESC")
        .execute(Tuple.of(userId))
        .map(
            rows -> {
              List<ApiToken> tokens = new ArrayList<>(rows.size());
              rows.forEach(row -> tokens.add(token(row)));
              return tokens;
            })
        .recover(Database::unavailable);
  }

  /** Revokes one of the user's unrevoked tokens; false when they have no such token. */
  public Future<Boolean> revoke(long userId, String uuid) {
    return pool.preparedQuery(
            "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP(3)"
                + " WHERE uuid = ? AND user_id = ? AND revoked_at IS NULL")
        .execute(Tuple.of(uuid, userId))
        .map(rows -> rows.rowCount() > 0)
        .recover(Database::unavailable);
  }

  /** The live token with this hash, of an active account; empty for anything else. */
  public Future<Optional<Exchangeable>> exchangeable(byte[] hash) {
    return pool.preparedQuery(
            "SELECT t.id, t.uuid, t.scope, t.expires_at, u.uuid, u.id, u.role, u.token_version,"
                + " t.name"
                + " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                + " WHERE t.token_hash = ? AND t.revoked_at IS NULL"
                + " AND t.expires_at > CURRENT_TIMESTAMP(3)"
                + " AND u.status = ? AND u.deleted_at IS NULL")
        .execute(Tuple.of(Buffer.buffer(hash), UserStatus.ACTIVE.value()))
        .map(
            rows -> {
              var it = rows.iterator();
              if (!it.hasNext()) {
                return Optional.<Exchangeable>empty();
              }
              Row r = it.next();
              return TokenScope.fromWire(r.getString(2))
                  .map(
                      scope ->
                          new Exchangeable(
                              r.getLong(0),
                              r.getString(1),
                              scope,
                              instant(r.getLocalDateTime(3)),
                              r.getString(4),
                              r.getLong(5),
                              r.getString(6),
                              r.getLong(7),
                              r.getString(8)));
            })
        .recover(Database::unavailable);
  }

  /**
   * Records a use, at most once per {@code every} per token: exchanges repeat every few minutes per
   * client, and a busy token must not turn into a write per request.
   */
  public Future<Void> touch(long tokenId, Duration every) {
    return pool.preparedQuery(
            "UPDATE api_tokens SET last_used_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND"
                + " (last_used_at IS NULL OR last_used_at < CURRENT_TIMESTAMP(3) - INTERVAL ?"
                + " SECOND)")
        .execute(Tuple.of(tokenId, every.toSeconds()))
        .<Void>mapEmpty()
        .recover(Database::unavailable);
  }

  /** Whether the token with this public id is neither revoked nor expired. */
  public Future<Boolean> isLive(String uuid) {
    return pool.preparedQuery("SELECT 1 FROM api_tokens WHERE uuid = ? AND " + LIVE)
        .execute(Tuple.of(uuid))
        .map(rows -> rows.size() > 0)
        .recover(Database::unavailable);
  }

  /**
   * Ids of tokens revoked within {@code horizon}: tokens exchanged for any revoked earlier have all
   * expired, so the list stays as small as the recent revocations.
   */
  public Future<List<String>> recentlyRevoked(Duration horizon) {
    return pool.preparedQuery(
            "SELECT uuid FROM api_tokens WHERE revoked_at >"
                + " CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND")
        .execute(Tuple.of(horizon.toSeconds()))
        .map(
            rows -> {
              List<String> ids = new ArrayList<>(rows.size());
              rows.forEach(row -> ids.add(row.getString(0)));
              return ids;
            })
        .recover(Database::unavailable);
  }

  private static ApiToken token(Row r) {
    return new ApiToken(
        r.getString("uuid"),
        r.getString("name"),
        r.getString("prefix"),
        TokenScope.fromWire(r.getString("scope")).orElseThrow(),
        instant(r.getLocalDateTime("created_at")),
        instant(r.getLocalDateTime("last_used_at")),
        instant(r.getLocalDateTime("expires_at")));
  }

  private static Instant instant(LocalDateTime time) {
    return time == null ? null : time.toInstant(ZoneOffset.UTC);
  }
}
