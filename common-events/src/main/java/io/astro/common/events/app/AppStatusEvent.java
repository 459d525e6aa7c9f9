package io.astro.common.events.app;

import static io.astro.common.events.EventFields.instant;
import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.required;
import static io.astro.common.events.EventFields.string;
import static io.astro.common.events.EventFields.strings;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.EventFields;
import io.cloudevents.CloudEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code io.astro.app.status.v2} (schema: {@code docs/events/io.astro.app.status.v2.json}): the
 * observed state of one app. Produced by the sync-worker on {@code astro.app.status} (key = app
 * id), consumed by app-service, which applies an event only when (observedGeneration, observedAt)
 * is newer than what it holds, and reads {@link AppStatusEventV1} records too ({@link #read}).
 * {@code url} and {@code domains} are where the app answers, when it does (null and empty until
 * then); {@code certificates} the state of each of those hosts' TLS certificates where the cluster
 * says (cert-manager installed and readable; optional in the schema, none when absent).
 */
public record AppStatusEvent(
    String appId,
    String cluster,
    AppState state,
    Instant observedAt,
    String url,
    List<String> domains,
    List<Certificate> certificates) {

  public static final String TYPE = "io.astro.app.status.v2";
  public static final String SOURCE = "/astro/sync-worker";

  /** Longest {@code certificates[].reason}: a condition reason word, never a message. */
  public static final int MAX_REASON = 64;

  public AppStatusEvent {
    domains = List.copyOf(domains);
    certificates = List.copyOf(certificates);
  }

  /**
   * The TLS certificate of one host the app answers on ({@code url}'s host or a custom domain): its
   * {@code state} and, unless issued, a short machine-readable {@code reason} (cert-manager's
   * condition reason, e.g. {@code Failed}, {@code DoesNotExist}), or null.
   */
  public record Certificate(String host, CertificateState state, String reason) {

    JsonObject toJson() {
      return new JsonObject().put("host", host).put("state", state.value()).put("reason", reason);
    }

    static Certificate fromJson(JsonObject json) {
      String word = string(json, "state");
      CertificateState state =
          CertificateState.parse(word)
              .orElseThrow(
                  () -> new InvalidEventException("certificate state " + word + " is unknown"));
      String reason = string(json, "reason");
      if (reason != null && reason.length() > MAX_REASON) {
        throw new InvalidEventException("certificates[].reason is longer than " + MAX_REASON);
      }
      return new Certificate(required(json, "host"), state, reason);
    }
  }

  /** {@code state} of app {@code appId} on {@code cluster}, seen at {@code observedAt}. */
  public static AppStatusEvent observed(
      String appId, String cluster, AppState state, Instant observedAt) {
    return new AppStatusEvent(appId, cluster, state, observedAt, null, List.of(), List.of());
  }

  public AppStatusEvent reachableAt(String address, List<String> names) {
    return new AppStatusEvent(appId, cluster, state, observedAt, address, names, certificates);
  }

  /** This status with the certificate state of the app's hosts. */
  public AppStatusEvent withCertificates(List<Certificate> states) {
    return new AppStatusEvent(appId, cluster, state, observedAt, url, domains, states);
  }

  public JsonObject toData() {
    JsonObject data = new JsonObject();
    state.writeTo(data);
    return data.put("appId", appId)
        .put("cluster", cluster)
        .put("observedAt", observedAt.toString())
        .put("url", url)
        .put("domains", new JsonArray(domains))
        .put(
            "certificates", new JsonArray(certificates.stream().map(Certificate::toJson).toList()));
  }

  /** The record value: the CloudEvent as JSON text, subject = app id. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, appId, toData()));
  }

  /** Reads and checks a v2 record value; anything off the contract is an invalid (poison) event. */
  public static AppStatusEvent decode(String value) {
    return fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
  }

  /** Reads a record of either version: a v1 status is the current one it means. */
  public static AppStatusEvent read(String value) {
    return read(EventCodec.decode(value));
  }

  /** {@link #read(String)} of a record value already parsed. */
  public static AppStatusEvent read(CloudEvent event) {
    if (AppStatusEventV1.TYPE.equals(event.getType())) {
      return AppStatusEventV1.fromData(EventCodec.data(event)).toCurrent();
    }
    if (!TYPE.equals(event.getType())) {
      throw new InvalidEventException("unexpected event type " + event.getType());
    }
    return fromData(EventCodec.data(event));
  }

  public static AppStatusEvent fromData(JsonObject data) {
    List<String> domains = strings(data, "domains");
    if (domains == null) {
      throw new InvalidEventException("domains is missing");
    }
    return new AppStatusEvent(
        matching(data, "appId", EventFields.UUID, 36),
        string(data, "cluster"),
        AppState.readFrom(data),
        instant(data, "observedAt"),
        string(data, "url"),
        domains,
        certificates(data));
  }

  // optional (added compatibly): absent is none, as from a worker that did not know it
  private static List<Certificate> certificates(JsonObject data) {
    Object value = data.getValue("certificates");
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new InvalidEventException("certificates is not an array");
    }
    List<Certificate> certificates = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof JsonObject json)) {
        throw new InvalidEventException("certificates holds an item that is not an object");
      }
      certificates.add(Certificate.fromJson(json));
    }
    return certificates;
  }
}
