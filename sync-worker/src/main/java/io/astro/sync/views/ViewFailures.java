package io.astro.sync.views;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.sync.clusters.KubeErrors;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Status;
import io.vertx.core.json.JsonObject;

/**
 * What a failed Kubernetes call means for an operator view: a missing object is a 404 naming which
 * ({@code data.missing}), the cluster's trouble (no answer, 429, 5xx) a 503, any other refusal a
 * 500 with the API server's own words (operators read these, tenants never do).
 */
final class ViewFailures {

  private ViewFailures() {}

  static ApiException of(io.kubernetes.client.openapi.ApiException e, String what, String kind) {
    int status = e.getCode();
    return switch (KubeErrors.classify(status)) {
      case MISSING -> missing(kind, what + " not found");
      case UNAVAILABLE ->
          new ApiException(
              ErrorCode.KUBERNETES_CONNECTION,
              status == KubeErrors.NO_ANSWER
                  ? "the cluster API did not answer about " + what
                  : "the cluster API could not serve " + what + " (HTTP " + status + ")");
      case CONFLICT, REJECTED ->
          new ApiException(
              ErrorCode.KUBERNETES_OPERATION,
              "the cluster API refused "
                  + what
                  + " (HTTP "
                  + status
                  + (message(e) == null ? "" : ": " + message(e))
                  + ")");
    };
  }

  /** 404 with {@code data.missing} = {@code cluster}, {@code node}, ... */
  static ApiException missing(String kind, String message) {
    return new ApiException(ErrorCode.NOT_FOUND, message, new JsonObject().put("missing", kind));
  }

  /** The {@code Status.message} of the answer, scrubbed of anything credential-like. */
  static String message(io.kubernetes.client.openapi.ApiException e) {
    String body = e.getResponseBody();
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      V1Status parsed = JSON.getGson().fromJson(body, V1Status.class);
      return parsed == null || parsed.getMessage() == null
          ? null
          : KubeErrors.scrub(parsed.getMessage());
    } catch (RuntimeException notAStatus) {
      return null;
    }
  }
}
