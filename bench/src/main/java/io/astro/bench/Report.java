package io.astro.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a run found, as Markdown: the machine, a table of goals, then one section per benchmark. */
public final class Report {

  /** A goal of the issue and what this run measured against it. */
  public record Goal(String benchmark, String goal, String measured, boolean met) {}

  private final String profile;
  private final String machine;
  private final List<Goal> goals = new ArrayList<>();
  private final List<String> sections = new ArrayList<>();
  private final List<String> steps = new ArrayList<>();

  public Report(String profile, String machine) {
    this.profile = profile;
    this.machine = machine;
  }

  public synchronized void goal(String benchmark, String goal, String measured, boolean met) {
    goals.add(new Goal(benchmark, goal, measured, met));
  }

  /** A section: its title and Markdown body; printed at once so a long run shows progress. */
  public synchronized void section(String title, String body) {
    String text = "## " + title + "\n\n" + body.strip() + "\n";
    sections.add(text);
    System.out.println("\n" + text);
  }

  /** One table row about a benchmark's run (time taken, what else the machine was doing). */
  public synchronized void step(String row) {
    steps.add(row);
  }

  public synchronized List<String> steps() {
    return List.copyOf(steps);
  }

  public synchronized List<Goal> goals() {
    return List.copyOf(goals);
  }

  public synchronized String markdown() {
    StringBuilder md = new StringBuilder("# Benchmark results\n\n");
    md.append("Profile `")
        .append(profile)
        .append("`; written by `bench/run.sh` (see `bench/README.md`).\n\n");
    md.append(machine.strip()).append("\n\n");
    if (!goals.isEmpty()) {
      md.append("## Goals\n\n| benchmark | goal | measured | |\n|---|---|---|---|\n");
      for (Goal g : goals) {
        md.append("| ")
            .append(g.benchmark())
            .append(" | ")
            .append(g.goal())
            .append(" | ")
            .append(g.measured())
            .append(" | ")
            .append(g.met() ? "met" : "**missed**")
            .append(" |\n");
      }
      md.append('\n');
    }
    // in the order, whatever order they ran in
    sections.stream().sorted().forEach(s -> md.append(s).append('\n'));
    return md.toString();
  }

  public void write(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, markdown());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  /** {@code 200 ms}, {@code 8 s}. */
  public static String text(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  public static String mib(long bytes) {
    return bytes < 0 ? "n/a" : f("%.0f MiB", bytes / 1048576.0);
  }
}
