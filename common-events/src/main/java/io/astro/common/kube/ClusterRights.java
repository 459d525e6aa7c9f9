package io.astro.common.kube;

import java.util.List;

/**
 * Every right Astro uses in a cluster, one row per verb: docs/rbac.md shows this matrix,
 * deploy-checks holds the sync-worker's ClusterRole to it, and cluster import and health checks ask
 * the API server (SelfSubjectAccessReview) for each required row. Code that starts using a new verb
 * or kind adds its row here first.
 */
public final class ClusterRights {

  /** Where a right must hold. */
  public enum Scope {
    /** Across the cluster: informers list and watch all namespaces; cluster-scoped kinds. */
    CLUSTER("cluster"),
    /** In every namespace Astro creates for a user ({@code astro-user-*}). */
    USER_NAMESPACES(KubeNames.NAMESPACE_GLOB);

    private final String label;

    Scope(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One right.
   *
   * @param group API group, "" for the core group
   * @param resource plural resource name, with a subresource after a slash ({@code pods/log})
   * @param required false when only an optional feature needs it: it is checked but does not block
   * @param feature what in Astro uses it
   */
  public record Right(
      String verb, String group, String resource, Scope scope, boolean required, String feature) {

    /** {@code create deployments.apps in astro-user-*}: how checks and docs name the right. */
    public String describe() {
      return verb
          + " "
          + resource
          + (group.isEmpty() ? "" : "." + group)
          + (scope == Scope.CLUSTER ? " (cluster-wide)" : " in " + scope.label());
    }

    /**
     * The namespace a SelfSubjectAccessReview names for this right: "" (all namespaces) for
     * cluster-wide rights, a user namespace for the others. RBAC cannot grant by namespace pattern
     * and user namespaces are created on demand, so any one of them stands for all.
     */
    public String reviewNamespace() {
      return scope == Scope.CLUSTER ? "" : KubeNames.namespace(0);
    }
  }

  private static final String INFORMERS = "informers (desired vs. actual state)";
  private static final String RECONCILE = "reconcile (writes the app's objects)";
  private static final String NAMESPACE_SETUP = "namespace setup (tenant fence)";
  private static final String PUBLIC_URLS = "reconcile: a public app's Ingress";
  private static final String NAMESPACE_REMOVAL =
      "account deletion (the user's namespace, once its apps are gone)";
  private static final String APP_SECRETS =
      "reconcile: the app's secret variables and registry credential";

  private static final String NODE_VIEWS = "cluster views: a node's detail";
  private static final String NODE_CHANGES =
      "cluster views: cordon, uncordon, node labels and taints (merge patch)";
  private static final String DRAINS =
      "cluster views: node drains (Eviction API, honours PodDisruptionBudgets)";
  private static final String NAMESPACE_VIEW = "cluster views: Astro's namespaces with their quota";
  private static final String CERTIFICATES =
      "certificate state (cert-manager Certificates of the apps' Ingresses)";

  /** The matrix, in the order docs/rbac.md shows it. */
  public static final List<Right> MATRIX =
      List.of(
          // informers: list + watch across namespaces, filtered by label or field selector
          new Right("list", "apps", "deployments", Scope.CLUSTER, true, INFORMERS),
          new Right("watch", "apps", "deployments", Scope.CLUSTER, true, INFORMERS),
          new Right("list", "apps", "replicasets", Scope.CLUSTER, true, INFORMERS),
          new Right("watch", "apps", "replicasets", Scope.CLUSTER, true, INFORMERS),
          new Right("list", "", "pods", Scope.CLUSTER, true, INFORMERS + "; logs (pods of an app)"),
          new Right("watch", "", "pods", Scope.CLUSTER, true, INFORMERS),
          new Right("list", "", "services", Scope.CLUSTER, true, INFORMERS),
          new Right("watch", "", "services", Scope.CLUSTER, true, INFORMERS),
          new Right("list", "networking.k8s.io", "ingresses", Scope.CLUSTER, true, INFORMERS),
          new Right("watch", "networking.k8s.io", "ingresses", Scope.CLUSTER, true, INFORMERS),
          new Right("list", "", "events", Scope.CLUSTER, true, INFORMERS + ": Warning events"),
          new Right("watch", "", "events", Scope.CLUSTER, true, INFORMERS + ": Warning events"),
          new Right("list", "", "nodes", Scope.CLUSTER, true, "cluster health (nodes Ready)"),
          // a user's namespace (cluster-scoped kind)
          new Right("get", "", "namespaces", Scope.CLUSTER, true, NAMESPACE_SETUP),
          new Right("create", "", "namespaces", Scope.CLUSTER, true, NAMESPACE_SETUP),
          new Right("update", "", "namespaces", Scope.CLUSTER, true, NAMESPACE_SETUP),
          // optional: without it a deleted account's namespace stays behind (empty)
          new Right("delete", "", "namespaces", Scope.CLUSTER, false, NAMESPACE_REMOVAL),
          // the fence objects in it
          new Right("get", "", "resourcequotas", Scope.USER_NAMESPACES, true, NAMESPACE_SETUP),
          new Right("create", "", "resourcequotas", Scope.USER_NAMESPACES, true, NAMESPACE_SETUP),
          new Right("update", "", "resourcequotas", Scope.USER_NAMESPACES, true, NAMESPACE_SETUP),
          new Right("get", "", "limitranges", Scope.USER_NAMESPACES, true, NAMESPACE_SETUP),
          new Right("create", "", "limitranges", Scope.USER_NAMESPACES, true, NAMESPACE_SETUP),
          new Right("update", "", "limitranges", Scope.USER_NAMESPACES, true, NAMESPACE_SETUP),
          new Right(
              "get",
              "networking.k8s.io",
              "networkpolicies",
              Scope.USER_NAMESPACES,
              true,
              NAMESPACE_SETUP),
          new Right(
              "create",
              "networking.k8s.io",
              "networkpolicies",
              Scope.USER_NAMESPACES,
              true,
              NAMESPACE_SETUP),
          new Right(
              "update",
              "networking.k8s.io",
              "networkpolicies",
              Scope.USER_NAMESPACES,
              true,
              NAMESPACE_SETUP),
          // the app's own objects
          new Right(
              "get", "apps", "deployments", Scope.USER_NAMESPACES, true, RECONCILE + "; logs"),
          new Right("create", "apps", "deployments", Scope.USER_NAMESPACES, true, RECONCILE),
          new Right("update", "apps", "deployments", Scope.USER_NAMESPACES, true, RECONCILE),
          new Right("delete", "apps", "deployments", Scope.USER_NAMESPACES, true, RECONCILE),
          new Right("get", "", "services", Scope.USER_NAMESPACES, true, RECONCILE),
          new Right("create", "", "services", Scope.USER_NAMESPACES, true, RECONCILE),
          new Right("update", "", "services", Scope.USER_NAMESPACES, true, RECONCILE),
          new Right("delete", "", "services", Scope.USER_NAMESPACES, true, RECONCILE),
          // a public app's Ingress
          new Right(
              "get", "networking.k8s.io", "ingresses", Scope.USER_NAMESPACES, true, PUBLIC_URLS),
          new Right(
              "create", "networking.k8s.io", "ingresses", Scope.USER_NAMESPACES, true, PUBLIC_URLS),
          new Right(
              "update", "networking.k8s.io", "ingresses", Scope.USER_NAMESPACES, true, PUBLIC_URLS),
          new Right(
              "delete", "networking.k8s.io", "ingresses", Scope.USER_NAMESPACES, true, PUBLIC_URLS),
          // an app's env and image pull Secrets: read by name, never listed or watched
          new Right("get", "", "secrets", Scope.USER_NAMESPACES, true, APP_SECRETS),
          new Right("create", "", "secrets", Scope.USER_NAMESPACES, true, APP_SECRETS),
          new Right("update", "", "secrets", Scope.USER_NAMESPACES, true, APP_SECRETS),
          new Right("delete", "", "secrets", Scope.USER_NAMESPACES, true, APP_SECRETS),
          // optional: without it only logs fail
          new Right("get", "", "pods/log", Scope.USER_NAMESPACES, false, "logs (read and follow)"),
          // optional: the operators' cluster views; without them only the named view fails
          new Right("get", "", "nodes", Scope.CLUSTER, false, NODE_VIEWS),
          new Right("patch", "", "nodes", Scope.CLUSTER, false, NODE_CHANGES),
          new Right("create", "", "pods/eviction", Scope.CLUSTER, false, DRAINS),
          new Right("list", "", "namespaces", Scope.CLUSTER, false, NAMESPACE_VIEW),
          new Right("list", "", "resourcequotas", Scope.CLUSTER, false, NAMESPACE_VIEW),
          // optional: cert-manager may not be installed at all; without these the apps' status
          // carries no certificate state, and nothing else changes
          new Right(
              "get", "cert-manager.io", "certificates", Scope.USER_NAMESPACES, false, CERTIFICATES),
          new Right("list", "cert-manager.io", "certificates", Scope.CLUSTER, false, CERTIFICATES),
          new Right(
              "watch", "cert-manager.io", "certificates", Scope.CLUSTER, false, CERTIFICATES));

  /** The rows an import or health check must find granted. */
  public static List<Right> required() {
    return MATRIX.stream().filter(Right::required).toList();
  }

  private ClusterRights() {}
}
