package io.astro.sync.logs;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * What a failed Kubernetes call means for the caller of the logs endpoint. Messages name no
 * internals.
 */
final class KubeFailures {

  private KubeFailures() {}

  static ApiException of(io.kubernetes.client.openapi.ApiException e, String what) {
    int status = e.getCode();
    if (status == 404) {
      return new ApiException(ErrorCode.NOT_FOUND, what + " not found", missing("deployment"));
    }
    if (status == 0 || status == 429 || status == 502 || status == 503 || status == 504) {
      // 0: no HTTP answer at all (refused, reset, timed out)
      return new ApiException(
          ErrorCode.KUBERNETES_CONNECTION, "the cluster API did not answer reading " + what);
    }
    return new ApiException(
        ErrorCode.KUBERNETES_OPERATION,
        "the cluster API refused reading " + what + " (HTTP " + status + ")");
  }

  /**
   * The 404 data that tells a caller which object is missing: {@code cluster} or {@code
   * deployment}.
   */
  static JsonObject missing(String kind) {
    return new JsonObject().put("missing", kind);
  }
}
