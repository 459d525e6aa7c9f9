package io.astro.testkit.kube;

import io.vertx.core.json.Json;

/**
 * One entry of a Kubernetes {@code field.ErrorList} (k8s.io/apimachinery/pkg/util/validation/field
 * errors.go): the type decides the cause's reason and how the message starts.
 */
record FieldError(Type type, String field, Object value, String detail) {

  enum Type {
    INVALID("FieldValueInvalid", "Invalid value"),
    REQUIRED("FieldValueRequired", "Required value"),
    TOO_LONG("FieldValueTooLong", "Too long"),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value");

    final String reason;
    final String text;

    Type(String reason, String text) {
      this.reason = reason;
      this.text = text;
    }
  }

  static FieldError invalid(String field, Object value, String detail) {
    return new FieldError(Type.INVALID, field, value, detail);
  }

  static FieldError required(String field, String detail) {
    return new FieldError(Type.REQUIRED, field, null, detail);
  }

  static FieldError tooLong(String field, long max) {
    return new FieldError(Type.TOO_LONG, field, null, "must have at most " + max + " bytes");
  }

  /** The cause's message: as {@code field.Error.ErrorBody()} words it. */
  String body() {
    StringBuilder s = new StringBuilder(type.text);
    if (type == Type.INVALID || type == Type.NOT_SUPPORTED) {
      s.append(": ").append(render(value));
    }
    if (detail != null && !detail.isEmpty()) {
      s.append(": ").append(detail);
    }
    return s.toString();
  }

  /** {@code field.Error.Error()}: the field path, then the body. */
  String message() {
    return field + ": " + body();
  }

  KubeValidation.Cause cause() {
    return new KubeValidation.Cause(type.reason, body(), field);
  }

  /** Strings quoted as Go's %q, numbers bare, anything else as JSON. */
  private static String render(Object value) {
    if (value instanceof String s) {
      return Json.encode(s);
    }
    if (value instanceof Number n) {
      return n.toString();
    }
    return value == null ? "null" : Json.encode(value);
  }
}
