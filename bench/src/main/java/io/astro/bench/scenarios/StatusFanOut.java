package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;

import io.astro.bench.Report;
import io.astro.bench.load.Api;
import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.ChildJvm;
import io.astro.common.events.Topics;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * 10. The live status stream ({@code GET /api/v1/apps/stream}, server-sent events, what the console
 * shows) through the gateway: N streams of one user, then M users with K streams each. Scale
 * commands change each user's apps; for every status record of a user's app and every stream of
 * that user, the delay from the record's Kafka timestamp to the first {@code app} frame the stream
 * read that is at least as new (the same {@code observed_generation} and {@code observed_at}, or a
 * later state: app-service streams the app as its database holds it after the event). A record no
 * frame of a stream ever covered is lost for that stream. Also what an open stream costs the
 * gateway and app-service (live heap after a full GC, RSS) and their CPU while the events flow.
 */
public final class StatusFanOut {

  private static final long WAIT_SECONDS = 60;
  private static final long SETTLE_MILLIS = 15_000;
  private static final String PATH = "/api/v1/apps/stream";

  /** The per-user stream cap the gateway and app-service keep by default (not raised here). */
  private static final int STREAM_CAP = 10;

  private StatusFanOut() {}

  /** An app's state as a frame or a record shows it; newer = later generation, then later time. */
  record State(long generation, long observedAt) implements Comparable<State> {
    @Override
    public int compareTo(State o) {
      int byGeneration = Long.compare(generation, o.generation);
      return byGeneration != 0 ? byGeneration : Long.compare(observedAt, o.observedAt);
    }
  }

  /** An {@code app} frame as one stream read it. */
  record Frame(String appId, State state, long arrivedAt) {}

  /** A status record of {@code astro.app.status}. */
  record Sent(String appId, AppStatus status, State state, long timestamp) {}

  /** One open stream of one user. */
  static final class Stream {
    final Api.User user;
    final CompletableFuture<Integer> opened = new CompletableFuture<>();
    final List<Frame> frames = new CopyOnWriteArrayList<>();
    volatile boolean ended;
    volatile HttpClientRequest request;
    volatile String encoding;
    private String answer = "";

    Stream(Api.User user) {
      this.user = user;
    }

    void accept(Buffer raw, long at) {
      String event = null;
      String data = null;
      for (String line : raw.toString().split("\n")) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if ("snapshot".equals(event)) {
        opened.complete(200);
      } else if ("app".equals(event) && data != null) {
        JsonObject app = new JsonObject(data);
        String observedAt = app.getString("observed_at");
        frames.add(
            new Frame(
                app.getString("id"),
                new State(
                    app.getLong("observed_generation", 0L),
                    observedAt == null ? 0 : Instant.parse(observedAt).toEpochMilli()),
                at));
      }
    }
  }

  /** Every status record of the apps watched, in the order read. */
  static final class StatusLog implements EventTap.Records {
    final List<Sent> all = new CopyOnWriteArrayList<>();
    final Map<String, Set<String>> seen = new ConcurrentHashMap<>();

    @Override
    public void status(AppStatusEvent status, long recordTimestamp) {
      all.add(
          new Sent(
              status.appId(),
              status.state().status(),
              new State(status.state().observedGeneration(), status.observedAt().toEpochMilli()),
              recordTimestamp));
      seen.computeIfAbsent(status.appId(), k -> ConcurrentHashMap.newKeySet())
          .add(status.state().observedGeneration() + "/" + status.state().status().value());
      synchronized (this) {
        notifyAll();
      }
    }

    boolean await(String appId, long generation, AppStatus status) {
      String key = generation + "/" + status.value();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      synchronized (this) {
        while (!seen.getOrDefault(appId, Set.of()).contains(key)) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          try {
            wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
        return true;
      }
    }
  }

  /** A user and its apps. */
  record Tenant(Api.User user, List<String> apps) {}

  /**
   * What the open streams cost one service: live heap and RSS before opening them and with all
   * open, and its CPU seconds while the commands ran.
   */
  record Cost(
      String service, long heapBefore, long heapOpen, long rssBefore, long rssOpen, double cpu) {}

