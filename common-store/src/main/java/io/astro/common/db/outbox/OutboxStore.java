package io.astro.common.db.outbox;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The relay's SQL: claim the publishing lock, read unpublished rows in order, mark the sent ones.
 */
public final class OutboxStore {

  /** An outbox row to publish. */
  public record Row(
      long id, String aggregateId, String type, String topic, String payload, JsonObject headers) {}

  /** What one pass did: whether this instance held the lock, rows found, rows marked published. */
  public record Pass(boolean locked, int found, int published) {}

  private final Pool pool;

  public OutboxStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Under the relay lock, hands the oldest {@code limit} unpublished rows (id order) to {@code
   * publish} and marks the ids it returns as published, in one transaction. Another instance
   * holding the lock means nothing is read: only one relay publishes at a time, so one aggregate's
   * rows never overtake each other.
   */
  public Future<Pass> publishNext(int limit, Function<List<Row>, Future<List<Long>>> publish) {
    return pool.withTransaction(
        conn ->
            conn.query("SELECT id FROM outbox_relay_lock WHERE id = 1 FOR UPDATE SKIP LOCKED")
                .execute()
                .compose(
                    lock -> {
                      if (lock.size() == 0) {
                        return Future.succeededFuture(new Pass(false, 0, 0));
                      }
                      return conn.preparedQuery(
                              "SELECT id, aggregate_id, type, topic, payload, headers FROM outbox"
                                  + " WHERE published_at IS NULL ORDER BY id LIMIT ?")
                          .execute(Tuple.of(limit))
                          .compose(
                              rows -> {
                                List<Row> batch = new ArrayList<>(rows.size());
                                for (io.vertx.sqlclient.Row r : rows) {
                                  Object payload = r.getValue("payload");
                                  batch.add(
                                      new Row(
                                          r.getLong("id"),
                                          r.getString("aggregate_id"),
                                          r.getString("type"),
                                          r.getString("topic"),
                                          payload == null ? null : text(payload),
                                          new JsonObject(text(r.getValue("headers")))));
                                }
                                if (batch.isEmpty()) {
                                  return Future.succeededFuture(new Pass(true, 0, 0));
                                }
                                return publish
                                    .apply(batch)
                                    .compose(
                                        sent ->
                                            markPublished(conn, sent)
                                                .map(new Pass(true, batch.size(), sent.size())));
                              });
                    }));
  }

  /**
   * Adds {@code message} to the outbox in the caller's transaction; the relay publishes it after
   * the commit.
   */
  public static Future<Void> insert(SqlConnection conn, String aggregateId, OutboxMessage message) {
    return write(conn, aggregateId, message);
  }

  /**
   * Adds {@code message} to the outbox as a statement of its own, for a row that goes with no other
   * change: one round trip where a transaction around it takes three.
   */
  public static Future<Void> insert(Pool pool, String aggregateId, OutboxMessage message) {
    return write(pool, aggregateId, message);
  }

  private static Future<Void> write(SqlClient client, String aggregateId, OutboxMessage message) {
    return client
        .preparedQuery(
            "INSERT INTO outbox (aggregate_id, type, topic, payload, headers) VALUES (?, ?, ?, ?, ?)")
        .execute(
            Tuple.of(
                aggregateId,
                message.type(),
                message.topic(),
                message.payload(),
                message.headers().encode()))
        .mapEmpty();
  }

  private static Future<Void> markPublished(SqlConnection conn, List<Long> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    String marks = String.join(",", Collections.nCopies(ids.size(), "?"));
    return conn.preparedQuery(
            "UPDATE outbox SET published_at = CURRENT_TIMESTAMP(3) WHERE id IN (" + marks + ")")
        .execute(Tuple.wrap(new ArrayList<Object>(ids)))
        .mapEmpty();
  }

  // MariaDB hands JSON columns back as text, MySQL 8 as parsed JSON
  private static String text(Object json) {
    return json instanceof JsonObject o ? o.encode() : json.toString();
  }
}
