package io.astro.common.events.app;

import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.strings;
import static io.astro.common.events.EventFields.word;

import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.json.JsonWord;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

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

  /** Where the namespace stands. */
  public enum Status implements JsonWord {
    /** Gone from every cluster. */
    DELETED;

    @Override
    public String toString() {
      return value();
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
    return UserNamespaceFields.put(
            new JsonObject().put("status", status.value()), userId, namespace)
        .put("clusters", new JsonArray(clusters))
        .put("observedAt", observedAt.toString());
  }

  /** The record value: the CloudEvent as JSON text, subject = the namespace. */
  public String encode() {
    return UserNamespaceFields.encode(TYPE, SOURCE, namespace, toData());
  }

  public static NamespaceStatusEvent decode(String value) {
    return fromData(UserNamespaceFields.decode(value, TYPE));
  }

  public static NamespaceStatusEvent fromData(JsonObject data) {
    Status status = word(data, "status", Status.class);
    long userId = UserNamespaceFields.userId(data);
    List<String> clusters = strings(data, "clusters");
    if (clusters == null) {
      throw new InvalidEventException("clusters is missing");
    }
    return new NamespaceStatusEvent(
        status, userId, KubeNames.namespace(userId), clusters, instant(data, "observedAt"));
  }
}
