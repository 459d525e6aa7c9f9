package io.astro.app.events;

import io.astro.common.db.outbox.OutboxMessage;
import io.astro.common.events.Topics;
import io.astro.common.events.app.NamespaceCommand;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The outbox message of a {@link NamespaceCommand}, for the commands topic, keyed by the namespace
 * (the caller passes the key).
 */
public final class NamespaceEvents {

  private NamespaceEvents() {}

  /**
   * The namespace command's last record once the sync-worker reported the namespace gone: a null
   * value under the namespace's key, so compaction drops the command and no assignment replays it.
   */
  public static OutboxMessage tombstone() {
    return new OutboxMessage(NamespaceCommand.TYPE, null, new JsonObject());
  }

  public static OutboxMessage delete(long userId, Instant at, String requestId) {
    JsonObject headers = new JsonObject();
    if (requestId != null) {
      headers.put(Topics.REQUEST_ID_HEADER, requestId);
    }
    return new OutboxMessage(
        NamespaceCommand.TYPE, NamespaceCommand.delete(userId, at).encode(), headers);
  }
}
