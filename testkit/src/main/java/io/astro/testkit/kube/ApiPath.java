package io.astro.testkit.kube;

import java.util.Optional;

/**
 * A resource path of the API, split as the API server's request-info resolver splits it
 * (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).
 */
record ApiPath(
    String group,
    String version,
    String namespace,
    String resource,
    String name,
    String subresource) {

  static Optional<ApiPath> parse(String path) {
    String[] s = path.startsWith("/") ? path.substring(1).split("/") : path.split("/");
    int i;
    String group;
    String version;
    if (s.length >= 3 && s[0].equals("api")) {
      group = "";
      version = s[1];
      i = 2;
    } else if (s.length >= 4 && s[0].equals("apis")) {
      group = s[1];
      version = s[2];
      i = 3;
    } else {
      return Optional.empty();
    }
    String namespace = null;
    // /namespaces/{ns}/{resource}... unless it is the Namespace object itself (or its subresource)
    if (s[i].equals("namespaces")
        && s.length - i >= 3
        && !(s.length - i == 3 && (s[i + 2].equals("status") || s[i + 2].equals("finalize")))) {
      namespace = s[i + 1];
      i += 2;
    }
    String resource = s[i];
    String name = s.length > i + 1 ? s[i + 1] : null;
    String sub = s.length > i + 2 ? s[i + 2] : null;
    return Optional.of(new ApiPath(group, version, namespace, resource, name, sub));
  }

  /** The Kind stored under this resource, for the kinds the fake validates. */
  String kind() {
    return switch (resource) {
      case "namespaces" -> "Namespace";
      case "deployments" -> "Deployment";
      case "replicasets" -> "ReplicaSet";
      case "pods" -> "Pod";
      case "services" -> "Service";
      case "networkpolicies" -> "NetworkPolicy";
      case "ingresses" -> "Ingress";
      case "resourcequotas" -> "ResourceQuota";
      case "limitranges" -> "LimitRange";
      case "secrets" -> "Secret";
      case "nodes" -> "Node";
      case "certificates" ->
          DiscoveryDocuments.CERT_MANAGER_GROUP.equals(group) ? "Certificate" : null;
      default -> null;
    };
  }

  String objectPath(String objectName) {
    String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return base
        + (namespace == null ? "" : "/namespaces/" + namespace)
        + "/"
        + resource
        + "/"
        + objectName;
  }
}
