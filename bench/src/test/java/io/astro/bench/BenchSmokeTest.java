package io.astro.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks in smoke mode (tiny sizes, sub-second measurements), so the scripts do not rot.
 * Asserts that every benchmark ran and reported, never how fast anything was.
 */
class BenchSmokeTest {

  @Test
  void every_benchmark_runs_and_reports() throws Exception {
    Path root = Bench.findRoot();
    Path work = root.resolve("bench/target/work-smoke-test");
    Bench.Options options =
        // this checkout as its own baseline: the restarts taking turns run and are reported
        new Bench.Options(Profile.smoke(), Set.of(), work.resolve("RESULTS.md"), work, root, root);

    Report report = Bench.run(options);

    String md = Files.readString(options.results());
    assertThat(md)
        .contains(
            "nproc",
            "Java",
            "vertx 5.0.8",
            "## 1. Gateway overhead",
            "## 2. Command → status latency",
            "## 3. Reconcile at scale",
            "## 4. Login throughput",
            "## 5. List apps",
            "| database alone, the first page's statement",
            "## 6. Footprint",
            "| service | restart to ready, median | the baseline's |",
            "## 8. Console first load",
            "## 9. Update → running latency",
            "## 10. Status stream fan-out");
    assertThat(report.goals())
        .extracting(Report.Goal::benchmark)
        .contains(
            "1. gateway",
            "2. command → status",
            "3. reconcile",
            "4. login",
            "5. list apps",
            "9. update → status",
            "10. status fan-out");
    // the bare proxy beside the gateway answers what app-service answers, without errors
    assertThat(md).containsPattern("\\| closed \\| Vert\\.x proxy \\| [1-9]\\d* \\|.*\\| 0 \\|\n");
    assertThat(md)
        .contains("waiting for a core, ms per update", "waiting for a core, ms per command");
    assertThat(md).doesNotContain("NaN");
  }
}
