package io.astro.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * HTTP/1.1 load on a fixed number of keep-alive connections, from one event loop of its own (so the
 * generator never needs more than one core, the same for every target it is compared on).
 *
 * <ul>
 *   <li>closed loop: each connection sends its next request when the previous answer is read —
 *       throughput is what the server sustains, latency hides queueing;
 *   <li>open loop: requests are due at a constant rate whatever the server does; when every
 *       connection is busy they wait in the client's queue and that wait counts in their latency.
 * </ul>
 *
 * All recording happens on the event loop, so the histograms need no locking.
 */
public final class LoadGenerator implements AutoCloseable {

  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(2);
  private static final Duration DRAIN = Duration.ofSeconds(15);

  private final Vertx vertx =
      Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));

  /**
   * {@code connections} loops back to back for {@code duration}; what was in flight at the end is
   * not counted.
   */
  public LoadResult closed(Target target, int connections, Duration duration) {
    HttpClientAgent client = client(target, connections);
    Run run = new Run(target.name(), "closed", connections);
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicInteger active = new AtomicInteger(connections);
    vertx.runOnContext(
        v -> {
          run.start = System.nanoTime();
          long end = run.start + duration.toNanos();
          for (int i = 0; i < connections; i++) {
            loop(n -> send(client, target, n), run, end, active, done);
          }
        });
    try {
      return finish(run, done, duration);
    } finally {
      client.close();
    }
  }

  private void loop(
      IntFunction<Future<?>> request,
      Run run,
      long end,
      AtomicInteger active,
      CompletableFuture<Void> done) {
    long sent = System.nanoTime();
    request
        .apply(run.sequence++)
        .onComplete(
            answer -> {
              long now = System.nanoTime();
              if (now <= end) {
                run.record(answer.succeeded(), now - sent);
                loop(request, run, end, active, done);
              } else if (active.decrementAndGet() == 0) {
                run.end = end;
                done.complete(null);
              }
            });
  }

  /**
   * Requests due at {@code rate} per second for {@code duration}, over at most {@code connections}
   * connections.
   */
  public LoadResult open(Target target, int connections, double rate, Duration duration) {
    HttpClientAgent client = client(target, connections);
    try {
      return open(target.name(), connections, rate, duration, n -> send(client, target, n));
    } finally {
      client.close();
    }
  }

  /**
   * Requests of any kind due at {@code rate} per second for {@code duration}: {@code request} sends
   * the n-th and completes when it is answered (failed: an error), its callbacks on this
   * generator's event loop (a client built on {@link #vertx()}). {@code connections} is the
   * client's, for the report.
   */
  public LoadResult open(
      String name,
      int connections,
      double rate,
      Duration duration,
      IntFunction<Future<?>> request) {
    Run run = new Run(name, "open", connections);
    CompletableFuture<Void> done = new CompletableFuture<>();
    long total = Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
    double intervalNanos = 1e9 / rate;
    AtomicInteger outstanding = new AtomicInteger();
    vertx.runOnContext(
        v -> {
          run.start = System.nanoTime();
          run.end = run.start + duration.toNanos();
          // a 1 ms tick sends everything that fell due since the last one, each stamped with when
          // it was due
          vertx.setPeriodic(
              0,
              1,
              timer -> {
                long now = System.nanoTime();
                while (run.sequence < total
                    && run.start + (long) (run.sequence * intervalNanos) <= now) {
                  long due = run.start + (long) (run.sequence * intervalNanos);
                  outstanding.incrementAndGet();
                  request
                      .apply(run.sequence++)
                      .onComplete(
                          answer -> {
                            run.record(answer.succeeded(), System.nanoTime() - due);
                            if (outstanding.decrementAndGet() == 0 && run.sequence == total) {
                              done.complete(null);
                            }
                          });
                }
                if (run.sequence == total) {
                  vertx.cancelTimer(timer);
                }
              });
        });
    return finish(run, done, duration);
  }

  private LoadResult finish(Run run, CompletableFuture<Void> done, Duration duration) {
    try {
      done.get(duration.plus(DRAIN).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // answers still missing after the drain count as errors: the server fell too far behind
      CompletableFuture<Void> counted = new CompletableFuture<>();
      vertx.runOnContext(
          v -> {
            run.errors += Math.max(0, run.sequence - run.ok - run.errors);
            counted.complete(null);
          });
      counted.join();
    }
    CompletableFuture<LoadResult> result = new CompletableFuture<>();
    vertx.runOnContext(
        v ->
            result.complete(
                new LoadResult(
                    run.name,
                    run.mode,
                    run.connections,
                    (run.end - run.start) / 1e9,
                    run.ok,
                    run.errors,
                    run.histogram.copy())));
    return result.join();
  }

  private HttpClientAgent client(Target target, int connections) {
    return vertx.createHttpClient(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setDefaultHost(target.host())
            .setDefaultPort(target.port()),
        new PoolOptions().setHttp1MaxSize(connections));
  }

  /** Succeeds once the whole body of a 2xx answer is read, fails on any other. */
  private static Future<Void> send(HttpClientAgent client, Target target, int n) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(target.method()))
            .setHost(target.host())
            .setPort(target.port())
            .setURI(target.pathAndQuery());
    target.headers().forEach(options::putHeader);
    return client
        .request(options)
        .compose(
            request -> {
              Future<HttpClientResponse> response =
                  target.body() == null
                      ? request.send()
                      : request.send(Buffer.buffer(target.body().apply(n)));
              return response.compose(
                  r ->
                      r.body()
                          .compose(
                              b ->
                                  r.statusCode() / 100 == 2
                                      ? Future.<Void>succeededFuture()
                                      : Future.failedFuture("HTTP " + r.statusCode())));
            });
  }

  /** The Vert.x whose one event loop sends and records every request. */
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** The counters of one run; touched only on the event loop. */
  private static final class Run {
    final String name;
    final String mode;
    final int connections;
    final Histogram histogram = new Histogram(MAX_MICROS, 3);
    long start;
    long end;
    int sequence;
    long ok;
    long errors;

    Run(String name, String mode, int connections) {
      this.name = name;
      this.mode = mode;
      this.connections = connections;
    }

    void record(boolean answered, long nanos) {
      if (answered) {
        ok++;
        histogram.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
      } else {
        errors++;
      }
    }
  }
}
