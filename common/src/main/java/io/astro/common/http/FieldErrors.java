package io.astro.common.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Collects what is wrong with each field of a request so the client learns all of it at once. The
 * envelope's {@code data} becomes {@code {"fields":[{"field":"name","reason":"..."}]}}.
 */
public final class FieldErrors {

  private final JsonArray fields = new JsonArray();

  /**
   * The errors of a request body whose only fields are {@code accepted}, starting with each other
   * field it carries: a misspelt or unsupported field ({@code {"replica": 3}}) is refused rather
   * than silently ignored, and reported with whatever else is wrong with the body.
   */
  public static FieldErrors acceptingOnly(JsonObject body, String... accepted) {
    List<String> known = List.of(accepted);
    FieldErrors errors = new FieldErrors();
    for (String field : body.fieldNames()) {
      if (!known.contains(field)) {
        errors.add(
            field, "is not a field of this request (accepted: " + String.join(", ", known) + ")");
      }
    }
    return errors;
  }

  public FieldErrors add(String field, String reason) {
    fields.add(new JsonObject().put("field", field).put("reason", reason));
    return this;
  }

  /** How many errors were added. */
  public int size() {
    return fields.size();
  }

  public boolean isEmpty() {
    return fields.isEmpty();
  }

  /** Throws a 400 naming every bad field; does nothing when all were fine. */
  public void throwIfAny() {
    if (!isEmpty()) {
      throw toException();
    }
  }

  public ApiException toException() {
    return toException(ErrorCode.BAD_REQUEST);
  }

  /**
   * The errors as {@code code} (e.g. 422 when the request is well formed but asks what the target
   * refuses), in the same envelope.
   */
  public ApiException toException(ErrorCode code) {
    String message =
        fields.size() == 1
            ? "invalid field "
                + fields.getJsonObject(0).getString("field")
                + ": "
                + fields.getJsonObject(0).getString("reason")
            : "invalid fields: "
                + fields.stream().map(f -> ((JsonObject) f).getString("field")).toList();
    return new ApiException(code, message, new JsonObject().put("fields", fields.copy()));
  }
}
