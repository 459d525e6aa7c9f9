package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;
import static io.astro.bench.Report.text;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.astro.bench.load.Api;
import io.astro.bench.load.LoadResult;
import io.astro.bench.load.Target;
import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.ChildJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * 4. Logins through the gateway against the bcrypt bound measured in this run (one thread's cost-10
 * verify rate here × cores) and user-service's CPU per login, measured with logins alone; then the
 * p99 of a cheap authenticated GET ({@code /api/v1/users/me}, served by the same user-service) at a
 * constant rate — idle, then while logins saturate the bcrypt pool. A blocked event loop would show
 * as that GET's p99 jumping.
 */
public final class Logins {

  private static final int COST = 10; // ASTRO_BCRYPT_COST default

  private Logins() {}

  public static void run(Context bench) {
    AstroSystem system = bench.system();
    String gateway = system.url(AstroSystem.GATEWAY);
    Api api = new Api(gateway);
    List<String> users = new ArrayList<>();
    for (int i = 0; i < bench.profile().loginUsers(); i++) {
      users.add("login" + i + "x" + CommandToStatus.suffix());
    }
    Api.User reader = null;
    for (String u : users) {
      reader = api.newUser(u);
    }
    Target me = Target.get("users/me", gateway + "/api/v1/users/me", reader.token());
    Target login =
        Target.post(
            "login", gateway + "/api/v1/login", n -> Api.loginBody(users.get(n % users.size())));

    double oneThread = bcryptRate(bench.profile().bcryptSample().toMillis());
    int cores = Runtime.getRuntime().availableProcessors();
    double bound = oneThread * cores;

    double rate = bench.profile().cheapGetRate();
    bench.load().open(me, 4, rate, bench.profile().warmup());
    LoadResult idle = bench.load().open(me, 4, rate, bench.profile().loginWindow());
    // until the JIT is done with the login's path (token signing, the audit line, the relay): a
    // warm-up as long as the window still left the compilers 9 % of user-service's CPU inside it
    // (async-profiler); the bound is a steady-state rate
    ChildJvm userService = system.service(AstroSystem.USER_SERVICE);
    String warmed =
        JitWarmup.until(
            slice -> bench.load().closed(login, bench.profile().loginConnections(), slice),
            List.of(userService.pid(), system.service(AstroSystem.GATEWAY).pid()),
            bench.profile().loginWindow().dividedBy(4),
            bench.profile().jitWarmupBound());
    // logins alone: user-service's CPU per login, against one thread's bcrypt rate
    CpuWindow alone = CpuWindow.open(userService);
    LoadResult saturated =
        bench
            .load()
            .closed(login, bench.profile().loginConnections(), bench.profile().loginWindow());
    double userServiceCores = alone.cores();
    // then the logins and the cheap GET side by side, on the generator's one event loop
    CpuWindow mixed = CpuWindow.open(userService);
    CompletableFuture<LoadResult> logins =
        CompletableFuture.supplyAsync(
            () ->
                bench
                    .load()
                    .closed(
                        login, bench.profile().loginConnections(), bench.profile().loginWindow()));
    LoadResult busy = bench.load().open(me, 4, rate, bench.profile().loginWindow());
    LoadResult withGets = logins.join();
    double mixedCores = mixed.cores();

    double ratio = saturated.throughput() / bound;
    double p99Ratio = busy.millis(99) / idle.millis(99);
    StringBuilder md = new StringBuilder();
    md.append(
        f(
            "bcrypt cost %d verify, one thread in the bench JVM: %.1f/s → bound %.1f logins/s on %d cores.\n\n",
            COST, oneThread, bound, cores));
    md.append(
        f(
            "Logins through the gateway after a JIT warm-up (%s), %d connections closed loop for %s over %d"
                + " users: **%.1f logins/s = %.2f of the bound**; p50 %.0f ms, p99 %.0f ms, %d errors.\n\n",
            warmed,
            bench.profile().loginConnections(),
            text(bench.profile().loginWindow()),
            users.size(),
            saturated.throughput(),
            ratio,
            saturated.millis(50),
            saturated.millis(99),
            saturated.errors()));
    md.append(
        f(
            "user-service used %.2f of the %d cores meanwhile (the rest went to the gateway, the database, the"
                + " load generator and anything else on the machine): %.1f logins/s per core it had = %.2f of one"
                + " thread's bcrypt rate.\n\n",
            userServiceCores,
            cores,
            saturated.throughput() / userServiceCores,
            saturated.throughput() / userServiceCores / oneThread));
    md.append(
        f(
            "With the GET below alongside: %.1f logins/s; user-service used %.2f cores, %.2f of one thread's"
                + " bcrypt rate per core (the GETs' own cost counted against the logins).\n\n",
            withGets.throughput(), mixedCores, withGets.throughput() / mixedCores / oneThread));
    md.append(f("`GET /api/v1/users/me` open loop at %.0f/s:\n\n", rate));
    md.append("| while | p50 ms | p99 ms | p99.9 ms | errors |\n|---|---|---|---|---|\n");
    md.append(
        f(
            "| idle | %.2f | %.2f | %.2f | %d |\n",
            idle.millis(50), idle.millis(99), idle.millis(99.9), idle.errors()));
    md.append(
        f(
            "| logins saturate | %.2f | %.2f | %.2f | %d |\n",
            busy.millis(50), busy.millis(99), busy.millis(99.9), busy.errors()));
    md.append(f("\np99 busy / idle = %.2f×.\n", p99Ratio));
    bench.report().goal("4. login", "≥ 0.9 of the bcrypt bound", f("%.2f", ratio), ratio >= 0.9);
    double perCore = saturated.throughput() / userServiceCores / oneThread;
    bench
        .report()
        .goal(
            "4. login",
            "≥ 0.95 of one thread's bcrypt rate per core user-service got",
            f("%.2f", perCore),
            perCore >= 0.95);
    bench
        .report()
        .goal(
            "4. login",
            "cheap GET p99 ≤ 2× idle while logins saturate",
            f("%.2f×", p99Ratio),
            p99Ratio <= 2.0);
    bench.report().section("4. Login throughput", md.toString());
  }

  /** A process's CPU seconds over wall-clock seconds since {@link #open}. */
  private record CpuWindow(ChildJvm jvm, double cpuBefore, long start) {
    static CpuWindow open(ChildJvm jvm) {
      return new CpuWindow(jvm, jvm.cpuSeconds(), System.nanoTime());
    }

    double cores() {
      return (jvm.cpuSeconds() - cpuBefore) / ((System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Verifications per second of one thread, over about {@code millis}, after as long a warm-up:
   * user-service's bcrypt is compiled long before the window, so the bound's must be too (with one
   * verification of warm-up, this measured 15.7/s where a warm thread does 16.7/s, and so made the
   * ratio look 6 % better than it was).
   */
  static double bcryptRate(long millis) {
    byte[] hash = BCrypt.withDefaults().hash(COST, Api.PASSWORD.toCharArray());
    char[] password = Api.PASSWORD.toCharArray();
    verifyFor(password, hash, millis);
    long start = System.nanoTime();
    int n = verifyFor(password, hash, millis);
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static int verifyFor(char[] password, byte[] hash, long millis) {
    int n = 0;
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end || n < 3) {
      if (!BCrypt.verifyer().verify(password, hash).verified) {
        throw new IllegalStateException("bcrypt verify failed");
      }
      n++;
    }
    return n;
  }
}