  /** What one phase measured. */
  record Phase(
      String title,
      int users,
      int streams,
      int commands,
      int records,
      int pairs,
      int exact,
      int lost,
      int endedEarly,
      Samples delay,
      List<Cost> costs,
      double driveSeconds,
      String split,
      String refusal,
      long reopenMillis,
      Set<String> encodings) {}

  // the tap is open for the block, feeding the records; the body never names it
  @SuppressWarnings("try")
  public static void run(Context bench) {
    AstroSystem system = bench.system();
    Api api = new Api(system.url(AstroSystem.GATEWAY));
    URI gateway = URI.create(system.url(AstroSystem.GATEWAY));
    StatusLog records = new StatusLog();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    HttpClientAgent http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(false)
                .setTcpNoDelay(true)
                // as a browser: it asks for gzip, so a stream compressed on the way would show
                .setDecompressionSupported(true)
                .setDefaultHost(gateway.getHost())
                .setDefaultPort(gateway.getPort()),
            new PoolOptions().setHttp1MaxSize(2_000));
    List<Phase> phases = new ArrayList<>();
    try (EventTap tap = new EventTap(system.kafkaBootstrap(), null, Topics.APP_STATUS, records)) {
      int appsEach = bench.profile().fanOutAppsPerUser();
      int rounds = bench.profile().fanOutRounds();
      List<Tenant> many = new ArrayList<>();
      for (int u = 0; u < bench.profile().fanOutUsers(); u++) {
        many.add(tenant(api, records, "fo" + u + "x" + CommandToStatus.suffix(), appsEach));
      }
      phases.add(
          phase(
              bench,
              http,
              records,
              f("1 user, %d streams", bench.profile().fanOutSoloStreams()),
              many.subList(0, 1),
              bench.profile().fanOutSoloStreams(),
              rounds,
              false));
      // the first user again among the many: its places must be free once its streams closed
      phases.add(
          phase(
              bench,
              http,
              records,
              f(
                  "%d users × %d streams",
                  bench.profile().fanOutUsers(), bench.profile().fanOutStreamsPerUser()),
              many,
              bench.profile().fanOutStreamsPerUser(),
              rounds,
              true));
      for (Tenant t : many) {
        for (String app : t.apps()) {
          api.delete(t.user(), app);
        }
      }
      tap.check();
    } finally {
      http.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
      vertx
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .orTimeout(10, TimeUnit.SECONDS)
          .join();
    }
    report(bench, phases);
  }

  private static Tenant tenant(Api api, StatusLog records, String name, int apps) {
    Api.User user = api.newUser(name);
    Map<String, Long> generations = new java.util.LinkedHashMap<>();
    for (int i = 0; i < apps; i++) {
      JsonObject created = api.create(user, "fan" + i).data();
      generations.put(created.getString("id"), created.getLong("generation"));
    }
    generations.forEach(
        (id, generation) -> {
          if (!records.await(id, generation, AppStatus.RUNNING)) {
            throw new IllegalStateException(
                "app " + id + " not running within " + WAIT_SECONDS + " s");
          }
        });
    return new Tenant(user, List.copyOf(generations.keySet()));
  }

