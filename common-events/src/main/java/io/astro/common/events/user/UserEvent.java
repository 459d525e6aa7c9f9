package io.astro.common.events.user;

import static io.astro.common.events.EventFields.UUID;
import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.range;
import static io.astro.common.events.EventFields.string;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * {@code io.astro.user.v1} (schema: {@code docs/events/io.astro.user.v1.json}): something happened
 * to a user's account. Produced by user-service (through its outbox) on {@code astro.users} (key =
 * the user's uuid, so one account's events stay in order), consumed by app-service, which deletes,
 * suspends or restores the user's apps. {@code userId} is the numeric id apps and namespaces are
 * named after ({@code namespace} = {@link KubeNames#namespace(long)}).
 */
public record UserEvent(
    UserEventKind kind, String uuid, long userId, String namespace, Instant at) {

  public static final String TYPE = "io.astro.user.v1";
  public static final String SOURCE = "/astro/user-service";

  /** An event of {@code kind} for the account {@code uuid} / {@code userId}, now. */
  public static UserEvent of(UserEventKind kind, String uuid, long userId, Instant at) {
    return new UserEvent(kind, uuid, userId, KubeNames.namespace(userId), at);
  }

  public JsonObject toData() {
    return new JsonObject()
        .put("kind", kind.value())
        .put("uuid", uuid)
        .put("userId", userId)
        .put("namespace", namespace)
        .put("at", at.toString());
  }

  /** The record value: the CloudEvent as JSON text, subject = the user's uuid. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, uuid, toData()));
  }

  /** Reads and checks a record value; anything off the contract is an invalid (poison) event. */
  public static UserEvent decode(String value) {
    return fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
  }

  public static UserEvent fromData(JsonObject data) {
    String word = string(data, "kind");
    UserEventKind kind =
        UserEventKind.parse(word)
            .orElseThrow(() -> new InvalidEventException("kind " + word + " is unknown"));
    String uuid = matching(data, "uuid", UUID, 36);
    long userId = range(data, "userId", 1, Long.MAX_VALUE);
    String namespace = matching(data, "namespace", KubeNames.NAMESPACE, 63);
    if (!namespace.equals(KubeNames.namespace(userId))) {
      throw new InvalidEventException("namespace is not the user's");
    }
    return new UserEvent(kind, uuid, userId, namespace, instant(data, "at"));
  }
}
