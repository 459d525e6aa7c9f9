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
import okio.BufferedSource;

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

  /** The most read of a refusal's body: a Kubernetes Status is far smaller. */
  static final int MAX_REFUSAL_BYTES = 64 * 1024;

  private PodLogReader() {}

  /** One pod's answer: its last lines, or one note saying why there are none or not all. */
  record Tail(List<String> lines, String note) {}

  /**
   * The pod's last {@code lines} lines, at most {@code limitBytes} of them: asked of the API server
   * as {@code limitBytes} and held to here whatever it sends. Kubernetes counts the limit from the
   * first line of the tail, so a cut tail lacks its newest lines; the note says so.
   */
  static Tail tail(
      ApiClient client,
      String namespace,
      String pod,
      String container,
      int lines,
      boolean previous,
      int limitBytes,
      Deadline deadline) {
    try {
      Call call =
          deadline.bound(
              new CoreV1Api(client)
                  .readNamespacedPodLog(pod, namespace)
                  .container(container)
                  .tailLines(lines)
                  .previous(previous)
                  .limitBytes(limitBytes)
                  .buildCall(null));
      try (Response response = call.execute()) {
        ResponseBody body = response.body();
        if (!response.isSuccessful()) {
          return new Tail(List.of(), refusal(client, response.code(), refusalText(body)));
        }
        if (body == null) {
          return new Tail(List.of(), null);
        }
        BoundedLines reader = new BoundedLines(body.source(), limitBytes);
        List<String> read = new ArrayList<>();
        for (String line = reader.next(); line != null; line = reader.next()) {
          read.add(line);
        }
        if (!reader.capped()) {
          return new Tail(read, null);
        }
        int last = read.size() - 1;
        if (last >= 0 && !reader.lastLineComplete() && !read.get(last).endsWith(BoundedLines.CUT)) {
          read.set(last, read.get(last) + BoundedLines.CUT);
        }
        return new Tail(
            read,
            "cut after "
                + limitBytes / 1024
                + " KiB of this pod's log; the newest lines are missing: ask for fewer lines");
      }
    } catch (InterruptedIOException e) {
      return new Tail(List.of(), "no logs: the cluster did not answer in time");
    } catch (IOException | ApiException e) {
      return new Tail(List.of(), "no logs: the cluster API could not be reached");
    }
  }

  /**
   * A call that streams the pod's last {@code lines} lines, then every new one until cancelled or
   * until {@code limitBytes} have come.
   */
  static Call follow(
      ApiClient client, String namespace, String pod, String container, int lines, int limitBytes)
      throws ApiException {
    return new CoreV1Api(client)
        .readNamespacedPodLog(pod, namespace)
        .container(container)
        .tailLines(lines)
        .follow(true)
        .limitBytes(limitBytes)
        .buildCall(null);
  }

  /** A refusal's body, of which at most {@link #MAX_REFUSAL_BYTES} are read. */
  static String refusalText(ResponseBody body) throws IOException {
    if (body == null) {
      return "";
    }
    BufferedSource source = body.source();
    source.request(MAX_REFUSAL_BYTES);
    return source.getBuffer().readUtf8(Math.min(source.getBuffer().size(), MAX_REFUSAL_BYTES));
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
}
