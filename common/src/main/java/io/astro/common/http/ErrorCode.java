package io.astro.common.http;

/**
 * Every business code of the API with the HTTP status it travels with. The numeric codes of the
 * original design are kept; HTTP statuses are meaningful (the original answered 200 to everything).
 */
public enum ErrorCode {
  OK(0, 200, "ok"),

  BAD_REQUEST(10001, 400, "bad request"),
  UNAUTHORIZED(10002, 401, "not logged in or token invalid"),
  FORBIDDEN(10003, 403, "forbidden"),
  NOT_FOUND(10004, 404, "not found"),
  METHOD_NOT_ALLOWED(10005, 405, "method not allowed"),
  PAYLOAD_TOO_LARGE(10006, 413, "request body too large"),
  UNSUPPORTED_MEDIA_TYPE(10007, 415, "unsupported media type"),
  RATE_LIMITED(10008, 429, "too many requests"),
  NOT_ACCEPTABLE(10009, 406, "not acceptable"),
  CONFLICT(10010, 409, "conflict"),
  UNPROCESSABLE(10011, 422, "request cannot be processed"),
  /**
   * The token is valid but may not do this: a {@code read} personal API token's write (POST, PUT,
   * PATCH, DELETE), or a personal API token on a route that needs a login token; {@code
   * data.required} says which ({@code write}, {@code login}).
   */
  INSUFFICIENT_SCOPE(10012, 403, "token scope insufficient"),

  USER_EXISTS(20001, 409, "user exists"),
  LOGIN_FAILED(20009, 401, "login failed"),

  APP_NOT_FOUND(21001, 404, "app not found"),
  APP_EXISTS(21002, 409, "app exists"),
  APP_CREATE_FAILED(21003, 422, "app create failed"),
  /** The caller already has as many live apps as the operator allows (ASTRO_MAX_APPS_PER_USER). */
  APP_QUOTA_EXCEEDED(21004, 422, "app quota exceeded"),
  /**
   * The change would take the caller's apps past their namespace's resource quota (CPU, memory or
   * pods requested); {@code data.resource} names which.
   */
  QUOTA_EXCEEDED(21005, 422, "resource quota exceeded"),

  CLUSTER_NOT_FOUND(22001, 404, "cluster not found"),
  CLUSTER_EXISTS(22002, 409, "cluster exists"),
  /**
   * The kubeconfig cannot be used: malformed, interactive credentials, or the API server does not
   * answer well.
   */
  CLUSTER_REJECTED(22003, 422, "kubeconfig rejected"),
  /** Live apps are placed on the cluster (DELETE without {@code force=true}). */
  CLUSTER_IN_USE(22004, 409, "cluster has live apps"),
  /**
   * The cluster comes from the sync-worker's own configuration ({@code ASTRO_CLUSTERS}, dev mode's
   * sandbox): it is read-only through the clusters API.
   */
  CLUSTER_STATIC(22006, 409, "cluster is static"),
  /**
   * No imported cluster is healthy (and matches the placement labels) to place a new user's app on.
   */
  NO_HEALTHY_CLUSTER(22005, 503, "no healthy cluster"),

  INTERNAL(30001, 500, "internal error"),
  DATABASE(30002, 503, "database error"),
  KUBERNETES_OPERATION(30003, 500, "kubernetes operation error"),
  KUBERNETES_CONNECTION(30004, 503, "kubernetes connection failed"),
  UNAVAILABLE(30005, 503, "service unavailable"),
  /**
   * A write reached a service that did not answer in time: it may or may not have taken effect (a
   * 503 always means it did not). Read the resource back, or repeat with the same Idempotency-Key.
   */
  OUTCOME_UNKNOWN(30006, 504, "outcome unknown");

  private final int code;
  private final int httpStatus;
  private final String defaultMessage;

  ErrorCode(int code, int httpStatus, String defaultMessage) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.defaultMessage = defaultMessage;
  }

  public int code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String defaultMessage() {
    return defaultMessage;
  }

  /** The code for a bare HTTP status raised by the web layer (no route, body too large, ...). */
  public static ErrorCode forHttpStatus(int status) {
    return switch (status) {
      case 400 -> BAD_REQUEST;
      case 401 -> UNAUTHORIZED;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 406 -> NOT_ACCEPTABLE;
      case 409 -> CONFLICT;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 422 -> UNPROCESSABLE;
      case 429 -> RATE_LIMITED;
      case 503 -> UNAVAILABLE;
      default -> status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL;
    };
  }
}
