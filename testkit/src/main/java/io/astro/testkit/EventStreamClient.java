package io.astro.testkit;

import io.astro.common.runtime.DaemonThreads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A server-sent events client for tests: opens a GET, and when the answer is 200 reads its events
 * on a thread of its own as they come (an {@code EventSource} would). A refusal's body is read
 * whole. Waits are bounded, and fail with what was received.
 */
public final class EventStreamClient implements AutoCloseable {

  /** One event: its {@code event} name ({@code message} when unnamed) and its {@code data}. */
  public record Event(String name, String data) {}

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  /** Put on the queue when the answer ended (or the connection broke); no event has this name. */
  private static final Event END = new Event("\n", "");

  private final int status;
  private final String contentType;
  private final String body;
  private final InputStream stream;
  private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
  private final List<Event> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger comments = new AtomicInteger();
  private volatile boolean ended;

  private EventStreamClient(HttpResponse<InputStream> response) throws IOException {
    this.status = response.statusCode();
    this.contentType = response.headers().firstValue("Content-Type").orElse(null);
    if (status != 200) {
      try (InputStream in = response.body()) {
        this.body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      this.stream = null;
      this.ended = true;
      return;
    }
    this.body = null;
    this.stream = response.body();
    DaemonThreads.thread("event-stream-client", this::read).start();
  }

  /**
   * Opens {@code url} with {@code Accept: text/event-stream} and {@code headers}; returns once the
   * answer's head is in (at most {@code wait}).
   */
  public static EventStreamClient open(String url, Map<String, String> headers, Duration wait) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
    headers.forEach(request::setHeader);
    try {
      return new EventStreamClient(
          HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
              .get(wait.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted opening " + url, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("no answer from " + url + " within " + wait, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens {@code url} as the bearer of {@code token}. */
  public static EventStreamClient open(String url, String token, Duration wait) {
    return open(url, Map.of("Authorization", "Bearer " + token), wait);
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return contentType;
  }

  /** The whole body of an answer other than 200 (a refusal's envelope). */
  public String body() {
    return body;
  }

  /** Every event received so far, in order. */
  public List<Event> received() {
    return List.copyOf(received);
  }

  /** Comment lines ({@code : keep-alive}) received so far. */
  public int comments() {
    return comments.get();
  }

  /**
   * The next event that {@code wanted} accepts (those before it are skipped, but kept in {@link
   * #received()}); fails when none came within {@code wait} or the stream ended first.
   */
  public Event await(String what, Duration wait, Predicate<Event> wanted) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Event next;
      try {
        next = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
      if (next == null) {
        throw new AssertionError("no " + what + " within " + wait + "; received: " + received());
      }
      if (END.equals(next)) {
        queue.add(END);
        throw new AssertionError("the stream ended before " + what + "; received: " + received());
      }
      if (wanted.test(next)) {
        return next;
      }
    }
  }

  /** The next event named {@code name}. */
  public Event await(String name, Duration wait) {
    return await("event " + name, wait, e -> name.equals(e.name()));
  }

  /** Waits (bounded) until the server ends the answer. */
  public void awaitEnd(Duration wait) {
    Eventually.until("the stream to end", wait, () -> ended);
  }

  public boolean ended() {
    return ended;
  }

  private void read() {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String name = null;
      List<String> data = new ArrayList<>();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            Event event = new Event(name == null ? "message" : name, String.join("\n", data));
            received.add(event);
            queue.add(event);
          }
          name = null;
          data.clear();
        } else if (line.startsWith(":")) {
          comments.incrementAndGet();
        } else if (line.startsWith("event:")) {
          name = line.substring("event:".length()).strip();
        } else if (line.startsWith("data:")) {
          String value = line.substring("data:".length());
          data.add(value.startsWith(" ") ? value.substring(1) : value);
        }
      }
    } catch (IOException e) {
      // closed by us, or the connection broke: either way, the stream is over
    } finally {
      ended = true;
      queue.add(END);
    }
  }

  /** Hangs up. */
  @Override
  public void close() {
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException e) {
        // hanging up anyway
      }
    }
  }
}
