package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;
import static io.astro.bench.Report.text;

import io.astro.bench.load.Api;
import io.astro.bench.load.LoadResult;
import io.astro.bench.load.Target;
import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.ContainerJvm;
import io.astro.bench.system.VertxProxy;
import io.astro.common.events.app.AppStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 1. The gateway's cost: the same authenticated {@code GET /api/v1/apps} (a user with 20 apps)
 * straight to app-service, through the gateway (JWT verify, per-user rate limit set high, bulkhead,
 * breaker, retry policy, proxy), through a bare Vert.x proxy with the gateway's JVM flags ({@link
 * VertxProxy}: the floor of a proxy hop in a JVM) and through nginx (a plain keep-alive proxy hop,
 * the floor of any). Per concurrency, the targets run back to back: closed loop first (throughput),
 * then open loop at the same fixed rate for all of them — a fraction of the gateway's closed-loop
 * throughput — so latencies compare at equal load, queueing included.
 */
public final class GatewayOverhead {

  private static final int ROUNDS = 4;

  /** The bare Vert.x proxy's name as a target. */
  private static final String VERTX = "Vert.x proxy";

  private GatewayOverhead() {}

  public static void run(Context bench) {
    try (VertxProxy proxy =
        VertxProxy.start(
            ContainerJvm.of(bench.root(), AstroSystem.GATEWAY),
            AstroSystem.freePort(),
            bench.system().port(AstroSystem.APP_SERVICE),
            bench.work().resolve("vertx-proxy"))) {
      run(bench, proxy);
    }
  }

