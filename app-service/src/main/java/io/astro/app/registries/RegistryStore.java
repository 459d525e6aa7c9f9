package io.astro.app.registries;

import io.astro.common.db.Database;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * All SQL on registry credentials. A delete takes the owner's row lock (as app creates and changes
 * do), so no app can start naming a credential while it is being deleted.
 */
public final class RegistryStore {

  private static final String COLUMNS = "id, user_id, name, server, username, password, created_at";

  private final Pool pool;

  public RegistryStore(Pool pool) {
    this.pool = pool;
  }

  public Future<RegistryOutcome> create(Registry r) {
    return pool.preparedQuery(
            "INSERT INTO registries (id, user_id, name, server, username, password, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")
        .execute(
            Tuple.tuple()
                .addString(r.id())
                .addLong(r.userId())
                .addString(r.name())
                .addString(r.server())
                .addString(r.username())
                .addString(r.sealedPassword())
                .addValue(LocalDateTime.ofInstant(r.createdAt(), ZoneOffset.UTC)))
        .<RegistryOutcome>map(new RegistryOutcome.Created(r))
        .recover(
            failure ->
                Database.isDuplicateKey(failure)
                    ? Future.succeededFuture(new RegistryOutcome.NameTaken(r.name()))
                    : Database.unavailable(failure));
  }

  /** The user's credentials by name. */
  public Future<List<Registry>> list(long userId) {
    return pool.preparedQuery(
            "SELECT " + COLUMNS + " FROM registries WHERE user_id = ? ORDER BY name")
        .execute(Tuple.of(userId))
        .recover(Database::unavailable)
        .map(RegistryStore::registries);
  }

  public Future<Optional<Registry>> find(long userId, String name) {
    return pool.preparedQuery(
            "SELECT " + COLUMNS + " FROM registries WHERE user_id = ? AND name = ?")
        .execute(Tuple.of(userId, name))
        .recover(Database::unavailable)
        .map(rows -> registries(rows).stream().findFirst());
  }

  /** Deletes the credential unless a live app's current release pulls with it. */
  public Future<RegistryOutcome> delete(long userId, String name) {
    return Database.transaction(
            pool,
            conn ->
                conn.preparedQuery(
                        "INSERT INTO app_owners (user_id) VALUES (?) ON DUPLICATE KEY UPDATE user_id = user_id")
                    .execute(Tuple.of(userId))
                    .compose(
                        v ->
                            conn.preparedQuery(
                                    "SELECT name FROM apps WHERE user_id = ? AND image_pull_secret = ?"
                                        + " AND deleted_at IS NULL ORDER BY name")
                                .execute(Tuple.of(userId, name)))
                    .compose(
                        apps -> {
                          if (apps.size() > 0) {
                            List<String> names = new ArrayList<>();
                            apps.forEach(r -> names.add(r.getString("name")));
                            return Future.succeededFuture(new RegistryOutcome.InUse(names));
                          }
                          return conn.preparedQuery(
                                  "DELETE FROM registries WHERE user_id = ? AND name = ?")
                              .execute(Tuple.of(userId, name))
                              .<RegistryOutcome>map(
                                  done ->
                                      done.rowCount() == 0
                                          ? new RegistryOutcome.NotFound()
                                          : new RegistryOutcome.Deleted());
                        }))
        .recover(Database::unavailable);
  }

  /** Every credential, for re-encryption. */
  public Future<List<Registry>> all() {
    return pool.query("SELECT " + COLUMNS + " FROM registries")
        .execute()
        .recover(Database::unavailable)
        .map(RegistryStore::registries);
  }

  /** Stores {@code sealed} as the password of {@code id} if it still holds {@code before}. */
  public Future<Boolean> reseal(String id, String before, String sealed) {
    return pool.preparedQuery("UPDATE registries SET password = ? WHERE id = ? AND password = ?")
        .execute(Tuple.of(sealed, id, before))
        .recover(Database::unavailable)
        .map(done -> done.rowCount() == 1);
  }

  private static List<Registry> registries(RowSet<Row> rows) {
    List<Registry> list = new ArrayList<>();
    for (Row r : rows) {
      list.add(
          new Registry(
              r.getString("id"),
              r.getLong("user_id"),
              r.getString("name"),
              r.getString("server"),
              r.getString("username"),
              r.getString("password"),
              r.getLocalDateTime("created_at").toInstant(ZoneOffset.UTC)));
    }
    return list;
  }
}
