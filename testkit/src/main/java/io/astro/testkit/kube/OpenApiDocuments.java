package io.astro.testkit.kube;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OpenAPI documents a real API server publishes at {@code /openapi/v3} (an index of one
 * document per group-version, each at its {@code serverRelativeURL}) and {@code /openapi/v2}, in
 * the shape of kubernetes/kubernetes {@code api/openapi-spec}: per resource a collection path
 * ({@code get} = list, {@code post} = create) and an item path ({@code get}, {@code put}, {@code
 * patch}, {@code delete}), each operation carrying {@code x-kubernetes-action} and {@code
 * x-kubernetes-group-version-kind}, writes carrying the {@code fieldValidation} query parameter.
 *
 * <p>kubectl's default validation ({@code --validate=strict}) looks for that parameter on the
 * kind's operations (k8s.io/cli-runtime resource/query_param_verifier_v3.go) and, finding it, lets
 * the server validate; without these documents it fails before sending anything. The schemas are
 * trimmed: each kind's object with {@code apiVersion}, {@code kind}, {@code metadata} (ObjectMeta)
 * and free-form {@code spec} / {@code status}, enough for kubectl's discovery of kinds.
 */
final class OpenApiDocuments {

  /** A served resource: plural name, kind, namespaced or not. */
  record Resource(String name, String kind, boolean namespaced) {}

  private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";

  private OpenApiDocuments() {}

  /** The {@code /openapi/v3} index: group-version path → its document's URL (with a hash). */
  static JsonObject v3Index(Map<String, JsonObject> documentsByGroupVersionPath) {
    JsonObject paths = new JsonObject();
    documentsByGroupVersionPath.forEach(
        (gvPath, document) ->
            paths.put(
                gvPath,
                new JsonObject()
                    .put(
                        "serverRelativeURL",
                        "/openapi/v3/" + gvPath + "?hash=" + hash(document.encode()))));
    return new JsonObject().put("paths", paths);
  }

  /** The OpenAPI 3.0 document of one group-version ({@code group} empty for core). */
  static JsonObject v3(String group, String version, List<Resource> resources) {
    JsonObject paths = new JsonObject();
    JsonObject schemas = metaSchemas("#/components/schemas/");
    for (Resource r : resources) {
      addPaths(paths, group, version, r, true);
      schemas.put(schemaName(group, version, r.kind()), kindSchema(group, version, r.kind(), true));
    }
    return new JsonObject()
        .put("openapi", "3.0.0")
        .put(
            "info",
            new JsonObject()
                .put("title", "Kubernetes")
                .put("version", DiscoveryDocuments.GIT_VERSION))
        .put("paths", paths)
        .put("components", new JsonObject().put("schemas", schemas));
  }

  /** The Swagger 2.0 document of every group-version, as served at {@code /openapi/v2}. */
  static JsonObject v2(Map<String, List<Resource>> resourcesByGroupVersion) {
    JsonObject paths = new JsonObject();
    JsonObject definitions = metaSchemas("#/definitions/");
    resourcesByGroupVersion.forEach(
        (groupVersion, resources) -> {
          String group = groupVersion.contains("/") ? groupVersion.split("/")[0] : "";
          String version = groupVersion.contains("/") ? groupVersion.split("/")[1] : groupVersion;
          for (Resource r : resources) {
            addPaths(paths, group, version, r, false);
            definitions.put(
                schemaName(group, version, r.kind()), kindSchema(group, version, r.kind(), false));
          }
        });
    return new JsonObject()
        .put("swagger", "2.0")
        .put(
            "info",
            new JsonObject()
                .put("title", "Kubernetes")
                .put("version", DiscoveryDocuments.GIT_VERSION))
        .put("paths", paths)
        .put("definitions", definitions);
  }

  private static void addPaths(
      JsonObject paths, String group, String version, Resource r, boolean v3) {
    String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    String collection = base + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.name();
    JsonObject gvk =
        new JsonObject().put("group", group).put("kind", r.kind()).put("version", version);
    String ref =
        (v3 ? "#/components/schemas/" : "#/definitions/") + schemaName(group, version, r.kind());
    String id = operationSuffix(group, version) + (r.namespaced() ? "Namespaced" : "") + r.kind();
    JsonArray pathParams = new JsonArray();
    if (r.namespaced()) {
      pathParams.add(pathParameter("namespace", v3));
    }
    paths.put(
        collection,
        new JsonObject()
            .put("parameters", pathParams.copy())
            .put("get", operation("list" + id, "list", gvk, List.of(), null, v3))
            .put(
                "post",
                operation(
                    "create" + id,
                    "post",
                    gvk,
                    List.of("dryRun", "fieldManager", "fieldValidation"),
                    ref,
                    v3)));
    JsonArray itemParams = pathParams.copy().add(pathParameter("name", v3));
    paths.put(
        collection + "/{name}",
        new JsonObject()
            .put("parameters", itemParams)
            .put("get", operation("read" + id, "get", gvk, List.of(), null, v3))
            .put(
                "put",
                operation(
                    "replace" + id,
                    "put",
                    gvk,
                    List.of("dryRun", "fieldManager", "fieldValidation"),
                    ref,
                    v3))
            .put(
                "patch",
                operation(
                    "patch" + id,
                    "patch",
                    gvk,
                    List.of("dryRun", "fieldManager", "fieldValidation", "force"),
                    null,
                    v3))
            .put("delete", operation("delete" + id, "delete", gvk, List.of("dryRun"), null, v3)));
  }