  private static Phase phase(
      Context bench,
      HttpClientAgent http,
      StatusLog records,
      String title,
      List<Tenant> tenants,
      int perUser,
      int rounds,
      boolean reopened) {
    AstroSystem system = bench.system();
    List<ChildJvm> measured =
        List.of(system.service(AstroSystem.GATEWAY), system.service(AstroSystem.APP_SERVICE));
    long[] heapBefore = measured.stream().mapToLong(ChildJvm::liveHeapBytes).toArray();
    long[] rssBefore = measured.stream().mapToLong(ChildJvm::residentBytes).toArray();

    // the first tenant's streams first: in the second phase they are the places its first
    // phase's streams just gave back, released as the connections close
    long reopenBegan = System.nanoTime();
    List<Stream> streams = new ArrayList<>();
    long reopenMillis = -1;
    for (int u = 0; u < tenants.size(); u++) {
      for (int i = 0; i < perUser; i++) {
        streams.add(openAccepted(http, tenants.get(u).user(), u == 0 && reopened));
      }
      if (u == 0 && reopened) {
        reopenMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reopenBegan);
      }
    }
    String refusal = null;
    if (perUser >= STREAM_CAP) {
      // one more than the cap: the tenant bound must hold
      Stream extra = open(http, tenants.get(0).user());
      refusal = f("%d %s", await(extra.opened), extra.answer);
      close(extra);
    }
    long[] heapOpen = measured.stream().mapToLong(ChildJvm::liveHeapBytes).toArray();
    long[] rssOpen = measured.stream().mapToLong(ChildJvm::residentBytes).toArray();

    long windowStart = System.currentTimeMillis();
    double[] cpuBefore = measured.stream().mapToDouble(ChildJvm::cpuSeconds).toArray();
    CpuSplit splitBefore = CpuSplit.now(bench.system());
    long began = System.nanoTime();
    int commands = drive(bench, records, tenants, rounds);
    double driveSeconds = (System.nanoTime() - began) / 1e9;
    String split =
        CpuSplit.now(bench.system())
            .table(splitBefore, driveSeconds, Math.max(1, commands), "command");
    List<Cost> costs = new ArrayList<>();
    for (int i = 0; i < measured.size(); i++) {
      costs.add(
          new Cost(
              measured.get(i).name(),
              heapBefore[i],
              heapOpen[i],
              rssBefore[i],
              rssOpen[i],
              measured.get(i).cpuSeconds() - cpuBefore[i]));
    }

