package io.astro.sync.clusters;

import io.astro.common.events.EventCodec;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.cloudevents.CloudEvent;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * One cluster of the registry as app-service publishes it on {@code astro.clusters}: an {@code
 * io.astro.cluster.v1} event (docs/events/), key = the cluster's name. The kubeconfig stays sealed
 * here; only the registry opens it.
 */
public record ClusterRecord(
    String name, String clusterId, String sealedKubeconfig, long revision, String syncRequestedAt) {

  public static final String TYPE = "io.astro.cluster.v1";

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern SEALED =
      Pattern.compile("v1\\.[A-Za-z0-9_-]{1,32}\\.[A-Za-z0-9+/=]+");

  /**
   * Reads and checks a record; anything off the contract is a poison message. Messages never quote
   * the value.
   */
  public static ClusterRecord parse(String key, String value) {
    CloudEvent event =
        EventCodec.decode(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    if (!TYPE.equals(event.getType())) {
      throw new InvalidEventException("unexpected event type " + event.getType());
    }
    JsonObject data = EventCodec.data(event);
    try {
      String name = data.getString("name");
      if (name == null || name.length() > 63 || !NAME.matcher(name).matches()) {
        throw new InvalidEventException("name missing or not a DNS label");
      }
      if (!name.equals(key)) {
        throw new InvalidEventException("record key " + key + " is not the cluster name " + name);
      }
      String sealed = data.getString("kubeconfig");
      if (sealed == null || !SEALED.matcher(sealed).matches()) {
        throw new InvalidEventException("kubeconfig missing or not sealed (v1.<key id>.<base64>)");
      }
      Long revision = data.getLong("revision");
      if (revision == null || revision < 1) {
        throw new InvalidEventException("revision missing or below 1");
      }
      return new ClusterRecord(
          name, data.getString("clusterId"), sealed, revision, data.getString("syncRequestedAt"));
    } catch (ClassCastException e) {
      throw new InvalidEventException("cluster data has a field of the wrong type");
    }
  }

  // the sealed kubeconfig is ciphertext, but there is no reason to print it either
  @Override
  public String toString() {
    return "ClusterRecord[" + name + ", revision " + revision + "]";
  }
}
