package io.astro.app.store;

import io.vertx.core.json.JsonObject;

/** An event waiting in the outbox: its CloudEvent type, the whole encoded event, and the Kafka headers to send. */
public record OutboxMessage(String type, String payload, JsonObject headers) {
}
