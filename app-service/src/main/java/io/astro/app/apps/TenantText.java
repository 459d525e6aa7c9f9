package io.astro.app.apps;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a tenant is told about a reason: a short fixed text per reason code, never what Kubernetes
 * or a cluster said. Those texts name registries, hosts and ports (an image {@code 10.0.0.7:6443/x}
 * makes ErrImagePull say whether that port refused, spoke plain HTTP or TLS: a port scanner),
 * nodes, capacity and cluster errors. The raw messages stay where operators read them: the
 * sync-worker's log and the status events on Kafka.
 */
public final class TenantText {

  /** The reason of an app whose cluster fails its health checks. */
  public static final String CLUSTER_UNHEALTHY = "ClusterUnhealthy";

  private static final String CLUSTER_DOWN =
      "its cluster is not answering; the app's status is unknown until it does";
  private static final String PULL =
      "the image cannot be pulled: check its name, tag, registry and pull credentials";
  private static final String START = "the container cannot be started with its configuration";

  private static final Map<String, String> TEXTS =
      Map.ofEntries(
          Map.entry("ErrImagePull", PULL),
          Map.entry("ImagePullBackOff", PULL + " (retrying)"),
          Map.entry("InvalidImageName", "the image name is not valid"),
          Map.entry("ErrImageNeverPull", PULL),
          Map.entry("CrashLoopBackOff", "the container keeps exiting; see its logs"),
          Map.entry("CreateContainerConfigError", START),
          Map.entry("CreateContainerError", START),
          Map.entry("RunContainerError", START),
          Map.entry("OOMKilled", "a container ran out of memory; pick a larger size"),
          Map.entry("QuotaExceeded", "the app does not fit in your namespace's quota"),
          Map.entry("FailedCreate", "its pods cannot be created"),
          Map.entry("ReplicaFailure", "its pods cannot be created"),
          Map.entry(
              "ProgressDeadlineExceeded",
              "the new release did not become available in time; the previous one keeps serving"),
          Map.entry(
              "RolloutFailed",
              "the new release did not become available in time; the previous one keeps serving"),
          Map.entry(CLUSTER_UNHEALTHY, CLUSTER_DOWN),
          Map.entry("ClusterUnreachable", CLUSTER_DOWN),
          Map.entry("ClusterUnknown", "its cluster is not connected to Astro now"),
          Map.entry("ClusterDeleted", "its cluster was removed from Astro"),
          Map.entry("ApplyRejected", "the cluster refused the app's objects"),
          Map.entry("SecretsUnreadable", "the app's secrets cannot be read; set them again"),
          Map.entry(
              "NamespaceTerminating", "your namespace is being removed; try again in a moment"),
          Map.entry("DriftFought", "a change made directly in the cluster was undone"),
          // Kubernetes warning events
          Map.entry("BackOff", "a container is restarting after failing"),
          Map.entry("Failed", "a container failed"),
          Map.entry("FailedScheduling", "its pods cannot be scheduled: no room in the cluster now"),
          Map.entry("Unhealthy", "a health probe failed"),
          Map.entry("FailedMount", "a volume cannot be mounted"),
          Map.entry("Evicted", "a pod was evicted"),
          Map.entry("Killing", "a container was stopped"));

  private static final Pattern CODE = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");
  // a RolloutFailed message starts with what stalled the rollout ("CrashLoopBackOff: ...")
  private static final Pattern CAUSE = Pattern.compile("^([A-Z][A-Za-z0-9]{0,63}):");

  private TenantText() {}

  /** The text for {@code reason}; null when there is no reason. */
  public static String of(String reason) {
    if (reason == null) {
      return null;
    }
    String text = TEXTS.get(reason);
    if (text != null) {
      return text;
    }
    return CODE.matcher(reason).matches()
        ? "Kubernetes reported " + reason
        : "Kubernetes reported a problem";
  }

  /**
   * The text for an app's status {@code reason}; a failed rollout also names what stalled it (a
   * reason code taken from the start of the raw {@code message}, nothing else of it).
   */
  public static String of(String reason, String message) {
    if ("RolloutFailed".equals(reason) && message != null) {
      Matcher cause = CAUSE.matcher(message);
      if (cause.find() && !cause.group(1).equals(reason)) {
        return cause.group(1) + ": " + of(cause.group(1)) + " (" + of(reason) + ")";
      }
    }
    return of(reason);
  }

  private static final Map<String, String> CERTIFICATE_TEXTS =
      Map.of(
          "issued", "the certificate is issued; the host answers on https",
          "pending", "the certificate is being issued; this can take a few minutes",
          "failed",
              "the certificate could not be issued: check that the domain's DNS points at Astro;"
                  + " it is retried with back-off");

  /**
   * A host's certificate as tenants see it: {@code certificate} (pending, issued, failed), {@code
   * certificate_reason} (cert-manager's reason code, when it is a plain word) and {@code
   * certificate_message}, a fixed text per state — never what cert-manager or the CA said, which
   * names issuers, ACME servers and DNS answers. All null when the cluster did not say.
   */
  public static JsonObject certificate(String state, String reason) {
    String text = state == null ? null : CERTIFICATE_TEXTS.get(state);
    if (text == null) {
      return new JsonObject()
          .putNull("certificate")
          .putNull("certificate_reason")
          .putNull("certificate_message");
    }
    return new JsonObject()
        .put("certificate", state)
        .put("certificate_reason", reason != null && CODE.matcher(reason).matches() ? reason : null)
        .put("certificate_message", text);
  }

  /** The warnings as tenants see them: each one's reason, count and last time, a fixed text. */
  public static JsonArray warnings(JsonArray warnings) {
    JsonArray told = new JsonArray();
    for (Object warning : warnings) {
      if (warning instanceof JsonObject w) {
        told.add(w.copy().put("message", of(w.getString("reason"))));
      }
    }
    return told;
  }

  /**
   * Why an app is on its cluster, without the capacity figures or labels recorded with the choice.
   */
  public static String placement(String stored) {
    if (stored == null || stored.equals("with the user's other apps")) {
      return stored;
    }
    return stored.startsWith("the default cluster")
        ? "the default cluster"
        : "the healthy cluster with the most free CPU";
  }
}
