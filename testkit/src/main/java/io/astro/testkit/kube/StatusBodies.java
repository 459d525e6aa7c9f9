package io.astro.testkit.kube;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * {@code Status} bodies as the API server builds them (k8s.io/apimachinery/pkg/api/errors
 * errors.go: NewInvalid, NewNotFound, NewForbidden, NewBadRequest).
 */
final class StatusBodies {

  private StatusBodies() {}

  /** 422 Invalid: {@code Kind "name" is invalid: <errors>} with one cause per field error. */
  static JsonObject invalid(String group, String kind, String name, List<FieldError> errors) {
    String list =
        errors.size() == 1
            ? errors.get(0).message()
            : "[" + String.join(", ", errors.stream().map(FieldError::message).toList()) + "]";
    JsonArray causes = new JsonArray();
    for (FieldError e : errors) {
      causes.add(
          new JsonObject()
              .put("reason", e.type().reason)
              .put("message", e.body())
              .put("field", e.field()));
    }
    return failure(
        // NewInvalid names the GroupKind: "Deployment.apps", plain "Service" in the core group
        (group == null || group.isEmpty() ? kind : kind + "." + group)
            + " \""
            + name
            + "\" is invalid: "
            + list,
        "Invalid",
        details(group, kind, name).put("causes", causes),
        422);
  }

  /** 404 NotFound: {@code resource "name" not found}. */
  static JsonObject notFound(String group, String resource, String name) {
    return failure(
        qualified(group, resource) + " \"" + name + "\" not found",
        "NotFound",
        details(group, resource, name),
        404);
  }

  /** 403 Forbidden: {@code resource "name" is forbidden: <why>}. */
  static JsonObject forbidden(
      String group, String resource, String name, String why, JsonArray causes) {
    JsonObject details = details(group, resource, name);
    if (causes != null && !causes.isEmpty()) {
      details.put("causes", causes);
    }
    return failure(
        qualified(group, resource) + " \"" + name + "\" is forbidden: " + why,
        "Forbidden",
        details,
        403);
  }

  /** 409 AlreadyExists: {@code resource "name" already exists}. */
  static JsonObject alreadyExists(String group, String resource, String name) {
    return failure(
        qualified(group, resource) + " \"" + name + "\" already exists",
        "AlreadyExists",
        details(group, resource, name),
        409);
  }

  /** 409 Conflict: {@code Operation cannot be fulfilled on resource "name": <why>}. */
  static JsonObject conflict(String group, String resource, String name, String why) {
    return failure(
        "Operation cannot be fulfilled on "
            + qualified(group, resource)
            + " \""
            + name
            + "\": "
            + why,
        "Conflict",
        details(group, resource, name),
        409);
  }

  static JsonObject badRequest(String message) {
    return failure(message, "BadRequest", null, 400);
  }

  private static JsonObject details(String group, String kind, String name) {
    return new JsonObject().put("name", name).put("group", group).put("kind", kind);
  }

  /** errors.go qualifies a resource by its group: {@code deployments.apps "x" not found}. */
  private static String qualified(String group, String resource) {
    return group == null || group.isEmpty() ? resource : resource + "." + group;
  }

  private static JsonObject failure(String message, String reason, JsonObject details, int code) {
    JsonObject body =
        new JsonObject()
            .put("kind", "Status")
            .put("apiVersion", "v1")
            .put("metadata", new JsonObject())
            .put("status", "Failure")
            .put("message", message)
            .put("reason", reason);
    if (details != null) {
      body.put("details", details);
    }
    return body.put("code", code);
  }
}
