package io.astro.app.clusters;

import io.astro.common.events.cluster.ClusterPublicUrls;
import io.astro.common.events.cluster.ClusterStatus;
import io.astro.common.events.cluster.ClusterStatusEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * An imported cluster: what the operator gave (name, description, labels, the kubeconfig — held
 * sealed only), its own public-URL settings ({@link ClusterPublicUrls#NONE} when the sync-worker's
 * apply) and its latest health check ({@code state}, null before the first). {@link #toJson()}
 * never includes the kubeconfig.
 */
public record Cluster(
    String id,
    String name,
    String description,
    JsonObject labels,
    ClusterPublicUrls publicUrls,
    String sealedKubeconfig,
    String keyId,
    String apiServer,
    long revision,
    Instant syncRequestedAt,
    Instant createdAt,
    Instant updatedAt,
    ClusterStatusEvent state,
    int appCount) {

  /**
   * A cluster as an operator imports it: revision 1, no sync asked for, no apps, no health check
   * yet.
   */
  public static Cluster imported(
      String id,
      String name,
      String description,
      JsonObject labels,
      ClusterPublicUrls publicUrls,
      String sealedKubeconfig,
      String keyId,
      String apiServer,
      Instant now) {
    return new Cluster(
        id,
        name,
        description,
        labels,
        publicUrls,
        sealedKubeconfig,
        keyId,
        apiServer,
        1,
        null,
        now,
        now,
        null,
        0);
  }

  /**
   * A cluster of the sync-worker's own configuration ({@code ASTRO_CLUSTERS}, dev mode's sandbox):
   * never imported, so no kubeconfig here; its id is its name, and it is read-only ({@link
   * #isStatic()}).
   */
  public static Cluster fromConfiguration(String name, ClusterStatusEvent state, int appCount) {
    return new Cluster(
        name,
        name,
        null,
        new JsonObject(),
        ClusterPublicUrls.NONE,
        null,
        null,
        null,
        0,
        null,
        null,
        null,
        state,
        appCount);
  }

  /** Whether the cluster comes from configuration rather than an import (no kubeconfig here). */
  public boolean isStatic() {
    return sealedKubeconfig == null;
  }

  /**
   * With new details (each as given; pass the current one to keep it); the kubeconfig is sealed
   * anew for the new revision ({@link #sealedAs}).
   */
  public Cluster patched(
      String description, JsonObject labels, ClusterPublicUrls publicUrls, String apiServer) {
    return next(
        description, labels, publicUrls, sealedKubeconfig, keyId, apiServer, syncRequestedAt);
  }

  /** With a health check asked for at {@code at}. */
  public Cluster syncRequested(Instant at) {
    return next(description, labels, publicUrls, sealedKubeconfig, keyId, apiServer, at);
  }

  /** The next revision, nothing else changed (re-encryption: sealed anew for it). */
  public Cluster nextRevision() {
    return next(
        description, labels, publicUrls, sealedKubeconfig, keyId, apiServer, syncRequestedAt);
  }

  /** The same revision with its kubeconfig sealed (for this revision) under key {@code keyId}. */
  public Cluster sealedAs(String sealedKubeconfig, String keyId) {
    return new Cluster(
        id,
        name,
        description,
        labels,
        publicUrls,
        sealedKubeconfig,
        keyId,
        apiServer,
        revision,
        syncRequestedAt,
        createdAt,
        updatedAt,
        state,
        appCount);
  }

  // every change is a new revision: the sync-worker keeps the record of the highest
  private Cluster next(
      String description,
      JsonObject labels,
      ClusterPublicUrls publicUrls,
      String sealedKubeconfig,
      String keyId,
      String apiServer,
      Instant syncRequestedAt) {
    return new Cluster(
        id,
        name,
        description,
        labels,
        publicUrls,
        sealedKubeconfig,
        keyId,
        apiServer,
        revision + 1,
        syncRequestedAt,
        createdAt,
        updatedAt,
        state,
        appCount);
  }

  /** The status shown in lists: {@code unknown} until the first health check. */
  public ClusterStatus status() {
    return state == null ? ClusterStatus.UNKNOWN : state.status();
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("id", id)
            .put("name", name)
            .put("description", description)
            .put("labels", labels.copy())
            .put("public_urls", publicUrlsJson(publicUrls))
            .put(
                "api_server",
                state != null && state.apiServer() != null ? state.apiServer() : apiServer)
            .put("status", status().value())
            .put("app_count", appCount)
            .put("revision", revision)
            .put("created_at", text(createdAt))
            .put("updated_at", text(updatedAt))
            .put("static", isStatic());
    if (state != null) {
      json.put("version", state.version())
          .put("nodes", state.nodes())
          .put("ready_nodes", state.readyNodes())
          .put("cpu_cores", state.cpuCores())
          .put("memory_bytes", state.memoryBytes())
          .put("last_heartbeat", text(state.heartbeatAt()))
          .put("last_error", state.error())
          .put("checked_at", text(state.checkedAt()));
    }
    return json;
  }

  /** The API's shape of a cluster's public-URL settings: every field, null when not overridden. */
  public static JsonObject publicUrlsJson(ClusterPublicUrls urls) {
    return new JsonObject()
        .put("apps_domain", urls.appsDomain())
        .put("ingress_class", urls.ingressClass())
        .put("tls_issuer", urls.tlsIssuer())
        .put("ingress_namespace_selector", urls.ingressNamespaceSelector());
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
