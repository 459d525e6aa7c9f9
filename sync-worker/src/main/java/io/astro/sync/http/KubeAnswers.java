package io.astro.sync.http;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.sync.clusters.KubeErrors;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Status;
import io.vertx.core.json.JsonObject;

/**
 * What a failed Kubernetes call answers to a caller of the sync-worker's HTTP endpoints (logs,
 * operator views), by {@link KubeErrors#classify}: a missing object is a 404 naming which kind
 * ({@code data.missing}), the cluster's trouble (no answer, 429, 5xx) a 503, any other refusal a
 * 500. Only an {@link Reader#OPERATOR} is told the API server's own (scrubbed) words; a tenant's
 * answer names nothing of the cluster.
 */
public final class KubeAnswers {

  /** Who reads the answer. */
  public enum Reader {
    /** A user reading their app (logs): no server message. */
    TENANT,
    /** An operator reading a cluster (views): the server's message, scrubbed of credentials. */
    OPERATOR
  }

  private KubeAnswers() {}

  /**
   * The answer to a failed call about {@code what} (e.g. {@code "node node-1"}); {@code kind} is
   * what a 404 says is missing.
   */
  public static ApiException of(
      io.kubernetes.client.openapi.ApiException e, String what, String kind, Reader reader) {
    int status = e.getCode();
    return switch (KubeErrors.classify(status)) {
      case MISSING -> missing(kind, what + " not found");
      case UNAVAILABLE ->
          new ApiException(
              ErrorCode.KUBERNETES_CONNECTION,
              status == KubeErrors.NO_ANSWER
                  ? "the cluster API did not answer about " + what
                  : "the cluster API could not serve " + what + " (HTTP " + status + ")");
      case CONFLICT, REJECTED -> {
        String message = reader == Reader.OPERATOR ? serverMessage(e) : null;
        yield new ApiException(
            ErrorCode.KUBERNETES_OPERATION,
            "the cluster API refused "
                + what
                + " (HTTP "
                + status
                + (message == null ? "" : ": " + message)
                + ")");
      }
    };
  }

  /** 404 with {@code data.missing} = {@code kind} ({@code cluster}, {@code node}, ...). */
  public static ApiException missing(String kind, String message) {
    return new ApiException(ErrorCode.NOT_FOUND, message, new JsonObject().put("missing", kind));
  }

  /**
   * The {@code Status.message} of the answer, scrubbed of anything credential-like; for operators.
   */
  public static String serverMessage(io.kubernetes.client.openapi.ApiException e) {
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
