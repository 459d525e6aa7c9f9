package io.astro.app.audit;

import io.astro.app.store.Page;
import io.astro.common.db.Database;
import io.astro.common.events.audit.AuditEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit table ({@code audit_log}): appended from {@code astro.audit}, read by the audit routes.
 * Rows are only inserted — a repeated event (same id) is kept once — and only housekeeping deletes
 * them; nothing here updates one.
 */
public final class AuditLog {

  /** What a listing asks for; null fields match everything. */
  public record Query(
      String actor, String action, String target, Instant from, Instant to, int page, int limit) {}

  private static final String COLUMNS =
      "id, at, service, actor_uuid, actor_user_id, actor_role, token_kind, token_id, token_name,"
          + " action, target_type, target_id, target_name, status, error_code, request_id,"
          + " client_ip";

  private final Pool pool;

  public AuditLog(Pool pool) {
    this.pool = pool;
  }

  /** Appends one event; an id already held (a redelivery) changes nothing. */
  public Future<Void> append(AuditEvent e) {
    AuditEvent.Actor a = e.actor();
    Tuple row =
        Tuple.tuple()
            .addString(e.id())
            .addValue(utc(e.at()))
            .addString(e.service())
            .addString(a == null ? null : a.uuid())
            .addValue(a == null ? null : a.userId())
            .addString(a == null ? null : a.role())
            .addString(a == null || a.tokenKind() == null ? null : a.tokenKind().value())
            .addString(a == null ? null : a.tokenId())
            .addString(a == null ? null : a.tokenName())
            .addString(e.action())
            .addString(e.target().type())
            .addString(e.target().id())
            .addString(e.target().name())
            .addInteger(e.outcome().status())
            .addValue(e.outcome().code())
            .addString(e.requestId())
            .addString(e.clientIp());
    return pool.preparedQuery(
            "INSERT INTO audit_log ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .execute(row)
        .<Void>mapEmpty()
        .recover(
            failure ->
                Database.isDuplicateKey(failure)
                    ? Future.succeededFuture()
                    : Future.failedFuture(failure));
  }

  /** A page of lines matching {@code q}, newest first, and how many match in all. */
  public Future<Page<JsonObject>> list(Query q) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (q.actor() != null) {
      where.append(" AND actor_uuid = ?");
      args.add(q.actor());
    }
    if (q.action() != null) {
      // a whole name, or every action under a prefix: app matches app.create and app.scale
      where.append(" AND (action = ? OR action LIKE ?)");
      args.add(q.action());
      args.add(q.action() + ".%");
    }
    if (q.target() != null) {
      where.append(" AND (target_id = ? OR target_name = ?)");
      args.add(q.target());
      args.add(q.target());
    }
    if (q.from() != null) {
      where.append(" AND at >= ?");
      args.add(utc(q.from()));
    }
    if (q.to() != null) {
      where.append(" AND at < ?");
      args.add(utc(q.to()));
    }
    List<Object> pageArgs = new ArrayList<>(args);
    pageArgs.add(q.limit());
    pageArgs.add((long) (q.page() - 1) * q.limit());
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + " FROM audit_log"
                + where
                + " ORDER BY at DESC, seq DESC LIMIT ? OFFSET ?")
        .execute(Tuple.wrap(pageArgs))
        .compose(
            rows -> {
              List<JsonObject> items = new ArrayList<>(rows.size());
              rows.forEach(r -> items.add(toJson(r)));
              return pool.preparedQuery("SELECT COUNT(*) FROM audit_log" + where)
                  .execute(Tuple.wrap(args))
                  .map(count -> new Page<>(items, count.iterator().next().getLong(0)));
            })
        .recover(Database::unavailable);
  }

  private static JsonObject toJson(Row r) {
    String uuid = r.getString("actor_uuid");
    JsonObject actor =
        uuid == null
            ? null
            : new JsonObject()
                .put("uuid", uuid)
                .put("user_id", r.getLong("actor_user_id"))
                .put("role", r.getString("actor_role"))
                .put("token_kind", r.getString("token_kind"))
                .put("token_id", r.getString("token_id"))
                .put("token_name", r.getString("token_name"));
    return new JsonObject()
        .put("id", r.getString("id"))
        .put("at", r.getLocalDateTime("at").toInstant(ZoneOffset.UTC).toString())
        .put("service", r.getString("service"))
        .put("actor", actor)
        .put("action", r.getString("action"))
        .put(
            "target",
            new JsonObject()
                .put("type", r.getString("target_type"))
                .put("id", r.getString("target_id"))
                .put("name", r.getString("target_name")))
        .put(
            "outcome",
            new JsonObject()
                .put("status", r.getInteger("status"))
                .put("code", r.getInteger("error_code")))
        .put("request_id", r.getString("request_id"))
        .put("client_ip", r.getString("client_ip"));
  }

  private static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
