package io.astro.app.apps;

import io.astro.app.events.CommandEvents;
import io.astro.app.outbox.OutboxMessage;

/**
 * A change of an app's desired state, recorded with the command that announces it; {@code release}
 * is the description of the release it makes, or null for an operation (no release).
 */
public record Change(
    App after, String action, String requestId, OutboxMessage message, String release) {

  /** An operation (start, stop, restart, scale, delete): a new generation, no release. */
  public static Change operation(App after, String action, String requestId) {
    return new Change(after, action, requestId, CommandEvents.of(action, after, requestId), null);
  }

  /** A new release (create, update, rollback), described for the releases list. */
  public static Change release(App after, String action, String requestId, String description) {
    String command = action.equals("create") ? "create" : "update";
    return new Change(
        after, action, requestId, CommandEvents.of(command, after, requestId), description);
  }
}
