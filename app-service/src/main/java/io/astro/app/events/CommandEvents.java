package io.astro.app.events;

import io.astro.app.apps.App;
import io.astro.common.db.outbox.OutboxMessage;
import io.astro.common.events.Topics;
import io.astro.common.events.app.AppCommand;
import io.vertx.core.json.JsonObject;

/**
 * The outbox message of an {@link AppCommand}: the command AND the whole desired state after it
 * with its generation and release (secrets and pull secret as the ciphertexts stored), so the
 * sync-worker can act on the latest one alone (the topic is compacted by app id).
 */
public final class CommandEvents {

  private CommandEvents() {}

  public static OutboxMessage of(String command, App app, String requestId) {
    App.Desired d = app.desired();
    AppCommand event =
        new AppCommand(
            AppCommand.Command.of(command),
            app.id(),
            app.userId(),
            app.name(),
            app.clusterId(),
            app.namespace(),
            app.k8sName(),
            app.generation(),
            new AppCommand.Desired(
                d.image(),
                d.replicas(),
                d.port(),
                // a suspended app runs no replicas, as a stopped one; the contract needs no more
                d.scaledToZero(),
                d.restartedAt() == null ? null : d.restartedAt().toString(),
                d.deleting(),
                d.settings().release(d.release()),
                d.isPublic(),
                d.domains()));
    JsonObject headers = new JsonObject();
    if (requestId != null) {
      headers.put(Topics.REQUEST_ID_HEADER, requestId);
    }
    return new OutboxMessage(AppCommand.TYPE, event.encode(), headers);
  }

  /**
   * The app's last record on the compacted commands topic, once its delete is complete: a null
   * value under its id, so compaction drops the app's commands and no consumer ever replays them.
   */
  public static OutboxMessage tombstone() {
    return new OutboxMessage(AppCommand.TYPE, null, new JsonObject());
  }
}
