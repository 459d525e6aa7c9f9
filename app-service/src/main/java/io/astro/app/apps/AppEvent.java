package io.astro.app.apps;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One line of an app's history: a command issued ({@code kind=command}), a status change ({@code
 * kind=status}) or a Kubernetes warning about it ({@code kind=warning}, its reason as {@code
 * warning}), each warning once.
 */
public record AppEvent(
    long id,
    String kind,
    String action,
    long generation,
    String reason,
    String message,
    String requestId,
    Instant at) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("kind", kind)
        .put(kind.equals("command") || kind.equals("warning") ? kind : "status", action)
        .put("generation", generation)
        .put("reason", reason)
        // a status's or warning's message is what Kubernetes said: tenants get its reason's text
        .put(
            "message",
            kind.equals("command")
                ? message
                : TenantText.of(kind.equals("warning") ? action : reason, message))
        .put("request_id", requestId)
        .put("at", at.toString());
  }
}
