package io.astro.common.events.app;

import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.range;
import static io.astro.common.events.EventFields.string;
import static io.astro.common.events.EventFields.strings;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code io.astro.namespace.status.v1} (schema: {@code
 * docs/events/io.astro.namespace.status.v1.json}): the answer to a {@link NamespaceCommand}, on
 * {@code astro.app.status} keyed by the namespace's name. Produced by the sync-worker once the
 * namespace is gone from every cluster it knows ({@code clusters}, the ones it checked); consumed
 * by app-service, which then writes a tombstone for the command (as for a deleted app), and by
 * integrations.
 */
public record NamespaceStatusEvent(
    Status status, long userId, String namespace, List<String> clusters, Instant observedAt) {

  public static final String TYPE = "io.astro.namespace.status.v1";
  public static final String SOURCE = "/astro/sync-worker";

  /** Where the namespace stands; its JSON value is the lower-case word. */
  public enum Status {
    /** Gone from every cluster. */
    DELETED;

    private final String value = name().toLowerCase(Locale.ROOT);

    public String value() {
      return value;
    }

    @Override
    public String toString() {
      return value;
    }

    public static Optional<Status> parse(String value) {
      return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
    }
  }

  public NamespaceStatusEvent {
    clusters = List.copyOf(clusters);
  }

  /** The namespace of {@code command} is gone from {@code clusters}. */
  public static NamespaceStatusEvent deleted(
      NamespaceCommand command, List<String> clusters, Instant at) {
    return new NamespaceStatusEvent(
        Status.DELETED, command.userId(), command.namespace(), clusters, at);
  }

  public JsonObject toData() {
    return new JsonObject()
        .put("status", status.value())
        .put("userId", userId)
        .put("namespace", namespace)
        .put("clusters", new JsonArray(clusters))
        .put("observedAt", observedAt.toString());
  }

  /** The record value: the CloudEvent as JSON text, subject = the namespace. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, namespace, toData()));
  }

  public static NamespaceStatusEvent decode(String value) {
    return fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
  }

  public static NamespaceStatusEvent fromData(JsonObject data) {
    String word = string(data, "status");
    Status status =
        Status.parse(word)
            .orElseThrow(() -> new InvalidEventException("status " + word + " is unknown"));
    long userId = range(data, "userId", 1, Long.MAX_VALUE);
    String namespace = matching(data, "namespace", KubeNames.NAMESPACE, 63);
    if (!namespace.equals(KubeNames.namespace(userId))) {
      throw new InvalidEventException("namespace is not the user's");
    }
    List<String> clusters = strings(data, "clusters");
    if (clusters == null) {
      throw new InvalidEventException("clusters is missing");
    }
    return new NamespaceStatusEvent(
        status, userId, namespace, clusters, instant(data, "observedAt"));
  }
}
