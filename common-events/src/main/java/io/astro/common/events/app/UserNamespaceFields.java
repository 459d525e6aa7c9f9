package io.astro.common.events.app;

import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.range;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;

/**
 * What the namespace events ({@link NamespaceCommand}, {@link NamespaceStatusEvent}) share: a
 * user's id and that user's namespace, in the same two fields, and the CloudEvent around their data
 * with the namespace as its subject.
 */
final class UserNamespaceFields {

  private UserNamespaceFields() {}

  /** {@code data} with the user's id and namespace put in. */
  static JsonObject put(JsonObject data, long userId, String namespace) {
    return data.put("userId", userId).put("namespace", namespace);
  }

  /** The user's id; the namespace must be that user's. */
  static long userId(JsonObject data) {
    long userId = range(data, "userId", 1, Long.MAX_VALUE);
    String namespace = matching(data, "namespace", KubeNames.NAMESPACE, KubeNames.MAX_NAME);
    if (!namespace.equals(KubeNames.namespace(userId))) {
      throw new InvalidEventException("namespace is not the user's");
    }
    return userId;
  }

  /** The record value: the CloudEvent as JSON text, subject = the namespace. */
  static String encode(String type, String source, String namespace, JsonObject data) {
    return EventCodec.encodeText(EventCodec.create(type, source, namespace, data));
  }

  /** The data of a record value of {@code type}. */
  static JsonObject decode(String value, String type) {
    return EventCodec.data(EventCodec.decode(value, type));
  }
}
