package io.astro.app.audit;

import io.astro.common.db.audit.AuditTrail;
import io.vertx.core.http.HttpMethod;

/**
 * What app-service writes into the audit trail: every change through its API (apps, releases,
 * domains, registries, clusters, nodes), and the operators' reads of clusters and of the audit
 * trail itself.
 */
public final class AuditActions {

  private static final String APP = "/api/v1/apps/(?<id>[^/]+)";
  private static final String CLUSTER = "/api/v1/clusters/(?<id>[^/]+)";
  // a node's id on the trail is <cluster>/<node>
  private static final String NODE = "/api/v1/clusters/(?<parent>[^/]+)/nodes/(?<name>[^/]+)";

  private AuditActions() {}

  public static AuditTrail declare(AuditTrail trail) {
    trail
        .on(HttpMethod.POST, "/api/v1/apps", "app.create", "app", "name")
        .on(HttpMethod.PATCH, APP, "app.update", "app")
        .on(HttpMethod.DELETE, APP, "app.delete", "app");
    for (String action : new String[] {"start", "stop", "restart", "scale", "rollback"}) {
      trail.on(HttpMethod.POST, APP + "/" + action, "app." + action, "app");
    }
    trail
        .on(HttpMethod.POST, APP + "/domains", "app.domain.add", "domain", "domain")
        .on(
            HttpMethod.DELETE,
            "/api/v1/apps/[^/]+/domains/(?<id>[^/]+)",
            "app.domain.remove",
            "domain")
        .on(
            HttpMethod.POST,
            "/api/v1/apps/[^/]+/domains/(?<id>[^/]+)/verify",
            "app.domain.verify",
            "domain")
        .on(HttpMethod.POST, "/api/v1/registries", "registry.create", "registry", "name")
        .on(HttpMethod.DELETE, "/api/v1/registries/(?<id>[^/]+)", "registry.delete", "registry")
        .on(HttpMethod.POST, "/api/v1/clusters/reencrypt", "cluster.reencrypt", "cluster")
        .on(HttpMethod.POST, "/api/v1/clusters", "cluster.import", "cluster", "name")
        .on(HttpMethod.PATCH, CLUSTER, "cluster.update", "cluster")
        .on(HttpMethod.DELETE, CLUSTER, "cluster.delete", "cluster")
        .on(HttpMethod.PATCH, NODE, "cluster.node.update", "node");
    for (String action : new String[] {"cordon", "uncordon", "drain"}) {
      trail.on(HttpMethod.POST, NODE + "/" + action, "cluster.node." + action, "node");
    }
    return trail
        .adminRead("/api/v1/clusters", "cluster.list", "cluster")
        .adminRead(CLUSTER, "cluster.read", "cluster")
        .adminRead(CLUSTER + "/nodes(/[^/]+)?", "cluster.nodes.read", "cluster")
        .adminRead(CLUSTER + "/namespaces", "cluster.namespaces.read", "cluster")
        .adminRead(CLUSTER + "/events", "cluster.events.read", "cluster")
        .adminRead(AuditRoutes.ADMIN_PATH, "audit.read", "audit");
  }
}
