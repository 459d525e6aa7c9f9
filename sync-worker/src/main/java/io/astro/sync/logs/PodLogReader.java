package io.astro.sync.logs;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Status;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Reads one pod's log through the API server ({@code pods/{name}/log}). Blocking; run it off the
 * event loop.
 *
 * <p>The OkHttp call is used directly rather than {@code execute()} of the generated request: it
 * can be bounded by a call timeout, cancelled from another thread (the only clean way to stop a
 * follow stream), and a refusal's Kubernetes message stays readable, so a pod that cannot give logs
 * yields a line saying why instead of failing the whole answer.
 */
final class PodLogReader {

  private static final int MAX_MESSAGE = 300;

  private PodLogReader() {}

  /** One pod's answer: its last lines, or one note saying why there are none. */
  record Tail(List<String> lines, String note) {}

  static Tail tail(
      ApiClient client,
      String namespace,
      String pod,
      String container,
      int lines,
      boolean previous,
      Deadline deadline) {
    try {
      Call call =
          deadline.bound(
              new CoreV1Api(client)
                  .readNamespacedPodLog(pod, namespace)
                  .container(container)
                  .tailLines(lines)
                  .previous(previous)
                  .buildCall(null));
      try (Response response = call.execute()) {
        ResponseBody body = response.body();
        String text = body == null ? "" : body.string();
        if (!response.isSuccessful()) {
          return new Tail(List.of(), refusal(client, response.code(), text));
        }
        return new Tail(split(text), null);
      }
    } catch (InterruptedIOException e) {
      return new Tail(List.of(), "no logs: the cluster did not answer in time");
    } catch (IOException | ApiException e) {
      return new Tail(List.of(), "no logs: the cluster API could not be reached");
    }
  }

  /** A call that streams the pod's last {@code lines} lines, then every new one until cancelled. */
  static Call follow(ApiClient client, String namespace, String pod, String container, int lines)
      throws ApiException {
    return new CoreV1Api(client)
        .readNamespacedPodLog(pod, namespace)
        .container(container)
        .tailLines(lines)
        .follow(true)
        .buildCall(null);
  }

  /**
   * Why the API server would not give logs, in its own words (e.g. "... is waiting to start: ...").
   */
  static String refusal(ApiClient client, int status, String body) {
    String message = null;
    try {
      V1Status parsed = JSON.deserialize(body, V1Status.class);
      message = parsed == null ? null : parsed.getMessage();
    } catch (RuntimeException e) {
      // not a Status object: fall back to the status code
    }
    if (message == null || message.isBlank()) {
      message = "the cluster answered HTTP " + status;
    }
    message = message.replaceAll("[\\r\\n]+", " ");
    return "no logs: "
        + (message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message);
  }

  private static List<String> split(String text) {
    List<String> lines = new ArrayList<>();
    int from = 0;
    while (from < text.length()) {
      int end = text.indexOf('\n', from);
      if (end < 0) {
        end = text.length();
      }
      lines.add(LogLines.chomp(text.substring(from, end)));
      from = end + 1;
    }
    return lines;
  }
}
