package io.astro.sync.clusters;

import io.kubernetes.client.openapi.ApiException;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/**
 * One line saying why a cluster call failed, fit for logs, app statuses and cluster health: the
 * HTTP status and the server's {@code Status.message}, or the cause of a failed connection. Never
 * the request, the response headers or a kubeconfig — {@code ApiException.getMessage()} carries
 * headers and whole bodies, so it is not used.
 */
public final class KubeErrors {

  private static final int MAX_LENGTH = 300;
  // defence in depth: whatever slips into a message, a bearer token or a kubeconfig credential line
  // does not leave
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)\\S+");
  private static final Pattern CREDENTIAL =
      Pattern.compile(
          "(?i)((?:token|password|client-key-data|client-certificate-data)\"?\\s*[:=]\\s*\"?)[^\\s\",}]+");

  private KubeErrors() {}

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
