package io.astro.common.events.app;

import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.range;
import static io.astro.common.events.EventFields.string;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

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

  /** What to do with the namespace; its JSON value is the lower-case word. */
  public enum Command {
    /** Remove it, with whatever is left in it, from every cluster. */
    DELETE;

    private final String value = name().toLowerCase(Locale.ROOT);

    public String value() {
      return value;
    }

    @Override
    public String toString() {
      return value;
    }

    public static Optional<Command> parse(String value) {
      return Arrays.stream(values()).filter(c -> c.value.equals(value)).findFirst();
    }
  }

  /** The command to remove the namespace of user {@code userId}. */
  public static NamespaceCommand delete(long userId, Instant requestedAt) {
    return new NamespaceCommand(Command.DELETE, userId, KubeNames.namespace(userId), requestedAt);
  }

  public JsonObject toData() {
    return new JsonObject()
        .put("command", command.value())
        .put("userId", userId)
        .put("namespace", namespace)
        .put("requestedAt", requestedAt.toString());
  }

  /** The record value: the CloudEvent as JSON text, subject = the namespace. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, namespace, toData()));
  }

  public static NamespaceCommand decode(String value) {
    return fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
  }

  public static NamespaceCommand fromData(JsonObject data) {
    String word = string(data, "command");
    Command command =
        Command.parse(word)
            .orElseThrow(() -> new InvalidEventException("command " + word + " is unknown"));
    long userId = range(data, "userId", 1, Long.MAX_VALUE);
    String namespace = matching(data, "namespace", KubeNames.NAMESPACE, 63);
    if (!namespace.equals(KubeNames.namespace(userId))) {
      throw new InvalidEventException("namespace is not the user's");
    }
    return new NamespaceCommand(command, userId, namespace, instant(data, "requestedAt"));
  }
}
