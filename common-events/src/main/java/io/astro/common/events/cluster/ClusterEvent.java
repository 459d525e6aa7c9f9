package io.astro.common.events.cluster;

import static io.astro.common.events.EventFields.matching;
import static io.astro.common.events.EventFields.range;
import static io.astro.common.events.EventFields.string;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.EventFields;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code io.astro.cluster.v1} (schema: {@code docs/events/io.astro.cluster.v1.json}): one cluster
 * of the registry as it is now, its kubeconfig sealed ({@code v1.<key id>.<base64>}). Produced by
 * app-service through its outbox on the compacted topic {@code astro.clusters} (key = the cluster's
 * name, a tombstone once deleted), consumed by the sync-worker, which alone opens the kubeconfig.
 * {@code publicUrls} (added compatibly: null or absent = the sync-worker's own settings) holds the
 * cluster's own public-URL settings.
 */
public record ClusterEvent(
    String clusterId,
    String name,
    String kubeconfig,
    Map<String, String> labels,
    long revision,
    String syncRequestedAt,
    ClusterPublicUrls publicUrls) {

  public static final String TYPE = "io.astro.cluster.v1";
  public static final String SOURCE = "/astro/app-service";

  public ClusterEvent {
    // insertion order is kept: it is the order of the labels on the wire
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    // nothing overridden and nothing said are the same: the worker's settings apply
    if (publicUrls != null && publicUrls.isEmpty()) {
      publicUrls = null;
    }
  }

  /** A cluster without public-URL settings of its own. */
  public ClusterEvent(
      String clusterId,
      String name,
      String kubeconfig,
      Map<String, String> labels,
      long revision,
      String syncRequestedAt) {
    this(clusterId, name, kubeconfig, labels, revision, syncRequestedAt, null);
  }

  /** The cluster's public-URL settings, {@link ClusterPublicUrls#NONE} when it has none. */
  public ClusterPublicUrls urls() {
    return publicUrls == null ? ClusterPublicUrls.NONE : publicUrls;
  }

  public JsonObject toData() {
    return new JsonObject()
        .put("clusterId", clusterId)
        .put("name", name)
        .put("kubeconfig", kubeconfig)
        .put("labels", new JsonObject(new LinkedHashMap<String, Object>(labels)))
        .put("revision", revision)
        .put("syncRequestedAt", syncRequestedAt)
        .put("publicUrls", publicUrls == null ? null : publicUrls.toData());
  }

  /** The record value: the CloudEvent as JSON text, subject = the cluster's name. */
  public String encode() {
    return EventCodec.encodeText(EventCodec.create(TYPE, SOURCE, name, toData()));
  }

  /**
   * Reads and checks a record of key {@code key}; anything off the contract is an invalid (poison)
   * event. Messages never quote the value: it holds the sealed kubeconfig.
   */
  public static ClusterEvent decode(String key, String value) {
    ClusterEvent cluster = fromData(EventCodec.data(EventCodec.decode(value, TYPE)));
    if (!cluster.name.equals(key)) {
      throw new InvalidEventException(
          "record key " + key + " is not the cluster name " + cluster.name);
    }
    return cluster;
  }

  public static ClusterEvent fromData(JsonObject data) {
    String sealed = string(data, "kubeconfig");
    if (sealed == null || !EventFields.SEALED.matcher(sealed).matches()) {
      throw new InvalidEventException("kubeconfig missing or not sealed (v1.<key id>.<base64>)");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    Object labelsValue = data.getValue("labels");
    if (labelsValue instanceof JsonObject json) {
      for (Map.Entry<String, Object> label : json) {
        if (!(label.getValue() instanceof String text)) {
          throw new InvalidEventException("label " + label.getKey() + " is not a string");
        }
        labels.put(label.getKey(), text);
      }
    } else if (labelsValue != null) {
      throw new InvalidEventException("labels is not an object");
    }
    Object urls = data.getValue("publicUrls");
    if (urls != null && !(urls instanceof JsonObject)) {
      throw new InvalidEventException("publicUrls is not an object");
    }
    return new ClusterEvent(
        string(data, "clusterId"),
        matching(data, "name", KubeNames.DNS_LABEL, KubeNames.MAX_NAME),
        sealed,
        labels,
        range(data, "revision", 1, Long.MAX_VALUE),
        string(data, "syncRequestedAt"),
        urls == null ? null : ClusterPublicUrls.fromData((JsonObject) urls));
  }

  // the sealed kubeconfig is ciphertext, but there is no reason to print it either
  @Override
  public String toString() {
    return "ClusterEvent[" + name + ", revision " + revision + "]";
  }
}