  private static JsonObject operation(
      String operationId,
      String action,
      JsonObject gvk,
      List<String> queryParameters,
      String bodyRef,
      boolean v3) {
    JsonArray parameters = new JsonArray();
    for (String q : queryParameters) {
      JsonObject p = new JsonObject().put("in", "query").put("name", q);
      String type = q.equals("force") ? "boolean" : "string";
      if (v3) {
        p.put("schema", new JsonObject().put("type", type).put("uniqueItems", true));
      } else {
        p.put("type", type).put("uniqueItems", true);
      }
      parameters.add(p);
    }
    JsonObject op =
        new JsonObject()
            .put("operationId", operationId)
            .put(
                "responses",
                new JsonObject().put("401", new JsonObject().put("description", "Unauthorized")))
            .put("x-kubernetes-action", action)
            .put("x-kubernetes-group-version-kind", gvk.copy());
    if (!parameters.isEmpty()) {
      op.put("parameters", parameters);
    }
    if (bodyRef != null) {
      if (v3) {
        op.put(
            "requestBody",
            new JsonObject()
                .put(
                    "content",
                    new JsonObject()
                        .put(
                            "*/*",
                            new JsonObject().put("schema", new JsonObject().put("$ref", bodyRef))))
                .put("required", true));
      } else {
        parameters.add(
            new JsonObject()
                .put("in", "body")
                .put("name", "body")
                .put("required", true)
                .put("schema", new JsonObject().put("$ref", bodyRef)));
        op.put("parameters", parameters);
      }
    }
    return op;
  }

  private static JsonObject pathParameter(String name, boolean v3) {
    JsonObject p = new JsonObject().put("in", "path").put("name", name).put("required", true);
    return v3
        ? p.put("schema", new JsonObject().put("type", "string").put("uniqueItems", true))
        : p.put("type", "string").put("uniqueItems", true);
  }

  private static JsonObject kindSchema(String group, String version, String kind, boolean v3) {
    String prefix = v3 ? "#/components/schemas/" : "#/definitions/";
    JsonObject metadata =
        v3
            ? new JsonObject()
                .put(
                    "allOf",
                    new JsonArray().add(new JsonObject().put("$ref", prefix + META + "ObjectMeta")))
                .put("default", new JsonObject())
            : new JsonObject().put("$ref", prefix + META + "ObjectMeta");
    JsonObject properties =
        new JsonObject()
            .put("apiVersion", new JsonObject().put("type", "string"))
            .put("kind", new JsonObject().put("type", "string"))
            .put("metadata", metadata);
    for (String free : List.of("spec", "status")) {
      properties.put(free, new JsonObject().put("type", "object"));
    }
    return new JsonObject()
        .put("properties", properties)
        .put("type", "object")
        .put(
            "x-kubernetes-group-version-kind",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("group", group)
                        .put("kind", kind)
                        .put("version", version)));
  }

  private static JsonObject metaSchemas(String prefix) {
    JsonObject stringMap =
        new JsonObject()
            .put("additionalProperties", new JsonObject().put("type", "string").put("default", ""))
            .put("type", "object");
    JsonObject objectMeta =
        new JsonObject()
            .put(
                "properties",
                new JsonObject()
                    .put("name", new JsonObject().put("type", "string"))
                    .put("generateName", new JsonObject().put("type", "string"))
                    .put("namespace", new JsonObject().put("type", "string"))
                    .put("labels", stringMap.copy())
                    .put("annotations", stringMap.copy())
                    .put("uid", new JsonObject().put("type", "string"))
                    .put("resourceVersion", new JsonObject().put("type", "string"))
                    .put("creationTimestamp", new JsonObject().put("$ref", prefix + META + "Time"))
                    .put("deletionTimestamp", new JsonObject().put("$ref", prefix + META + "Time"))
                    .put(
                        "finalizers",
                        new JsonObject()
                            .put("items", new JsonObject().put("type", "string").put("default", ""))
                            .put("type", "array")))
            .put("type", "object");
    JsonObject time = new JsonObject().put("format", "date-time").put("type", "string");
    return new JsonObject().put(META + "ObjectMeta", objectMeta).put(META + "Time", time);
  }

  /** io.k8s.api.core.v1.Service, io.k8s.api.apps.v1.Deployment, io.k8s.api.networking.v1.… */
  private static String schemaName(String group, String version, String kind) {
    String g = group.isEmpty() ? "core" : group.replace(".k8s.io", "");
    return "io.k8s.api." + g + "." + version + "." + kind;
  }

  /** CoreV1, AppsV1, NetworkingV1 — as in operation ids like {@code createCoreV1NamespacedPod}. */
  private static String operationSuffix(String group, String version) {
    String g = group.isEmpty() ? "core" : group.replace(".k8s.io", "");
    StringBuilder out = new StringBuilder();
    for (String part : g.split("\\.")) {
      out.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
    }
    return out.append(version.substring(0, 1).toUpperCase(Locale.ROOT))
        .append(version.substring(1))
        .toString();
  }

  private static String hash(String document) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-512").digest(document.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(digest, 0, 64);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
