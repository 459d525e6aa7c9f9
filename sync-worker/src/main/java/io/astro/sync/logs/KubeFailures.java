package io.astro.sync.logs;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.sync.clusters.KubeErrors;
import io.vertx.core.json.JsonObject;

/**
 * What a failed Kubernetes call means for the caller of the logs endpoint. Messages name no
 * internals.
 */
final class KubeFailures {

  private KubeFailures() {}

  static ApiException of(io.kubernetes.client.openapi.ApiException e, String what) {
    int status = e.getCode();
    return switch (KubeErrors.classify(status)) {
      case MISSING ->
          new ApiException(ErrorCode.NOT_FOUND, what + " not found", missing("deployment"));
      case UNAVAILABLE ->
          new ApiException(
              ErrorCode.KUBERNETES_CONNECTION,
              status == KubeErrors.NO_ANSWER
                  ? "the cluster API did not answer reading " + what
                  : "the cluster API could not serve reading " + what + " (HTTP " + status + ")");
      case CONFLICT, REJECTED ->
          new ApiException(
              ErrorCode.KUBERNETES_OPERATION,
              "the cluster API refused reading " + what + " (HTTP " + status + ")");
    };
  }

  /**
   * The 404 data that tells a caller which object is missing: {@code cluster} or {@code
   * deployment}.
   */
  static JsonObject missing(String kind) {
    return new JsonObject().put("missing", kind);
  }
}
