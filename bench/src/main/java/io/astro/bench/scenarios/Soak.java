package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;

import io.astro.bench.load.Api;
import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.ChildJvm;
import io.astro.common.events.Topics;
import io.astro.common.events.app.AppStatus;
import io.astro.common.events.app.AppStatusEvent;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * 7. N users at once, each cycling one app through create → scale → restart → stop → start →
 * delete, every command sent once the previous one's status is out. Counts what the sync-worker
 * spent on it: reconcile retries after a write conflict (409) and Deployment writes, per command —
 * each command needs exactly one Deployment write (create, replace or delete), so more is waste.
 */
public final class Soak {

  private static final long WAIT_SECONDS = 60;

  /** The commands of a cycle, in order. */
  enum Step {
    CREATE,
    SCALE,
    RESTART,
    STOP,
    START,
    DELETE
  }

  private Soak() {}

  // the tap is open for the block, feeding the board; the body never names it
  @SuppressWarnings("try")
  public static void run(Context bench) {
    AstroSystem system = bench.system();
    Api api = new Api(system.url(AstroSystem.GATEWAY));
    int users = bench.profile().soakUsers();
    int cycles = bench.profile().soakCycles();
    StatusBoard board = new StatusBoard();
    Map<Step, List<Long>> latencies = new EnumMap<>(Step.class);
    for (Step step : Step.values()) {
      latencies.put(step, java.util.Collections.synchronizedList(new ArrayList<>()));
    }
    ChildJvm worker = system.service(AstroSystem.SYNC_WORKER);
    String before;
    String after;
    long sandboxConflictsBefore = system.backing().cluster().sandbox().traffic().answers(409);
    long took;
    try (EventTap tap = new EventTap(system.kafkaBootstrap(), null, Topics.APP_STATUS, board)) {
      List<Api.User> people = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        people.add(api.newUser("soak" + u + "x" + CommandToStatus.suffix()));
      }
      before = worker.metrics();
      long began = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(users);
      try {
        List<Future<?>> runs = new ArrayList<>();
        for (Api.User user : people) {
          runs.add(
              pool.submit(
                  () -> {
                    for (int c = 0; c < cycles; c++) {
                      cycle(api, board, user, "soak-" + c, latencies);
                    }
                    return null;
                  }));
        }
        for (Future<?> run : runs) {
          run.get(30, TimeUnit.MINUTES);
        }
      } catch (Exception e) {
        throw new IllegalStateException("soak failed: " + e, e);
      } finally {
        pool.shutdownNow();
      }
      took = System.nanoTime() - began;
      after = worker.metrics();
      tap.check();
    }
    long sandboxConflicts =
        system.backing().cluster().sandbox().traffic().answers(409) - sandboxConflictsBefore;
    int commands = users * cycles * Step.values().length;
    double conflicts =
        delta(before, after, "astro_sync_reconcile_retries_total", "reason=\"conflict\"");
    double retries = delta(before, after, "astro_sync_reconcile_retries_total");
    double deploymentWrites =
        delta(before, after, "astro_sync_writes_total", "kind=\"Deployment\"");
    double writes = delta(before, after, "astro_sync_writes_total");
    double reconciles = delta(before, after, "astro_sync_reconcile_seconds_count");

