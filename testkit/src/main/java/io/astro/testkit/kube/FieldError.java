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
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
    DUPLICATE("FieldValueDuplicate", "Duplicate value"),
    FORBIDDEN("FieldValueForbidden", "Forbidden");

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

  static FieldError forbidden(String field, String detail) {
    return new FieldError(Type.FORBIDDEN, field, null, detail);
  }

  static FieldError duplicate(String field, Object value) {
    return new FieldError(Type.DUPLICATE, field, value, "");
  }

  static FieldError duplicate(String field, Object value, String detail) {
    return new FieldError(Type.DUPLICATE, field, value, detail);
  }

  static FieldError notSupported(String field, Object value, String... supported) {
    StringBuilder s = new StringBuilder("supported values: ");
    for (int i = 0; i < supported.length; i++) {
      s.append(i > 0 ? ", " : "").append('"').append(supported[i]).append('"');
    }
    return new FieldError(Type.NOT_SUPPORTED, field, value, s.toString());
  }

  /**
   * A value that Go prints with {@code %#v} (a struct such as {@code intstr.IntOrString{Type:0,
   * IntVal:0, StrVal:""}}): rendered as given.
   */
  record GoSyntax(String text) {
    /** An IntOrString from JSON: a number is an Int, anything else a String. */
    static GoSyntax intOrString(Object value) {
      if (value instanceof Number n) {
        return new GoSyntax("intstr.IntOrString{Type:0, IntVal:" + n.intValue() + ", StrVal:\"\"}");
      }
      return new GoSyntax(
          "intstr.IntOrString{Type:1, IntVal:0, StrVal:"
              + Json.encode(String.valueOf(value))
              + "}");
    }
  }

  static FieldError tooLong(String field, long max) {
    return new FieldError(Type.TOO_LONG, field, null, "must have at most " + max + " bytes");
  }

  /** The cause's message: as {@code field.Error.ErrorBody()} words it. */
  String body() {
    StringBuilder s = new StringBuilder(type.text);
    if (type == Type.INVALID || type == Type.NOT_SUPPORTED || type == Type.DUPLICATE) {
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
    if (value instanceof GoSyntax g) {
      return g.text();
    }
    if (value instanceof Number n) {
      return n.toString();
    }
    return value == null ? "null" : Json.encode(value);
  }
}
