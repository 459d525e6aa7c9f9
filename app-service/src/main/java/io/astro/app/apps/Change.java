package io.astro.app.apps;

import io.astro.app.events.CommandEvents;
import io.astro.common.db.outbox.OutboxMessage;

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

  /**
   * A suspension ({@code suspend}) or its end ({@code resume}), as the history shows it; the
   * sync-worker is told as for a stop or a start (the command's desired state scales to zero while
   * suspended), so the commands' contract stays as it is.
   */
  public static Change suspension(App after, boolean suspended, String requestId) {
    return new Change(
        after,
        suspended ? "suspend" : "resume",
        requestId,
        CommandEvents.of(suspended ? "stop" : "start", after, requestId),
        null);
  }

  /** A new release (create, update, rollback), described for the releases list. */
  public static Change release(App after, String action, String requestId, String description) {
    String command = action.equals("create") ? "create" : "update";
    return new Change(
        after, action, requestId, CommandEvents.of(command, after, requestId), description);
  }
}