    StringBuilder md = new StringBuilder();
    md.append(
        f(
            "%d users at once, each cycling one app %d times through create → scale (2) → restart → stop → start"
                + " → delete, each command sent once the previous one's status (`running`, `stopped`,"
                + " `deleted` of its generation) is on Kafka: %d commands in %.1f s. Counts from the"
                + " sync-worker's `/metrics` before and after.\n\n",
            users, cycles, commands, took / 1e9));
    md.append("| | total | per command |\n|---|---|---|\n");
    md.append(
        f(
            "| reconcile retries after a conflict (409) | %.0f | %.2f %% |\n",
            conflicts, 100 * conflicts / commands));
    md.append(
        f(
            "| reconcile retries, any reason | %.0f | %.2f %% |\n",
            retries, 100 * retries / commands));
    md.append(
        f(
            "| Deployment writes (one needed per command) | %.0f | %.3f |\n",
            deploymentWrites, deploymentWrites / commands));
    md.append(f("| writes, all kinds | %.0f | %.3f |\n", writes, writes / commands));
    md.append(f("| reconciles | %.0f | %.2f |\n", reconciles, reconciles / commands));
    md.append(
        f(
            "| 409 answers of the sandbox API server (its simulator's included) | %d | %.3f |\n\n",
            sandboxConflicts, (double) sandboxConflicts / commands));
    md.append(
        "Command answered → its status on Kafka, per step (the sandbox's simulated control plane"
            + " included):\n\n| step | n | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|\n");
    for (Step step : Step.values()) {
      List<Long> values = List.copyOf(latencies.get(step));
      Samples s = Samples.of(values, v -> v);
      md.append(
          f(
              "| %s | %d | %d | %d | %d | %d |\n",
              step.name().toLowerCase(java.util.Locale.ROOT),
              s.size(),
              s.percentile(50),
              s.percentile(95),
              s.percentile(99),
              s.max()));
    }
    md.append(f("\nWrites by kind and verb: %s.\n", writesByKind(before, after)));
    bench
        .report()
        .goal(
            "7. soak",
            "conflict retries ≤ 1 % of commands",
            f("%.2f %%", 100 * conflicts / commands),
            conflicts / commands <= 0.01);
    bench
        .report()
        .goal(
            "7. soak",
            "Deployment writes per command ≤ 1.05",
            f("%.3f", deploymentWrites / commands),
            deploymentWrites / commands <= 1.05);
    bench.report().section("7. Soak: command cycles", md.toString());
  }

  private static void cycle(
      Api api, StatusBoard board, Api.User user, String name, Map<Step, List<Long>> latencies) {
    Api.Answer created = api.create(user, name);
    String id = created.data().getString("id");
    String path = "/api/v1/apps/" + id;
    timed(latencies, Step.CREATE, created, board, id, AppStatus.RUNNING);
    timed(
        latencies,
        Step.SCALE,
        api.expect(202, "POST", path + "/scale", user.token(), new JsonObject().put("replicas", 2)),
        board,
        id,
        AppStatus.RUNNING);
    timed(
        latencies,
        Step.RESTART,
        api.expect(202, "POST", path + "/restart", user.token(), null),
        board,
        id,
        AppStatus.RUNNING);
    timed(
        latencies,
        Step.STOP,
        api.expect(202, "POST", path + "/stop", user.token(), null),
        board,
        id,
        AppStatus.STOPPED);
    timed(
        latencies,
        Step.START,
        api.expect(202, "POST", path + "/start", user.token(), null),
        board,
        id,
        AppStatus.RUNNING);
    timed(
        latencies,
        Step.DELETE,
        api.expect(202, "DELETE", path, user.token(), null),
        board,
        id,
        AppStatus.DELETED);
  }

  private static void timed(
      Map<Step, List<Long>> latencies,
      Step step,
      Api.Answer answer,
      StatusBoard board,
      String appId,
      AppStatus status) {
    long generation = answer.data().getLong("generation");
    long at = board.await(appId, generation, status.value());
    latencies.get(step).add(at - answer.receivedAtMillis());
  }

  /** {@code Deployment create 100, Service delete 100, ...}: what the soak added to each series. */
  private static String writesByKind(String before, String after) {
    StringBuilder out = new StringBuilder();
    for (String line :
        after.lines().filter(l -> l.startsWith("astro_sync_writes_total{")).toList()) {
      String series = line.substring(0, line.lastIndexOf(' '));
      double added =
          Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))
              - before
                  .lines()
                  .filter(l -> l.startsWith(series + " "))
                  .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                  .sum();
      if (added > 0) {
        out.append(out.isEmpty() ? "" : ", ")
            .append(label(series, "kind"))
            .append(' ')
            .append(label(series, "verb"))
            .append(' ')
            .append(f("%.0f", added));
      }
    }
    return out.isEmpty() ? "none" : out.toString();
  }

  private static String label(String series, String name) {
    int at = series.indexOf(name + "=\"");
    return at < 0
        ? "?"
        : series.substring(at + name.length() + 2, series.indexOf('"', at + name.length() + 2));
  }

  private static double delta(String before, String after, String metric, String... labels) {
    return ChildJvm.sample(after, metric, labels).orElse(0)
        - ChildJvm.sample(before, metric, labels).orElse(0);
  }

  /** Every (generation, status) each app reached, with when it was first seen. */
  private static final class StatusBoard implements java.util.function.Consumer<AppStatusEvent> {
    private final Map<String, Map<String, Long>> seen = new ConcurrentHashMap<>();

    @Override
    public void accept(AppStatusEvent status) {
      seen.computeIfAbsent(status.appId(), k -> new ConcurrentHashMap<>())
          .putIfAbsent(
              status.state().observedGeneration() + "/" + status.state().status().value(),
              System.currentTimeMillis());
      synchronized (this) {
        notifyAll();
      }
    }

    /** Waits (bounded) for the status of that generation; answers when it was seen. */
    long await(String appId, long generation, String status) {
      String key = generation + "/" + status;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      synchronized (this) {
        while (true) {
          Long at = seen.getOrDefault(appId, Map.of()).get(key);
          if (at != null) {
            return at;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new IllegalStateException(
                "no "
                    + status
                    + " status of generation "
                    + generation
                    + " for app "
                    + appId
                    + " within "
                    + WAIT_SECONDS
                    + " s; seen "
                    + Set.copyOf(seen.getOrDefault(appId, Map.of()).keySet()));
          }
          try {
            wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
          }
        }
      }
    }
  }
}
