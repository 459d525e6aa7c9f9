package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;

import io.astro.bench.load.Api;
import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.ChildJvm;
import io.astro.common.events.Topics;
import io.astro.common.events.app.AppStatus;
import io.astro.dev.Databases;
import io.astro.testkit.db.MySqlServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * 2. From the {@code POST /apps} answer to the app's {@code running} status event on Kafka, with
 * the sandbox cluster making pods ready at once: sequentially (one app at a time) and with N users
 * creating at once. Each app is deleted once running (untimed), so the cluster holds few apps and
 * its simulator's periodic resync stays small.
 */
public final class CommandToStatus {

  private static final long WAIT_SECONDS = 60;

  private CommandToStatus() {}

  // the Deployment watch is open for the block, feeding the tap; the body never names it
  @SuppressWarnings("try")
  public static void run(Context bench) {
    AstroSystem system = bench.system();
    Api api = new Api(system.url(AstroSystem.GATEWAY));
    StringBuilder md = new StringBuilder();
    md.append(
        "Stages come from timestamps already there: the command's record timestamp (outbox relay send), a"
            + " watch on the sandbox's Deployments (the same watch path as the worker's informers), the status record's"
            + " timestamp and `observedAt`, and app-service's history row (`app_events.created_at`). All on one"
            + " machine's clock, in ms.\n\n");
    try (EventTap tap =
            new EventTap(system.kafkaBootstrap(), Topics.APP_COMMANDS, Topics.APP_STATUS, s -> {});
        DeploymentWatch watch =
            new DeploymentWatch(system.backing().cluster().sandbox().newClient(), tap)) {
      // one warm-up app per user path, not counted
      Api.User warm = api.newUser("c2sw" + suffix());
      createAndWait(api, tap, warm, "warm");

      ChildJvm worker = system.service(AstroSystem.SYNC_WORKER);
      String before = worker.metrics();
      Api.User solo = api.newUser("c2s" + suffix());
      List<Timeline> sequential = new ArrayList<>();
      for (int i = 0; i < bench.profile().sequentialApps(); i++) {
        sequential.add(createAndWait(api, tap, solo, "s" + i));
      }
      String between = worker.metrics();
      CpuSplit cpuBefore = CpuSplit.now(system);
      long began = System.nanoTime();
      List<Timeline> concurrent =
          concurrently(
              api, tap, bench.profile().concurrentUsers(), bench.profile().appsPerConcurrentUser());
      double seconds = (System.nanoTime() - began) / 1e9;
      CpuSplit cpuAfter = CpuSplit.now(system);
      String after = worker.metrics();
      tap.check();
      dbApplied(system.database(), sequential, concurrent);

      section(
          md, "sequential (1 user, one app at a time)", sequential, workerMean(before, between));
      section(
          md,
          f("%d users at once, each one app at a time", bench.profile().concurrentUsers()),
          concurrent,
          workerMean(between, after));
      md.append(
          f(
              "What the %d users' run cost: %d apps created, `running`, deleted and `deleted` in"
                  + " %.1f s (%.1f apps/s, each user's next app once its last is gone: a user's"
                  + " cycle is %d users / %.1f apps/s = %.0f ms). CPU meanwhile, by part, on %d"
                  + " cores, and how long each part's threads were ready to run but waited for a"
                  + " core (the scheduler's run-queue delay, summed over threads):\n\n",
              bench.profile().concurrentUsers(),
              concurrent.size(),
              seconds,
              concurrent.size() / seconds,
              bench.profile().concurrentUsers(),
              concurrent.size() / seconds,
              1000 * seconds * bench.profile().concurrentUsers() / concurrent.size(),
              Runtime.getRuntime().availableProcessors()));
      md.append(cpuAfter.table(cpuBefore, seconds, concurrent.size(), "app"));
      md.append('\n');
      Samples seq = Samples.of(complete(sequential), t -> t.runningRecord - t.postAnswered);
      Samples con = Samples.of(complete(concurrent), t -> t.runningRecord - t.postAnswered);
      bench
          .report()
          .goal(
              "2. command → status",
              "p50 ≤ 30 ms (sequential / concurrent)",
              f("%d / %d ms", seq.percentile(50), con.percentile(50)),
              seq.percentile(50) <= 30 && con.percentile(50) <= 30);
      bench
          .report()
          .goal(
              "2. command → status",
              "p99 ≤ 150 ms (sequential / concurrent)",
              f("%d / %d ms", seq.percentile(99), con.percentile(99)),
              seq.percentile(99) <= 150 && con.percentile(99) <= 150);
      Samples own =
          Samples.of(
              complete(concurrent).stream()
                  .filter(t -> t.deploymentAdded > 0 && t.deploymentReady > 0)
                  .toList(),
              t -> t.runningRecord - t.postAnswered - (t.deploymentReady - t.deploymentAdded));
      bench
          .report()
          .goal(
              "2. command → status",
              f("%d users: total p50 ≤ 60 ms", bench.profile().concurrentUsers()),
              f("%d ms", con.percentile(50)),
              con.percentile(50) <= 60);
      bench
          .report()
          .goal(
              "2. command → status",
              f(
                  "%d users: Astro's own (less the simulated control plane) p99 ≤ 50 ms",
                  bench.profile().concurrentUsers()),
              f("%d ms", own.percentile(99)),
              own.percentile(99) <= 50);
    }
    bench.report().section("2. Command → status latency", md.toString());
  }

