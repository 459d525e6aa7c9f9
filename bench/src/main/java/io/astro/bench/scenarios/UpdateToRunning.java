package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;

import io.astro.bench.load.Api;
import io.astro.bench.system.AstroSystem;
import io.astro.common.events.Topics;
import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.dev.Databases;
import io.astro.testkit.db.MySqlServer;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * 9. From the {@code PATCH /apps/{id}} answer (an {@code env} change: a new release, rolled out) to
 * the {@code running} status of that release on Kafka — {@code observedGeneration} at least the
 * answer's {@code generation} and {@code observedRelease} at least its {@code release}, so the old
 * release's {@code running} never counts: one user updating one app again and again, then N users
 * at once. A watch on the sandbox's Deployments splits off the simulated control plane's rollout.
 */
public final class UpdateToRunning {

  private static final long WAIT_SECONDS = 60;

  private UpdateToRunning() {}

  /** One accepted update and when each of its steps happened (epoch ms, 0 = not seen). */
  static final class Update {
    final String appId;
    final long generation;
    final long release;
    final long patchAnswered;
    long commandTime;
    long commandRecord;
    long deploymentSeen;
    long rolledOut;
    long runningObservedAt;
    long runningRecord;
    long dbApplied;

    /** Statuses of an older release (not 0) published after this release's {@code running}. */
    int olderAfter;

    Update(String appId, long generation, long release, long patchAnswered) {
      this.appId = appId;
      this.generation = generation;
      this.release = release;
      this.patchAnswered = patchAnswered;
    }

    boolean complete() {
      return runningRecord > 0 && commandRecord > 0;
    }

    boolean watched() {
      return complete() && deploymentSeen > 0 && rolledOut > 0;
    }
  }

  /** A status record as the tap read it. */
  record Status(
      AppStatus status, long generation, long release, long observedAt, long recordTimestamp) {}

  /**
   * What the tap and the watch saw, per app, whatever the order they see it in (a command or a
   * Deployment may show before the PATCH answer is read): the steps of each update are looked up by
   * its generation once it is done.
   */
  static final class Board implements EventTap.Records, DeploymentWatch.Seen {
    private final Map<String, Map<Long, long[]>> commands = new ConcurrentHashMap<>();
    private final Map<String, Map<Long, long[]>> deployments = new ConcurrentHashMap<>();
    private final Map<String, List<Status>> statuses = new ConcurrentHashMap<>();

    @Override
    public void command(AppCommand command, long eventTime, long recordTimestamp) {
      commands
          .computeIfAbsent(command.appId(), k -> new ConcurrentHashMap<>())
          .putIfAbsent(command.generation(), new long[] {eventTime, recordTimestamp});
    }

    @Override
    public void status(AppStatusEvent status, long recordTimestamp) {
      statuses
          .computeIfAbsent(status.appId(), k -> new CopyOnWriteArrayList<>())
          .add(
              new Status(
                  status.state().status(),
                  status.state().observedGeneration(),
                  status.state().observedRelease(),
                  status.observedAt().toEpochMilli(),
                  recordTimestamp));
      synchronized (this) {
        notifyAll();
      }
    }

    @Override
    public void seen(V1Deployment d, long atMillis) {
      String appId = DeploymentWatch.appId(d);
      if (appId == null) {
        return;
      }
      long[] times =
          deployments
              .computeIfAbsent(appId, k -> new ConcurrentHashMap<>())
              .computeIfAbsent(DeploymentWatch.appGeneration(d), g -> new long[] {atMillis, 0});
      if (times[1] == 0 && DeploymentWatch.rolledOut(d)) {
        times[1] = atMillis;
      }
    }

    private Status running(String appId, long generation, long release) {
      for (Status s : statuses.getOrDefault(appId, List.of())) {
        if (s.status() == AppStatus.RUNNING
            && s.generation() >= generation
            && s.release() >= release) {
          return s;
        }
      }
      return null;
    }

