package io.astro.sync.logs;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One {@code follow=true} answer: a Kubernetes log stream per pod, each read by a blocking thread,
 * their lines written to one HTTP response on the request's context. Ends when every pod's stream
 * has ended; when the client goes away (or the server shuts down) every Kubernetes call is
 * cancelled, which unblocks its reader.
 *
 * <p>Memory is bounded whatever the pods print. Lines are read with {@link BoundedLines} (a long
 * one is cut at {@link BoundedLines#MAX_LINE_BYTES}), and each pod's stream ends after {@link
 * #STREAM_LIMIT_BYTES} (asked of the API server as {@code limitBytes}, and held to here). Readers
 * spend credit — one per character of the formatted line — and get it back once the line is written
 * and the response's write queue is not full (else when it drains), so a slow client holds at most
 * {@link #CREDIT} characters (twice as many bytes at worst) here, and the Kubernetes streams wait.
 */
final class FollowSession {

  /** Characters of formatted lines a session holds at most while its client reads slowly. */
  static final int CREDIT = 128 * 1024;

  /**
   * What one pod's stream carries at most before it ends with a note (a client then reconnects, as
   * SSE does by itself): no single request reads a container printing without end for ever.
   */
  static final int STREAM_LIMIT_BYTES = 64 * 1024 * 1024;

  private static final long KEEP_ALIVE_MILLIS = 15_000;

  private final Vertx vertx;
  private final Context context;
  private final HttpServerResponse response;
  private final boolean sse;
  private final AtomicInteger openStreams;
  private final Set<Call> calls = ConcurrentHashMap.newKeySet();
  private final Semaphore credit = new Semaphore(CREDIT);
  private volatile boolean stopped;
  // below: only touched on the context
  private int running;
  private int owed;
  private long keepAlive = -1;

  FollowSession(
      Vertx vertx,
      Context context,
      HttpServerResponse response,
      boolean sse,
      AtomicInteger openStreams) {
    this.vertx = vertx;
    this.context = context;
    this.response = response;
    this.sse = sse;
    this.openStreams = openStreams;
  }

  /**
   * Starts one reader per pod on {@code pool}, then the response head. False (nothing written) when
   * the pool is full.
   */
  boolean start(BlockingPool pool, ApiClient client, String namespace, List<Pod> pods, int lines) {
    for (Pod pod : pods) {
      openStreams.incrementAndGet();
      running++;
      if (!pool.run(() -> read(client, namespace, pod, lines))) {
        openStreams.decrementAndGet();
        running--;
        stop();
        return false;
      }
    }
    response
        .setChunked(true)
        .putHeader("Content-Type", sse ? LogLines.EVENT_STREAM : LogLines.TEXT)
        .putHeader("Cache-Control", "no-cache")
        // compressing would hold lines back in the deflater; proxies (nginx) must not buffer either
        .putHeader("Content-Encoding", "identity")
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> stop());
    response.writeHead();
    if (running == 0) {
      finish();
      return true;
    }
    if (sse) {
      keepAlive =
          vertx.setPeriodic(
              KEEP_ALIVE_MILLIS,
              id -> {
                if (!response.ended()) {
                  response.write(LogLines.KEEP_ALIVE);
                }
              });
    }
    return true;
  }

  /** A pod to follow and the container whose log to read. */
  record Pod(String name, String container) {}

  /**
   * Cancels every stream; the response ends as the readers notice. Safe from any thread, more than
   * once.
   */
  void stop() {
    stopped = true;
    calls.forEach(Call::cancel);
    // readers waiting for credit must wake to see they are stopped
    credit.release(CREDIT);
  }

  // on a pool thread, for as long as the pod's stream lasts
  private void read(ApiClient client, String namespace, Pod pod, int lines) {
    try {
      String last = stream(client, namespace, pod, lines);
      if (last != null) {
        emit(pod.name(), LogLines.note(last));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      openStreams.decrementAndGet();
      context.runOnContext(v -> ended());
    }
  }

  /** Relays the pod's lines; returns why its stream ended (null when stopped). */
  private String stream(ApiClient client, String namespace, Pod pod, int lines)
      throws InterruptedException {
    if (pod.container() == null) {
      return "no such container in this pod";
    }
    Call call;
    try {
      call =
          PodLogReader.follow(
              client, namespace, pod.name(), pod.container(), lines, STREAM_LIMIT_BYTES);
    } catch (ApiException e) {
      return "log stream broke: " + e.getMessage();
    }
    calls.add(call);
    try {
      if (stopped) {
        return null;
      }
      try (Response answer = call.execute()) {
        ResponseBody body = answer.body();
        if (!answer.isSuccessful()) {
          return PodLogReader.refusal(client, answer.code(), PodLogReader.refusalText(body));
        }
        if (body == null) {
          return "log stream ended";
        }
        BoundedLines reader = new BoundedLines(body.source(), STREAM_LIMIT_BYTES);
        for (String line = reader.next(); line != null && !stopped; line = reader.next()) {
          emit(pod.name(), line);
        }
        if (stopped) {
          return null;
        }
        return reader.capped()
            ? "log stream ended after "
                + STREAM_LIMIT_BYTES / (1024 * 1024)
                + " MiB; reconnect to read on"
            : "log stream ended";
      }
    } catch (IOException e) {
      return stopped ? null : "log stream broke: the cluster API could not be reached";
    } finally {
      calls.remove(call);
    }
  }

  private void emit(String pod, String text) throws InterruptedException {
    if (stopped) {
      return;
    }
    String line = LogLines.line(pod, text, sse);
    int cost = Math.min(CREDIT, line.length());
    credit.acquire(cost);
    if (stopped) {
      return;
    }
    context.runOnContext(v -> write(line, cost));
  }

  // on the context
  private void write(String line, int cost) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.write(line);
    if (response.writeQueueFull()) {
      owed += cost;
      response.drainHandler(
          v -> {
            credit.release(owed);
            owed = 0;
          });
    } else {
      credit.release(cost);
    }
  }

  // on the context
  private void ended() {
    running--;
    if (running == 0) {
      finish();
    }
  }

  /**
   * Ends the response (e.g. at server shutdown, or when every stream has ended). On the context.
   */
  void finish() {
    stop();
    if (keepAlive >= 0) {
      vertx.cancelTimer(keepAlive);
      keepAlive = -1;
    }
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }
}
