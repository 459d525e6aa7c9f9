package io.astro.testkit.kube;

import java.util.Optional;

/**
 * What an API request asks for, as the API server's authorizer sees it (k8s.io/apiserver
 * RequestInfoFactory): verb, group, resource (with subresource), namespace and name.
 *
 * @param namespace "" for cluster-scoped kinds and requests across all namespaces
 * @param name "" for collections
 */
record RequestAttributes(
    String verb, String group, String resource, String namespace, String name) {

  /**
   * The attributes of a resource request; empty for discovery, /version and other non-resource
   * paths.
   */
  static Optional<RequestAttributes> of(String method, String path, boolean watch) {
    String[] all = path.split("/");
    int at;
    String group;
    if (all.length >= 3 && all[1].equals("api")) {
      group = "";
      at = 3; // "", api, v1, ...
    } else if (all.length >= 4 && all[1].equals("apis")) {
      group = all[2];
      at = 4; // "", apis, group, version, ...
    } else {
      return Optional.empty();
    }
    if (at >= all.length) {
      return Optional.empty();
    }
    String namespace = "";
    // namespaces/{ns}/{resource}...: a namespaced request; namespaces/{name} is the Namespace
    // itself
    if (all[at].equals("namespaces") && all.length > at + 2) {
      namespace = all[at + 1];
      at += 2;
    }
    String resource = all[at];
    String name = at + 1 < all.length ? all[at + 1] : "";
    if (at + 2 < all.length) {
      resource = resource + "/" + all[at + 2];
    }
    String verb =
        switch (method) {
          case "GET", "HEAD" -> watch ? "watch" : name.isEmpty() ? "list" : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
          default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    return Optional.of(new RequestAttributes(verb, group, resource, namespace, name));
  }
}