    /** Waits (bounded) for that release's {@code running}; false when it did not come. */
    boolean await(String appId, long generation, long release) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      synchronized (this) {
        while (running(appId, generation, release) == null) {
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

    /** Waits (bounded) for the app's {@code deleted}. */
    void awaitDeleted(String appId) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      synchronized (this) {
        while (statuses.getOrDefault(appId, List.of()).stream()
            .noneMatch(s -> s.status() == AppStatus.DELETED)) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          try {
            wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    /** Fills in what the tap and the watch saw of {@code u}. */
    void complete(Update u) {
      long[] command = commands.getOrDefault(u.appId, Map.of()).get(u.generation);
      if (command != null) {
        u.commandTime = command[0];
        u.commandRecord = command[1];
      }
      long[] deployment = deployments.getOrDefault(u.appId, Map.of()).get(u.generation);
      if (deployment != null) {
        u.deploymentSeen = deployment[0];
        u.rolledOut = deployment[1];
      }
      List<Status> seen = statuses.getOrDefault(u.appId, List.of());
      boolean after = false;
      for (Status s : seen) {
        if (!after
            && s.status() == AppStatus.RUNNING
            && s.generation() >= u.generation
            && s.release() >= u.release) {
          after = true;
          u.runningObservedAt = s.observedAt();
          u.runningRecord = s.recordTimestamp();
        } else if (after && s.release() > 0 && s.release() < u.release) {
          u.olderAfter++;
        }
      }
    }
  }

  // the tap and the watch are open for the block, feeding the board; the body never names them
  @SuppressWarnings("try")
  public static void run(Context bench) {
    AstroSystem system = bench.system();
    Api api = new Api(system.url(AstroSystem.GATEWAY));
    Board board = new Board();
    List<Update> sequential;
    List<Update> concurrent;
    int missing;
    Window alone;
    Window window;
    int users = bench.profile().updateUsers();
    try (EventTap tap =
            new EventTap(system.kafkaBootstrap(), Topics.APP_COMMANDS, Topics.APP_STATUS, board);
        DeploymentWatch watch =
            new DeploymentWatch(system.backing().cluster().sandbox().newClient(), board)) {
      // one app updated once first, not counted: the paths warm up
      Api.User warm = api.newUser("u2rw" + CommandToStatus.suffix());
      updates(api, board, warm, 1, new ArrayList<>());

      Api.User solo = api.newUser("u2r" + CommandToStatus.suffix());
      sequential = Collections.synchronizedList(new ArrayList<>());
      String soloApp = runningApp(api, board, solo);
      CpuSplit before = CpuSplit.now(system);
      long began = System.nanoTime();
      int soloMissing =
          updates(api, board, solo, soloApp, bench.profile().updatesSequential(), sequential);
      alone =
          new Window(soloMissing, before, CpuSplit.now(system), (System.nanoTime() - began) / 1e9);
      delete(api, board, solo, soloApp);
      concurrent = Collections.synchronizedList(new ArrayList<>());
      window = concurrently(api, board, users, concurrent, bench);
      missing = alone.missing() + window.missing();
      tap.check();
    }
    List<Update> all = new ArrayList<>(sequential);
    all.addAll(concurrent);
    all.forEach(board::complete);
    dbApplied(system.database(), all);

    StringBuilder md = new StringBuilder();
    md.append(
        f(
            "Each update is `PATCH /api/v1/apps/{id}` with `{\"env\":{\"REVISION\":\"<n>\"}}` (202: a new"
                + " release, rolled out by the Deployment) on an app of 1 replica; it is done at the"
                + " first `running` status with `observedGeneration` ≥ the answer's `generation` and"
                + " `observedRelease` ≥ its `release`. Stages as in 2: the command's record timestamp,"
                + " a watch on the sandbox's Deployments (first seen carrying the app's new generation"
                + " `astro.io/generation`, then rolled out: every replica updated and ready, no old pod"
                + " left), the status record's timestamp and `observedAt`, app-service's history row."
                + " All in ms.\n\n"));
    section(md, "sequential (1 user, one update at a time)", sequential);
    md.append(
        f(
            "What the sequential updates cost: %d in %.1f s. CPU meanwhile, by part, on %d cores,"
                + " and how long each part's threads were ready to run but waited for a core (the"
                + " scheduler's run-queue delay, summed over threads):\n\n",
            sequential.size(), alone.seconds(), Runtime.getRuntime().availableProcessors()));
    md.append(alone.after().table(alone.before(), alone.seconds(), sequential.size(), "update"));
    md.append('\n');
    section(
        md,
        f(
            "%d users at once, each updating its app %d times, one at a time",
            users, bench.profile().updatesPerUser()),
        concurrent);
    md.append(
        f(
            "What the %d users' updates cost (their sign-ups, apps and deletes before and after the"
                + " window): %d in %.1f s (%.1f updates/s; each user's next once its last is"
                + " `running`, so a user's cycle is %.0f ms). CPU and waits for a core meanwhile, as"
                + " above, on %d cores:\n\n",
            users,
            concurrent.size(),
            window.seconds(),
            concurrent.size() / window.seconds(),
            1000 * window.seconds() * users / concurrent.size(),
            Runtime.getRuntime().availableProcessors()));
    md.append(window.after().table(window.before(), window.seconds(), concurrent.size(), "update"));
    md.append('\n');
    int older = all.stream().mapToInt(u -> u.olderAfter).sum();
    md.append(
        f(
            "Updates without their release's `running` within %d s: %d. Statuses of an older release"
                + " published after the new release's `running`: %d.\n",
            WAIT_SECONDS, missing, older));

    Samples seqOwn = own(sequential);
    Samples conOwn = own(concurrent);
    bench
        .report()
        .goal(
            "9. update → status",
            "Astro's own (less the simulated rollout) p50 ≤ 30 ms (sequential / concurrent)",
            f("%d / %d ms", seqOwn.percentile(50), conOwn.percentile(50)),
            seqOwn.size() > 0
                && conOwn.size() > 0
                && seqOwn.percentile(50) <= 30
                && conOwn.percentile(50) <= 30);
    bench
        .report()
        .goal(
            "9. update → status",
            f("Astro's own p99 ≤ 50 ms (sequential / %d users)", users),
            f("%d / %d ms", seqOwn.percentile(99), conOwn.percentile(99)),
            seqOwn.size() > 0
                && conOwn.size() > 0
                && seqOwn.percentile(99) <= 50
                && conOwn.percentile(99) <= 50);
    bench
        .report()
        .goal(
            "9. update → status",
            "every update reaches its release's `running`; no older release after it",
            f("%d missing, %d older after", missing, older),
            missing == 0 && older == 0);
    bench.report().section("9. Update → running latency", md.toString());
  }

  private static Samples own(List<Update> updates) {
    return Samples.of(
        updates.stream().filter(Update::watched).toList(),
        u -> u.runningRecord - u.patchAnswered - (u.rolledOut - u.deploymentSeen));
  }

  /** The user's app, created and {@code running}. */
  private static String runningApp(Api api, Board board, Api.User user) {
    Api.Answer created = api.create(user, "upd");
    String id = created.data().getString("id");
    if (!board.await(id, created.data().getLong("generation"), 1)) {
      throw new IllegalStateException("app " + id + " not running within " + WAIT_SECONDS + " s");
    }
    return id;
  }

  /**
   * Updates app {@code id} {@code times} times, each once the previous one's release runs; how many
   * never ran.
   */
  private static int updates(
      Api api, Board board, Api.User user, String id, int times, List<Update> into) {
    int missing = 0;
    for (int i = 0; i < times; i++) {
      Api.Answer answer =
          api.expect(
              202,
              "PATCH",
              "/api/v1/apps/" + id,
              user.token(),
              new JsonObject().put("env", new JsonObject().put("REVISION", Integer.toString(i))));
      JsonObject app = answer.data();
      Update u =
          new Update(
              id, app.getLong("generation"), app.getLong("release"), answer.receivedAtMillis());
      if (board.await(id, u.generation, u.release)) {
        into.add(u);
      } else {
        missing++;
      }
    }
    return missing;
  }

  /** A new app of the user's updated {@code times} times, then deleted (untimed). */
  private static int updates(Api api, Board board, Api.User user, int times, List<Update> into) {
    String id = runningApp(api, board, user);
    int missing = updates(api, board, user, id, times, into);
    delete(api, board, user, id);
    return missing;
  }

  private static void delete(Api api, Board board, Api.User user, String id) {
    api.delete(user, id);
    board.awaitDeleted(id);
  }

  /** The users' updates at once: how many never ran, and the CPU split of their window. */
  private record Window(int missing, CpuSplit before, CpuSplit after, double seconds) {}

  private static Window concurrently(
      Api api, Board board, int users, List<Update> into, Context bench) {
    ExecutorService pool = Executors.newFixedThreadPool(users);
    try {
      List<Api.User> people = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        people.add(api.newUser("u2c" + u + "x" + CommandToStatus.suffix()));
      }
      List<String> apps = new ArrayList<>();
      for (Future<String> app :
          pool.invokeAll(
              people.stream()
                  .<Callable<String>>map(user -> () -> runningApp(api, board, user))
                  .toList())) {
        apps.add(app.get());
      }
      CpuSplit before = CpuSplit.now(bench.system());
      long began = System.nanoTime();
      List<Future<Integer>> runs = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        Api.User user = people.get(u);
        String id = apps.get(u);
        runs.add(
            pool.submit(
                () -> updates(api, board, user, id, bench.profile().updatesPerUser(), into)));
      }
      int missing = 0;
      for (Future<Integer> run : runs) {
        missing += run.get(10, TimeUnit.MINUTES);
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      CpuSplit after = CpuSplit.now(bench.system());
      for (int u = 0; u < users; u++) {
        delete(api, board, people.get(u), apps.get(u));
      }
      return new Window(missing, before, after, seconds);
    } catch (Exception e) {
      throw new IllegalStateException("concurrent updates failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** app-service's history line for the {@code running} of each update's generation. */
  private static void dbApplied(MySqlServer db, List<Update> updates) {
    Map<String, Update> byKey = new ConcurrentHashMap<>();
    updates.forEach(u -> byKey.put(u.appId + "/" + u.generation, u));
    String url = "jdbc:mariadb://" + db.host() + ":" + db.port() + "/" + Databases.APPS;
    try (Connection c = DriverManager.getConnection(url, db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery(
                "SELECT app_id, generation, MIN(UNIX_TIMESTAMP(created_at) * 1000) FROM app_events"
                    + " WHERE kind = 'status' AND action = '"
                    + AppStatus.RUNNING.value()
                    + "' GROUP BY app_id, generation")) {
      while (rows.next()) {
        Update u = byKey.get(rows.getString(1) + "/" + rows.getLong(2));
        if (u != null) {
          u.dbApplied = Math.round(rows.getDouble(3));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading app_events: " + e.getMessage(), e);
    }
  }

  private static void section(StringBuilder md, String title, List<Update> all) {
    List<Update> done = all.stream().filter(Update::complete).toList();
    List<Update> watched = done.stream().filter(Update::watched).toList();
    List<Update> stored = done.stream().filter(u -> u.dbApplied > 0).toList();
    md.append(f("### %s — %d updates\n\n", title, done.size()));
    md.append(
        "| span | n | p50 ms | p95 ms | p99 ms | max ms | mean ms |\n|---|---|---|---|---|---|---|\n");
    row(
        md,
        "**PATCH answered → new release `running` on Kafka**",
        done,
        u -> u.runningRecord - u.patchAnswered);
    row(
        md,
        "command built (event `time`) → PATCH answered",
        done,
        u -> u.patchAnswered - u.commandTime);
    row(
        md,
        "PATCH answered → command on Kafka (outbox relay)",
        done,
        u -> u.commandRecord - u.patchAnswered);
    row(
        md,
        "command on Kafka → Deployment at the new generation seen (worker consume + apply + watch)",
        watched,
        u -> u.deploymentSeen - u.commandRecord);
    row(
        md,
        "Deployment seen → rolled out (simulated control plane)",
        watched,
        u -> u.rolledOut - u.deploymentSeen);
    row(
        md,
        "rolled out → `running` on Kafka (informers + status + publish)",
        watched,
        u -> u.runningRecord - u.rolledOut);
    row(
        md,
        "`observedAt` → `running` on Kafka (publish)",
        done,
        u -> u.runningRecord - u.runningObservedAt);
    row(
        md,
        "*Astro's own: the total less the simulated control plane*",
        watched,
        u -> u.runningRecord - u.patchAnswered - (u.rolledOut - u.deploymentSeen));
    row(
        md,
        "`running` on Kafka → app-service DB (app_events)",
        stored,
        u -> u.dbApplied - u.runningRecord);
    md.append('\n');
  }

  private static void row(
      StringBuilder md, String span, List<Update> items, ToLongFunction<Update> value) {
    md.append(Samples.of(items, value).row(span));
  }
}
