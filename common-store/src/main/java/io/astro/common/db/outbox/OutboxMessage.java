package io.astro.common.db.outbox;

import io.vertx.core.json.JsonObject;

/**
 * An event waiting in the outbox: its CloudEvent type, the whole encoded event (null: a tombstone),
 * the Kafka headers to send, and its topic (null: the topic the relay is configured with).
 */
public record OutboxMessage(String type, String payload, JsonObject headers, String topic) {

  /**
   * An event for the relay's default topic (app-service: a command; user-service: a user event).
   */
  public OutboxMessage(String type, String payload, JsonObject headers) {
    this(type, payload, headers, null);
  }
}
