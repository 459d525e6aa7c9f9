package io.astro.testkit.kube;

import io.kubernetes.client.openapi.JSON;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fake API server's object validation as a plain Java API, so a test can feed any manifest
 * through the rules the sandbox enforces without a cluster: {@code
 * KubeValidation.validate(deployment)} is empty exactly when the fake (and, for the rules listed in
 * docs/testkit-kube.md, a real API server) would accept the object on create.
 */
public final class KubeValidation {

  /** One {@code details.causes[]} entry of a 422 answer. */
  public record Cause(String reason, String message, String field) {
    @Override
    public String toString() {
      return field + ": " + message;
    }
  }

  private KubeValidation() {}

  /**
   * Validates an object as on create. Accepts an official-client model object (e.g. {@code
   * V1Service}), a JSON string, a Vert.x {@link JsonObject} or a {@code Map}. A quantity that does
   * not parse (a 400 on a real server) comes back as one cause on the field {@code ""}.
   */
  public static List<Cause> validate(Object kubernetesObject) {
    return validateUpdate(kubernetesObject, null);
  }

  /** Validates an update of {@code old} to {@code object} (immutable fields included). */
  public static List<Cause> validateUpdate(Object object, Object old) {
    JsonObject json = toJson(object);
    Optional<String> decode = ObjectValidation.decodeError(json);
    if (decode.isPresent()) {
      return List.of(new Cause("BadRequest", decode.get(), ""));
    }
    return ObjectValidation.validate(json, old == null ? null : toJson(old)).stream()
        .map(FieldError::cause)
        .toList();
  }

  static JsonObject toJson(Object object) {
    if (object instanceof JsonObject j) {
      return j;
    }
    if (object instanceof String s) {
      return new JsonObject(s);
    }
    if (object instanceof Map<?, ?> m) {
      return new JsonObject(JSON.serialize(m));
    }
    return new JsonObject(JSON.serialize(object));
  }
}
