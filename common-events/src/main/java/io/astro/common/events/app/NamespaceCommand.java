package io.astro.common.events.app;

import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.word;

import io.astro.common.json.JsonWord;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * {@code io.astro.namespace.command.v1} (schema: {@code
 * docs/events/io.astro.namespace.command.v1.json}): a command about a user's namespace rather than
 * one app, on {@code astro.app.commands} keyed by the namespace's name (never an app id, so it
 * cannot overwrite an app's record under compaction). Produced by app-service (outbox) when the
 * user's account is deleted, consumed by the sync-worker, which removes the namespace from every
 * cluster once the user's apps are gone from it.
 */
public record NamespaceCommand(
    Command command, long userId, String namespace, Instant requestedAt) {

  public static final String TYPE = "io.astro.namespace.command.v1";
  public static final String SOURCE = "/astro/app-service";

  /** What to do with the namespace. */
  public enum Command implements JsonWord {
    /** Remove it, with whatever is left in it, from every cluster. */
    DELETE;

    @Override
    public String toString() {
      return value();
    }
  }

  /** The command to remove the namespace of user {@code userId}. */
  public static NamespaceCommand delete(long userId, Instant requestedAt) {
    return new NamespaceCommand(Command.DELETE, userId, KubeNames.namespace(userId), requestedAt);
  }

  public JsonObject toData() {
    return UserNamespaceFields.put(
            new JsonObject().put("command", command.value()), userId, namespace)
        .put("requestedAt", requestedAt.toString());
  }

  /** The record value: the CloudEvent as JSON text, subject = the namespace. */
  public String encode() {
    return UserNamespaceFields.encode(TYPE, SOURCE, namespace, toData());
  }

  public static NamespaceCommand decode(String value) {
    return fromData(UserNamespaceFields.decode(value, TYPE));
  }

  public static NamespaceCommand fromData(JsonObject data) {
    Command command = word(data, "command", Command.class);
    long userId = UserNamespaceFields.userId(data);
    return new NamespaceCommand(
        command, userId, KubeNames.namespace(userId), instant(data, "requestedAt"));
  }
}