    Map<String, Api.User> owner = new HashMap<>();
    tenants.forEach(t -> t.apps().forEach(a -> owner.put(a, t.user())));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
    Match match = match(records, streams, owner, windowStart);
    while (match.lost > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      match = match(records, streams, owner, windowStart);
    }
    int endedEarly = (int) streams.stream().filter(s -> s.ended).count();
    streams.forEach(StatusFanOut::close);
    return new Phase(
        title,
        tenants.size(),
        streams.size(),
        commands,
        match.records,
        match.pairs,
        match.exact,
        match.lost,
        endedEarly,
        new Samples(match.delays),
        costs,
        driveSeconds,
        split,
        refusal,
        reopenMillis,
        streams.stream()
            .map(st -> st.encoding == null ? "none" : st.encoding)
            .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)));
  }

  /**
   * Each user, all at once, scales each of its apps between 2 replicas and 1, {@code rounds} times,
   * each command once the previous one's {@code running} is on Kafka. Answers the commands sent.
   */
  private static int drive(Context bench, StatusLog records, List<Tenant> tenants, int rounds) {
    Api api = new Api(bench.system().url(AstroSystem.GATEWAY));
    ExecutorService pool = Executors.newFixedThreadPool(tenants.size());
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (Tenant t : tenants) {
        runs.add(
            pool.submit(
                () -> {
                  int sent = 0;
                  for (int r = 0; r < rounds; r++) {
                    for (String app : t.apps()) {
                      Api.Answer answer =
                          api.expect(
                              202,
                              "POST",
                              "/api/v1/apps/" + app + "/scale",
                              t.user().token(),
                              new JsonObject().put("replicas", r % 2 == 0 ? 2 : 1));
                      sent++;
                      long generation = answer.data().getLong("generation");
                      if (!records.await(app, generation, AppStatus.RUNNING)) {
                        throw new IllegalStateException(
                            "app " + app + " not running at generation " + generation);
                      }
                    }
                  }
                  return sent;
                }));
      }
      int sent = 0;
      for (Future<Integer> run : runs) {
        sent += run.get(10, TimeUnit.MINUTES);
      }
      return sent;
    } catch (Exception e) {
      throw new IllegalStateException("scale commands failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Per stream and record of its user's apps (published after the streams were open). */
  private static final class Match {
    int records;
    int pairs;
    int exact;
    int lost;
    long[] delays = new long[0];
  }

  private static Match match(
      StatusLog records, List<Stream> streams, Map<String, Api.User> owner, long windowStart) {
    Match m = new Match();
    List<Long> delays = new ArrayList<>();
    List<Sent> window =
        records.all.stream()
            .filter(r -> owner.containsKey(r.appId()) && r.timestamp() >= windowStart)
            .toList();
    m.records = window.size();
    for (Stream s : streams) {
      Map<String, List<Frame>> byApp = new HashMap<>();
      for (Frame frame : s.frames) {
        byApp.computeIfAbsent(frame.appId(), k -> new ArrayList<>()).add(frame);
      }
      for (Sent r : window) {
        if (!owner.get(r.appId()).equals(s.user)) {
          continue;
        }
        m.pairs++;
        Frame first = null;
        for (Frame frame : byApp.getOrDefault(r.appId(), List.of())) {
          if (frame.state().compareTo(r.state()) >= 0) {
            first = frame;
            break;
          }
        }
        if (first == null) {
          m.lost++;
        } else {
          delays.add(first.arrivedAt() - r.timestamp());
          if (first.state().equals(r.state())) {
            m.exact++;
          }
        }
      }
    }
    m.delays = delays.stream().mapToLong(Long::longValue).toArray();
    return m;
  }

  /** Opens a stream and waits for its snapshot; when {@code retry}, tries again after a 429. */
  private static Stream openAccepted(HttpClientAgent http, Api.User user, boolean retry) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      Stream s = open(http, user);
      int status = await(s.opened);
      if (status == 200) {
        return s;
      }
      close(s);
      if (!retry || status != 429 || System.nanoTime() > deadline) {
        throw new IllegalStateException("status stream answered " + status + ": " + s.answer);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private static Stream open(HttpClientAgent http, Api.User user) {
    Stream s = new Stream(user);
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setURI(PATH)
            .putHeader("Authorization", "Bearer " + user.token())
            .putHeader("Accept", "text/event-stream");
    http.request(options)
        .compose(
            request -> {
              s.request = request;
              return request.send();
            })
        .onSuccess(
            response -> {
              if (response.statusCode() != 200) {
                response
                    .body()
                    .onComplete(
                        body -> {
                          s.answer = body.succeeded() ? body.result().toString() : "";
                          s.opened.complete(response.statusCode());
                        });
                return;
              }
              s.encoding = response.getHeader("Content-Encoding");
              RecordParser parser =
                  RecordParser.newDelimited(
                      "\n\n", frame -> s.accept(frame, System.currentTimeMillis()));
              response.handler(parser);
              response.endHandler(v -> s.ended = true);
              response.exceptionHandler(e -> s.ended = true);
            })
        .onFailure(
            e -> {
              s.answer = e.toString();
              s.opened.complete(-1);
            });
    return s;
  }

  private static int await(CompletableFuture<Integer> opened) {
    try {
      return opened.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      return -1;
    }
  }

  private static void close(Stream s) {
    HttpClientRequest request = s.request;
    if (request != null) {
      request.reset();
    }
  }

  private static void report(Context bench, List<Phase> phases) {
    StringBuilder md = new StringBuilder();
    md.append(
        "All through the gateway; `ASTRO_GATEWAY_STREAMS_PER_USER` and"
            + " `ASTRO_APP_SERVICE_STREAMS_PER_USER` at their default (10). Each user's apps (1"
            + " replica, running before the streams open) are scaled to 2 and back, each command"
            + " once the previous one's `running` is on Kafka, all users at once. Delay = when the"
            + " stream's reader (this JVM, one event loop) read the first `app` frame at least as new"
            + " as the record, less the record's Kafka timestamp (the sync-worker's send); *exact*"
            + " = that frame is the record's own state, not a later one. Lost = record × stream pairs"
            + " no frame covered "
            + SETTLE_MILLIS / 1000
            + " s after the last command's `running`.\n\n");
    md.append(
        "| streams | records × streams | exact | lost | ended early | p50 ms | p99 ms | max ms |");
    md.append("\n|---|---|---|---|---|---|---|---|\n");
    for (Phase p : phases) {
      md.append(
          f(
              "| %s (%d streams, %d commands, %d records) | %d | %d | %d | %d | %d | %d | %d |\n",
              p.title(),
              p.streams(),
              p.commands(),
              p.records(),
              p.pairs(),
              p.exact(),
              p.lost(),
              p.endedEarly(),
              p.delay().percentile(50),
              p.delay().percentile(99),
              p.delay().max()));
    }
    md.append(
        "\nWhat the open streams cost (live heap after a full GC and RSS, before opening and with"
            + " all open and idle), and CPU while the commands ran and the frames flowed:\n\n"
            + "| streams | service | live heap before → open | per stream | RSS before → open |"
            + " per stream | CPU while driven | per frame delivered |\n"
            + "|---|---|---|---|---|---|---|---|\n");
    for (Phase p : phases) {
      int delivered = Math.max(1, p.pairs() - p.lost());
      for (Cost c : p.costs()) {
        md.append(
            f(
                "| %s | %s | %s → %s | %s | %s → %s | %s | %.2f s in %.1f s | %.2f ms |\n",
                p.title(),
                c.service(),
                Report.mib(c.heapBefore()),
                Report.mib(c.heapOpen()),
                kib((c.heapOpen() - c.heapBefore()) / (double) p.streams()),
                Report.mib(c.rssBefore()),
                Report.mib(c.rssOpen()),
                kib((c.rssOpen() - c.rssBefore()) / (double) p.streams()),
                c.cpu(),
                p.driveSeconds(),
                1000 * c.cpu() / delivered));
      }
    }
    for (Phase p : phases) {
      md.append(
          f(
              "\n%s, while driven: CPU by part, and how long each part's threads were ready to run"
                  + " but waited for a core (the scheduler's run-queue delay, summed over threads),"
                  + " per command:\n\n%s",
              p.title(), p.split()));
    }
    md.append('\n');
    for (Phase p : phases) {
      md.append(
          f(
              "%s: the streams were asked for with `Accept-Encoding: gzip` (as a browser does) and"
                  + " answered with `Content-Encoding` %s.\n",
              p.title(), p.encodings()));
      if (p.refusal() != null) {
        md.append(
            f(
                "%s: a stream past the cap answered %s.\n",
                p.title(),
                p.refusal().length() > 200 ? p.refusal().substring(0, 200) : p.refusal()));
      }
      if (p.reopenMillis() >= 0) {
        md.append(
            f(
                "%s: the first user's places, given back by closing its earlier streams, all taken"
                    + " again within %d ms.\n",
                p.title(), p.reopenMillis()));
      }
    }
    for (Phase p : phases) {
      bench
          .report()
          .goal(
              "10. status fan-out",
              f("%s: delivery p99 ≤ 50 ms, max ≤ 1 s", p.title()),
              f("p99 %d ms, max %d ms", p.delay().percentile(99), p.delay().max()),
              p.delay().size() > 0 && p.delay().percentile(99) <= 50 && p.delay().max() <= 1000);
      bench
          .report()
          .goal(
              "10. status fan-out",
              f("%s: 0 lost, no stream ended", p.title()),
              f("%d lost of %d, %d ended", p.lost(), p.pairs(), p.endedEarly()),
              p.pairs() > 0 && p.lost() == 0 && p.endedEarly() == 0);
      double perStream =
          p.costs().stream().mapToLong(c -> c.heapOpen() - c.heapBefore()).sum()
              / (double) p.streams();
      bench
          .report()
          .goal(
              "10. status fan-out",
              f("%s: live heap per open stream ≤ 64 KiB (gateway + app-service)", p.title()),
              kib(perStream),
              perStream <= 64 * 1024);
    }
    bench.report().section("10. Status stream fan-out", md.toString());
  }

  private static String kib(double bytes) {
    return f("%.1f KiB", bytes / 1024);
  }
}
