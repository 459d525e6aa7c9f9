package io.astro.sync.clusters;

import io.astro.common.net.ClusterAddressGuard;
import io.kubernetes.client.openapi.ApiException;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * What a failed cluster call means, in one place for every caller (reconciler, logs, health).
 *
 * <p>{@link #classify} says what kind of failure an HTTP status is. No answer at all, 429 and every
 * 5xx — 500 included: the API server's InternalError (etcd timing out, an admission webhook down)
 * is the cluster's trouble, not a verdict on the request — are {@link Failure#UNAVAILABLE}: back
 * off and try again. 404 is {@link Failure#MISSING}, 409 {@link Failure#CONFLICT}, and any other
 * answer is {@link Failure#REJECTED}: the API refuses what was asked, trying again changes nothing.
 *
 * <p>{@link #describe} is one line saying why, fit for logs and app statuses: the HTTP status and
 * the server's {@code Status.message}, or the cause of a failed connection. Never the request, the
 * response headers or a kubeconfig — {@code ApiException.getMessage()} carries headers and whole
 * bodies, so it is not used.
 */
public final class KubeErrors {

  /** What kind of failure a cluster API answer is; each caller decides what it does about it. */
  public enum Failure {
    /** No answer, 429 or 5xx: the cluster is in trouble; back off and try again. */
    UNAVAILABLE,
    /** 404: the object (or its namespace) does not exist. */
    MISSING,
    /** 409: someone else changed the object; re-read it and try again. */
    CONFLICT,
    /** Any other answer: the API refuses what was asked. */
    REJECTED
  }

  /** The HTTP status the client reports when no answer arrived at all (refused, reset, timeout). */
  public static final int NO_ANSWER = 0;

  private static final int MAX_LENGTH = 300;
  // defence in depth: whatever slips into a message, a bearer token or a kubeconfig credential line
  // does not leave
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)\\S+");
  private static final Pattern CREDENTIAL =
      Pattern.compile(
          "(?i)((?:token|password|client-key-data|client-certificate-data)\"?\\s*[:=]\\s*\"?)[^\\s\",}]+");

  private KubeErrors() {}

  /** The kind of failure {@code httpStatus} is ({@link #NO_ANSWER} when there was none). */
  public static Failure classify(int httpStatus) {
    if (httpStatus == NO_ANSWER || httpStatus == 429 || httpStatus >= 500) {
      return Failure.UNAVAILABLE;
    }
    if (httpStatus == 404) {
      return Failure.MISSING;
    }
    if (httpStatus == 409) {
      return Failure.CONFLICT;
    }
    return Failure.REJECTED;
  }

  /**
   * What may leave the worker about a failed call (cluster health on Kafka, and from there the
   * API): a fixed text per kind of failure with at most the HTTP status — never the server's
   * message or the connection's error, which name hosts, ports and certificates. {@link #describe}
   * is for the log.
   */
  public static String summary(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ClusterAddressGuard.Refused) {
        return "refused: the server's address is not allowed for clusters";
      }
    }
    if (error instanceof ApiException api && api.getCode() > 0) {
      return "the API server answered " + api.getCode();
    }
    return "no answer from the API server";
  }

  public static String describe(Throwable error) {
    String text;
    if (error instanceof ApiException api && api.getCode() > 0) {
      String message = statusMessage(api.getResponseBody());
      text = "the API server answered " + api.getCode() + (message == null ? "" : ": " + message);
    } else if (error instanceof ApiException) {
      text = "no answer from the API server: " + cause(error);
    } else {
      text = cause(error);
    }
    return scrub(text);
  }

  /**
   * Removes anything that looks like a credential and keeps the first line, at most 300 characters.
   */
  public static String scrub(String text) {
    if (text == null) {
      return null;
    }
    String line = text.lines().findFirst().orElse("").strip();
    line =
        CREDENTIAL
            .matcher(BEARER.matcher(line).replaceAll("$1[redacted]"))
            .replaceAll("$1[redacted]");
    return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH) + "…";
  }

  // the client's wrapper says nothing; the exception it wraps says what happened ("unexpected end
  // of stream on …"),
  // while the one below that is the parser's view ("\n not found: limit=0")
  private static String cause(Throwable error) {
    Throwable told =
        error instanceof ApiException && error.getCause() != null ? error.getCause() : error;
    String message = told.getMessage();
    return told.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message);
  }

  // a Kubernetes Status body says what went wrong in its message; any other body is not repeated
  private static String statusMessage(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return new JsonObject(body).getString("message");
    } catch (RuntimeException e) {
      return null;
    }
  }
}
