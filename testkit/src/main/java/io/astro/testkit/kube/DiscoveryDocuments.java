package io.astro.testkit.kube;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The read-only documents a real API server serves about itself ({@code /version}, {@code /api},
 * {@code /apis/...}). The CRUD mock answers these paths with empty lists, which kubectl and the
 * official client's discovery cannot use, so the proxy serves them from here. Only the resources
 * Astro touches are listed.
 */
final class DiscoveryDocuments {

  static final String GIT_VERSION = "v1.31.0";

  private static final List<String> RW_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  private static final List<String> SUBRESOURCE_VERBS = List.of("get", "patch", "update");

  private record Resource(
      String name, String kind, boolean namespaced, List<String> verbs, String shortName) {}

  private record Group(String name, String version, List<Resource> resources) {
    String groupVersion() {
      return name.isEmpty() ? version : name + "/" + version;
    }
  }

  private static final Group CORE =
      new Group(
          "",
          "v1",
          List.of(
              rw("namespaces", "Namespace", false, "ns"),
              sub("namespaces/status", "Namespace", false),
              rw("pods", "Pod", true, "po"),
              sub("pods/status", "Pod", true),
              new Resource("pods/log", "Pod", true, List.of("get"), null),
              new Resource("pods/eviction", "Eviction", true, List.of("create"), null),
              rw("services", "Service", true, "svc"),
              rw("events", "Event", true, "ev"),
              rw("resourcequotas", "ResourceQuota", true, "quota"),
              rw("limitranges", "LimitRange", true, "limits"),
              rw("nodes", "Node", false, "no"),
              sub("nodes/status", "Node", false),
              rw("configmaps", "ConfigMap", true, "cm"),
              rw("secrets", "Secret", true, null),
              rw("serviceaccounts", "ServiceAccount", true, "sa"),
              rw("endpoints", "Endpoints", true, "ep")));

  private static final List<Group> GROUPS =
      List.of(
          new Group(
              "apps",
              "v1",
              List.of(
                  rw("deployments", "Deployment", true, "deploy"),
                  sub("deployments/status", "Deployment", true),
                  rw("replicasets", "ReplicaSet", true, "rs"),
                  sub("replicasets/status", "ReplicaSet", true))),
          new Group(
              "networking.k8s.io",
              "v1",
              List.of(
                  rw("networkpolicies", "NetworkPolicy", true, "netpol"),
                  rw("ingresses", "Ingress", true, "ing"))),
          new Group(
              "policy",
              "v1",
              List.of(rw("poddisruptionbudgets", "PodDisruptionBudget", true, "pdb"))),
          new Group("coordination.k8s.io", "v1", List.of(rw("leases", "Lease", true, null))));

  private static final List<Group> GROUPS_WITH_CORE =
      java.util.stream.Stream.concat(java.util.stream.Stream.of(CORE), GROUPS.stream()).toList();

  /**
   * cert-manager's Certificate, served once {@link CertManager#install} added its CRD
   * (certificates.cert-manager.io: group cert-manager.io, version v1, namespaced, short names cert
   * and certs, a status subresource).
   */
  static final String CERT_MANAGER_GROUP = "cert-manager.io";

  private static final Group CERT_MANAGER =
      new Group(
          CERT_MANAGER_GROUP,
          "v1",
          List.of(
              rw("certificates", "Certificate", true, "cert"),
              sub("certificates/status", "Certificate", true)));

  private final Map<String, String> byPath = new LinkedHashMap<>();

  DiscoveryDocuments(String serverAddress) {
    this(serverAddress, false);
  }