  private static Timeline createAndWait(Api api, EventTap tap, Api.User user, String name) {
    Api.Answer created = api.create(user, name);
    Timeline t = tap.timeline(created.data().getString("id"));
    t.postAnswered = created.receivedAtMillis();
    await(t.running, AppStatus.RUNNING.value(), t.appId);
    api.delete(user, t.appId);
    await(t.deleted, AppStatus.DELETED.value(), t.appId);
    return t;
  }

  private static List<Timeline> concurrently(Api api, EventTap tap, int users, int appsEach) {
    ExecutorService pool = Executors.newFixedThreadPool(users);
    try {
      List<Api.User> people = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        people.add(api.newUser("c2c" + u + "x" + suffix()));
      }
      List<Future<List<Timeline>>> runs = new ArrayList<>();
      for (Api.User user : people) {
        runs.add(
            pool.submit(
                () -> {
                  List<Timeline> mine = new ArrayList<>();
                  for (int i = 0; i < appsEach; i++) {
                    mine.add(createAndWait(api, tap, user, "c" + i));
                  }
                  return mine;
                }));
      }
      List<Timeline> all = Collections.synchronizedList(new ArrayList<>());
      for (Future<List<Timeline>> run : runs) {
        all.addAll(run.get(10, TimeUnit.MINUTES));
      }
      return all;
    } catch (Exception e) {
      throw new IllegalStateException("concurrent creates failed: " + e, e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void await(CompletableFuture<Void> event, String what, String appId) {
    try {
      event.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "no " + what + " status for app " + appId + " within " + WAIT_SECONDS + " s", e);
    }
  }

  /** app-service's history line for {@code running}: when the status reached its database. */
  private static void dbApplied(MySqlServer db, List<Timeline> a, List<Timeline> b) {
    Map<String, Timeline> byId = new HashMap<>();
    a.forEach(t -> byId.put(t.appId, t));
    b.forEach(t -> byId.put(t.appId, t));
    String url = "jdbc:mariadb://" + db.host() + ":" + db.port() + "/" + Databases.APPS;
    try (Connection c = DriverManager.getConnection(url, db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rows =
            s.executeQuery(
                "SELECT app_id, MIN(UNIX_TIMESTAMP(created_at) * 1000) FROM app_events"
                    + " WHERE kind = 'status' AND action = '"
                    + AppStatus.RUNNING.value()
                    + "' GROUP BY app_id")) {
      while (rows.next()) {
        Timeline t = byId.get(rows.getString(1));
        if (t != null) {
          t.dbApplied = Math.round(rows.getDouble(2));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("reading app_events: " + e.getMessage(), e);
    }
  }

  private static List<Timeline> complete(List<Timeline> all) {
    return all.stream().filter(Timeline::complete).toList();
  }

  private static void section(
      StringBuilder md, String title, List<Timeline> all, double workerMeanMs) {
    List<Timeline> done = complete(all);
    List<Timeline> watched =
        done.stream().filter(t -> t.deploymentAdded > 0 && t.deploymentReady > 0).toList();
    List<Timeline> stored = done.stream().filter(t -> t.dbApplied > 0).toList();
    md.append(f("### %s — %d apps\n\n", title, done.size()));
    md.append(
        "| span | n | p50 ms | p95 ms | p99 ms | max ms | mean ms |\n|---|---|---|---|---|---|---|\n");
    row(md, "**POST answered → `running` on Kafka**", done, t -> t.runningRecord - t.postAnswered);
    row(
        md,
        "command built (event `time`) → POST answered",
        done,
        t -> t.postAnswered - t.commandTime);
    row(
        md,
        "POST answered → command on Kafka (outbox relay)",
        done,
        t -> t.commandRecord - t.postAnswered);
    row(
        md,
        "command on Kafka → Deployment seen (worker consume + apply + watch)",
        watched,
        t -> t.deploymentAdded - t.commandRecord);
    row(
        md,
        "Deployment seen → seen ready (simulated control plane)",
        watched,
        t -> t.deploymentReady - t.deploymentAdded);
    row(
        md,
        "seen ready → `running` on Kafka (informer + status + publish)",
        watched,
        t -> t.runningRecord - t.deploymentReady);
    row(
        md,
        "`observedAt` → `running` on Kafka (publish)",
        done,
        t -> t.runningRecord - t.runningObservedAt);
    row(
        md,
        "*Astro's own: the total less the simulated control plane*",
        watched,
        t -> t.runningRecord - t.postAnswered - (t.deploymentReady - t.deploymentAdded));
    row(
        md,
        "`running` on Kafka → app-service DB (app_events)",
        stored,
        t -> t.dbApplied - t.runningRecord);
    md.append(
        f(
            "\nThe sync-worker's own `astro_sync_command_to_status_seconds` over the same apps: mean %.1f ms.\n\n",
            workerMeanMs));
  }

  private static void row(
      StringBuilder md, String span, List<Timeline> items, ToLongFunction<Timeline> value) {
    // the bench deletes each app once running: a `running` that reaches app-service after the
    // delete is recorded as `deleting`, so the last span may have no samples
    md.append(Samples.of(items, value).row(span));
  }

  private static double workerMean(String before, String after) {
    double sum =
        ChildJvm.sample(after, "astro_sync_command_to_status_seconds_sum").orElse(0)
            - ChildJvm.sample(before, "astro_sync_command_to_status_seconds_sum").orElse(0);
    double count =
        ChildJvm.sample(after, "astro_sync_command_to_status_seconds_count").orElse(0)
            - ChildJvm.sample(before, "astro_sync_command_to_status_seconds_count").orElse(0);
    return count == 0 ? Double.NaN : sum / count * 1000;
  }

  static String suffix() {
    return Long.toString(System.nanoTime() % 1_000_000);
  }
}