  private static void run(Context bench, VertxProxy proxy) {
    Api api = new Api(bench.system().url(AstroSystem.GATEWAY));
    Api.User user = api.newUser("gw" + System.currentTimeMillis() % 100000);
    int apps = bench.profile().listedApps();
    for (int i = 0; i < apps; i++) {
      api.create(user, "app-" + i);
    }
    // settled first: status events arriving during the run would make app-service write while it is
    // measured
    api.await(
        user,
        "/api/v1/apps?limit=100",
        Duration.ofMinutes(2),
        a ->
            a.status() == 200
                && a.data().getJsonArray("items").stream()
                    .allMatch(
                        o ->
                            AppStatus.RUNNING
                                .value()
                                .equals(((io.vertx.core.json.JsonObject) o).getString("status"))));

    String path = "/api/v1/apps?limit=" + apps;
    List<Target> targets = new ArrayList<>();
    targets.add(
        Target.get("direct", bench.system().url(AstroSystem.APP_SERVICE) + path, user.token()));
    targets.add(
        Target.get("gateway", bench.system().url(AstroSystem.GATEWAY) + path, user.token()));
    targets.add(Target.get(VERTX, proxy.url() + path, user.token()));
    if (bench.nginx() != null) {
      targets.add(Target.get("nginx", bench.nginx().url() + path, user.token()));
    }

    // through the gateway and the bare proxy in turn, at the highest concurrency: every JVM of the
    // paths compiles them
    int most = bench.profile().concurrencies().stream().max(Integer::compare).orElse(1);
    String warmed =
        JitWarmup.until(
            slice -> {
              bench.load().closed(targets.get(1), most, slice.dividedBy(2));
              bench.load().closed(targets.get(2), most, slice.dividedBy(2));
            },
            List.of(
                bench.system().service(AstroSystem.GATEWAY).pid(),
                bench.system().service(AstroSystem.APP_SERVICE).pid(),
                proxy.pid()),
            bench.profile().measure().dividedBy(ROUNDS),
            bench.profile().jitWarmupBound());
    StringBuilder md = new StringBuilder();
    md.append(
        f(
            "`GET %s` as a user with %d apps (%d-byte answer); a JIT warm-up through the gateway and the Vert.x proxy (%s), then at"
                + " each concurrency %s warm-up, then %s per target in %d rounds of the"
                + " targets taking turns; one connection per virtual user, keep-alive. Open loop: a constant rate of %.0f %% of the gateway's closed-loop"
                + " throughput at that concurrency, the same for every target; latency counted from when each request"
                + " was due.%s\n\n",
            path,
            apps,
            bodyLength(api, user, path),
            warmed,
            text(bench.profile().warmup()),
            text(bench.profile().measure()),
            ROUNDS,
            bench.profile().openLoadFraction() * 100,
            bench.nginx() == null
                ? " **nginx is not installed: its rows are missing** (bench/run.sh installs it)."
                : ""));
    md.append(
        "| conns | mode | target | req/s | p50 ms | p99 ms | p99.9 ms | errors |\n|---|---|---|---|---|---|---|---|\n");
    StringBuilder ratios =
        new StringBuilder(
            "| conns | gateway/direct req/s | Vert.x proxy/direct req/s | gateway/nginx req/s |"
                + " p99 gateway − direct (open) | p99 gateway − nginx (open) |\n"
                + "|---|---|---|---|---|---|\n");
    StringBuilder hops = new StringBuilder();
    for (int connections : bench.profile().concurrencies()) {
      System.out.println("benchmark 1: " + connections + " connections");
      for (Target t : targets) {
        bench.load().closed(t, connections, bench.profile().warmup());
      }
      // in rounds, the targets taking turns: a stall of the machine (GC, another process) hits all
      // of them alike
      Duration round = bench.profile().measure().dividedBy(ROUNDS);
      Map<String, LoadResult> closed = new LinkedHashMap<>();
      for (int r = 0; r < ROUNDS; r++) {
        for (Target t : targets) {
          closed.put(
              t.name(), bench.load().closed(t, connections, round).plus(closed.get(t.name())));
        }
      }
      double rate =
          Math.max(1, closed.get("gateway").throughput() * bench.profile().openLoadFraction());
      Map<String, LoadResult> open = new LinkedHashMap<>();
      for (int r = 0; r < ROUNDS; r++) {
        for (Target t : targets) {
          open.put(
              t.name(), bench.load().open(t, connections, rate, round).plus(open.get(t.name())));
        }
      }
      closed.values().forEach(r -> row(md, r));
      open.values().forEach(r -> row(md, r));
      double tputRatio = closed.get("gateway").throughput() / closed.get("direct").throughput();
      double p99Overhead = open.get("gateway").millis(99) - open.get("direct").millis(99);
      ratios.append(
          f(
              "| %d | %.2f | %.2f | %s | %+.2f ms | %s |\n",
              connections,
              tputRatio,
              closed.get(VERTX).throughput() / closed.get("direct").throughput(),
              closed.containsKey("nginx")
                  ? f("%.2f", closed.get("gateway").throughput() / closed.get("nginx").throughput())
                  : "n/a",
              p99Overhead,
              open.containsKey("nginx")
                  ? f("%+.2f ms", open.get("gateway").millis(99) - open.get("nginx").millis(99))
                  : "n/a"));
      bench
          .report()
          .goal(
              "1. gateway",
              f("≥ %.1f× direct throughput at %d conns", wanted(connections), connections),
              f("%.2f×", tputRatio),
              tputRatio >= wanted(connections));
      if (connections == 1 && closed.containsKey("nginx")) {
        // one connection's throughput is 1/latency: what each hop adds to a request
        double gatewayUs =
            1e6 / closed.get("gateway").throughput() - 1e6 / closed.get("direct").throughput();
        double nginxUs =
            1e6 / closed.get("nginx").throughput() - 1e6 / closed.get("direct").throughput();
        double vertxUs =
            1e6 / closed.get(VERTX).throughput() - 1e6 / closed.get("direct").throughput();
        hops.append(
            f(
                "\nWhat each hop adds to a request at 1 connection (closed loop, 1 / throughput less"
                    + " direct's): the gateway %.0f µs, the bare Vert.x proxy %.0f µs, nginx %.0f µs;"
                    + " the gateway's own work (its routes, authentication, limits, metrics and"
                    + " resilience) is the difference to the Vert.x proxy, %.0f µs.\n",
                gatewayUs, vertxUs, nginxUs, gatewayUs - vertxUs));
        bench
            .report()
            .goal(
                "1. gateway",
                "per-request overhead ≤ nginx's (1 conn)",
                f("%.0f µs vs %.0f µs", gatewayUs, nginxUs),
                gatewayUs <= nginxUs);
      }
      if (connections == 16) {
        bench
            .report()
            .goal(
                "1. gateway",
                "p99 overhead ≤ 1 ms at 16 conns (open loop)",
                f("%+.2f ms", p99Overhead),
                p99Overhead <= 1.0);
      }
    }
    md.append("\nRatios (closed loop for throughput, open loop for p99):\n\n")
        .append(ratios)
        .append(hops);
    bench.report().section("1. Gateway overhead", md.toString());
  }

  private static int bodyLength(Api api, Api.User user, String path) {
    return api.send("GET", path, user.token(), null).body().length();
  }

  private static void row(StringBuilder md, LoadResult r) {
    md.append(
        f(
            "| %d | %s | %s | %.0f | %.2f | %.2f | %.2f | %d |\n",
            r.connections(),
            r.mode(),
            r.target(),
            r.throughput(),
            r.millis(50),
            r.millis(99),
            r.millis(99.9),
            r.errors()));
  }

  /** The throughput goal at a concurrency: one connection measures latency, more measure CPU. */
  private static double wanted(int connections) {
    return connections == 1 ? 0.8 : 0.9;
  }
}