  /** With {@code certManager}, cert-manager's CRD is installed: its group is served too. */
  DiscoveryDocuments(String serverAddress, boolean certManager) {
    List<Group> served =
        certManager
            ? java.util.stream.Stream.concat(
                    GROUPS.stream(), java.util.stream.Stream.of(CERT_MANAGER))
                .toList()
            : GROUPS;
    List<Group> servedWithCore =
        java.util.stream.Stream.concat(java.util.stream.Stream.of(CORE), served.stream()).toList();
    byPath.put("/version", version().encode());
    byPath.put(
        "/api",
        new JsonObject()
            .put("kind", "APIVersions")
            .put("versions", new JsonArray().add("v1"))
            .put(
                "serverAddressByClientCIDRs",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("clientCIDR", "0.0.0.0/0")
                            .put("serverAddress", serverAddress)))
            .encode());
    byPath.put("/api/v1", resourceList(CORE).encode());
    JsonArray groups = new JsonArray();
    for (Group g : served) {
      JsonObject group = apiGroup(g);
      groups.add(group);
      byPath.put(
          "/apis/" + g.name(),
          group.copy().put("kind", "APIGroup").put("apiVersion", "v1").encode());
      byPath.put("/apis/" + g.groupVersion(), resourceList(g).encode());
    }
    byPath.put(
        "/apis",
        new JsonObject()
            .put("kind", "APIGroupList")
            .put("apiVersion", "v1")
            .put("groups", groups)
            .encode());
    JsonArray paths = new JsonArray().add("/api").add("/api/v1").add("/apis").add("/version");
    served.forEach(g -> paths.add("/apis/" + g.name()).add("/apis/" + g.groupVersion()));
    byPath.put("/", new JsonObject().put("paths", paths).encode());
    Map<String, JsonObject> v3 = new LinkedHashMap<>();
    Map<String, List<OpenApiDocuments.Resource>> v2 = new LinkedHashMap<>();
    for (Group g : servedWithCore) {
      List<OpenApiDocuments.Resource> resources =
          g.resources().stream()
              .filter(r -> !r.name().contains("/"))
              .map(r -> new OpenApiDocuments.Resource(r.name(), r.kind(), r.namespaced()))
              .toList();
      String gvPath = g.name().isEmpty() ? "api/" + g.version() : "apis/" + g.groupVersion();
      JsonObject document = OpenApiDocuments.v3(g.name(), g.version(), resources);
      v3.put(gvPath, document);
      byPath.put("/openapi/v3/" + gvPath, document.encode());
      v2.put(g.groupVersion(), resources);
    }
    byPath.put("/openapi/v3", OpenApiDocuments.v3Index(v3).encode());
    byPath.put(OPENAPI_V2, OpenApiDocuments.v2(v2).encode());
  }

  /** Served as JSON only: a client asking for the protobuf form alone is answered 406. */
  static final String OPENAPI_V2 = "/openapi/v2";

  /**
   * The collection paths of every namespaced resource served, in a namespace: what a namespace
   * deletion empties.
   */
  static List<String> namespacedCollections(String namespace) {
    List<String> out = new java.util.ArrayList<>();
    // a namespace's Certificates go with it too (a collection the mock does not hold is empty)
    for (Group g :
        java.util.stream.Stream.concat(
                GROUPS_WITH_CORE.stream(), java.util.stream.Stream.of(CERT_MANAGER))
            .toList()) {
      String base = g.name().isEmpty() ? "/api/v1" : "/apis/" + g.groupVersion();
      for (Resource r : g.resources()) {
        if (r.namespaced() && !r.name().contains("/")) {
          out.add(base + "/namespaces/" + namespace + "/" + r.name());
        }
      }
    }
    return out;
  }

  /** The JSON document served at this path, if it is a discovery path. */
  Optional<String> at(String path) {
    String p =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return Optional.ofNullable(byPath.get(p));
  }

  private static JsonObject version() {
    return new JsonObject()
        .put("major", "1")
        .put("minor", "31")
        .put("gitVersion", GIT_VERSION)
        .put("gitCommit", "9edcffcde5595e8a5b1a35f88c421764e575afce")
        .put("gitTreeState", "clean")
        .put("buildDate", "2024-08-13T07:28:49Z")
        .put("goVersion", "go1.22.5")
        .put("compiler", "gc")
        .put("platform", "linux/amd64");
  }

  private static JsonObject apiGroup(Group g) {
    JsonObject gv =
        new JsonObject().put("groupVersion", g.groupVersion()).put("version", g.version());
    return new JsonObject()
        .put("name", g.name())
        .put("versions", new JsonArray().add(gv))
        .put("preferredVersion", gv);
  }

  private static JsonObject resourceList(Group g) {
    JsonArray resources = new JsonArray();
    for (Resource r : g.resources()) {
      JsonObject json =
          new JsonObject()
              .put("name", r.name())
              .put("singularName", r.name().contains("/") ? "" : r.kind().toLowerCase(Locale.ROOT))
              .put("namespaced", r.namespaced())
              .put("kind", r.kind())
              .put("verbs", new JsonArray(r.verbs()));
      if (r.shortName() != null) {
        json.put("shortNames", new JsonArray().add(r.shortName()));
      }
      resources.add(json);
    }
    return new JsonObject()
        .put("kind", "APIResourceList")
        .put("apiVersion", "v1")
        .put("groupVersion", g.groupVersion())
        .put("resources", resources);
  }

  private static Resource rw(String name, String kind, boolean namespaced, String shortName) {
    return new Resource(name, kind, namespaced, RW_VERBS, shortName);
  }

  private static Resource sub(String name, String kind, boolean namespaced) {
    return new Resource(name, kind, namespaced, SUBRESOURCE_VERBS, null);
  }
}
