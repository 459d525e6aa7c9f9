package io.astro.app.events;

import io.astro.app.store.App;
import io.astro.app.store.OutboxMessage;
import io.astro.common.events.EventCodec;
import io.astro.common.events.Topics;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Builds {@code io.astro.app.command.v1} events (schema: {@code
 * docs/events/io.astro.app.command.v1.json}). Each carries the command AND the whole desired state
 * after it with its generation, so the sync-worker can act on the latest one alone (the topic is
 * compacted by app id).
 */
public final class CommandEvents {

  public static final String TYPE = "io.astro.app.command.v1";
  public static final String SOURCE = "/astro/app-service";

  private CommandEvents() {}

  public static OutboxMessage of(String command, App app, String requestId) {
    App.Desired d = app.desired();
    JsonObject desired =
        new JsonObject()
            .put("image", d.image())
            .put("replicas", d.replicas())
            .put("port", d.port())
            .put("stopped", d.stopped())
            .put("restartedAt", d.restartedAt() == null ? null : d.restartedAt().toString())
            .put("deleted", d.deleting());
    JsonObject data =
        new JsonObject()
            .put("command", command)
            .put("appId", app.id())
            .put("userId", app.userId())
            .put("name", app.name())
            .put("cluster", app.clusterId())
            .put("namespace", app.namespace())
            .put("k8sName", app.k8sName())
            .put("generation", app.generation())
            .put("desired", desired);
    String payload =
        new String(
            EventCodec.encode(EventCodec.create(TYPE, SOURCE, app.id(), data)),
            StandardCharsets.UTF_8);
    JsonObject headers = new JsonObject();
    if (requestId != null) {
      headers.put(Topics.REQUEST_ID_HEADER, requestId);
    }
    return new OutboxMessage(TYPE, payload, headers);
  }
}
