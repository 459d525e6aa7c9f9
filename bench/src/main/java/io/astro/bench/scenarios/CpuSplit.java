package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;

import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.ChildJvm;
import io.astro.bench.system.Proc;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * CPU ticks used so far by each part of the system: this JVM (the sandbox clusters with their
 * simulated control planes, the Kafka broker, the load and the event tap), each service, the rest
 * of what this run started (MariaDB, nginx), and the whole machine; and how long each part's
 * threads have waited for a core while ready to run. Two of them make a window's split, so a
 * latency measured under load can be read against what the machine spent, who spent it, and how
 * much of it was a queue for the cores.
 */
record CpuSplit(Map<String, Long> ticks, Map<String, Long> waitNanos, long machine) {

  private static final String SANDBOX =
      "bench JVM (sandbox clusters and their control planes, Kafka, the load)";
  private static final String REST = "MariaDB (and nginx, idle here)";

  static CpuSplit now(AstroSystem system) {
    return now(system, List.of());
  }

  /**
   * As {@link #now(AstroSystem)}, with JVMs a benchmark started beside the system's services (its
   * own sync-worker) as parts of their own. One started after {@code before} counts from its start.
   */
  static CpuSplit now(AstroSystem system, List<ChildJvm> others) {
    Map<String, Long> ticks = new LinkedHashMap<>();
    Map<String, Long> waits = new LinkedHashMap<>();
    long self = ProcessHandle.current().pid();
    ticks.put(SANDBOX, Proc.cpuTicks(self));
    waits.put(SANDBOX, Proc.runQueueNanos(self));
    Set<Long> services = new HashSet<>();
    for (ChildJvm service : Stream.concat(system.services().stream(), others.stream()).toList()) {
      ticks.put(service.name(), Proc.cpuTicks(service.pid()));
      waits.put(service.name(), Proc.runQueueNanos(service.pid()));
      services.add(service.pid());
    }
    long rest = 0;
    long restWait = 0;
    for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
      if (!services.contains(child.pid())) {
        rest += Math.max(0, Proc.cpuTicks(child.pid()));
        restWait += Math.max(0, Proc.runQueueNanos(child.pid()));
      }
    }
    ticks.put(REST, rest);
    waits.put(REST, restWait);
    return new CpuSplit(ticks, waits, Proc.machineBusyTicks());
  }

  /** CPU seconds {@code part} used from {@code before} to this. */
  double seconds(CpuSplit before, String part) {
    return (ticks.getOrDefault(part, 0L) - before.ticks.getOrDefault(part, 0L))
        / Proc.TICKS_PER_SECOND;
  }

  /** Milliseconds {@code part}'s threads waited for a core from {@code before} to this. */
  double waitMillis(CpuSplit before, String part) {
    return (waitNanos.getOrDefault(part, 0L) - before.waitNanos.getOrDefault(part, 0L)) / 1e6;
  }

  /**
   * A table of what each part used from {@code before} to this: cores on average over {@code
   * seconds}, CPU milliseconds per unit of work ({@code units} of {@code unit}), and the
   * milliseconds its threads spent ready to run but waiting for a core, per unit (summed over the
   * threads: two threads waiting 1 ms at once count 2).
   */
  String table(CpuSplit before, double seconds, int units, String unit) {
    StringBuilder md =
        new StringBuilder(
            f(
                """
                | part | cores | CPU ms per %s | waiting for a core, ms per %s |
                |---|---|---|---|
                """,
                unit, unit));
    double sum = 0;
    double waited = 0;
    for (String part : ticks.keySet()) {
      double used = seconds(before, part);
      double wait = waitMillis(before, part);
      sum += used;
      waited += wait;
      md.append(row(part, used, seconds, units, f("%.0f", wait / units)));
    }
    md.append(row("**all of the above**", sum, seconds, units, f("%.0f", waited / units)));
    md.append(
        row(
            "the whole machine",
            (machine - before.machine) / Proc.TICKS_PER_SECOND,
            seconds,
            units,
            "—"));
    return md.toString();
  }

  private static String row(
      String part, double cpuSeconds, double seconds, int units, String waited) {
    return f(
        "| %s | %.2f | %.0f | %s |\n",
        part, cpuSeconds / seconds, 1000 * cpuSeconds / units, waited);
  }
}
