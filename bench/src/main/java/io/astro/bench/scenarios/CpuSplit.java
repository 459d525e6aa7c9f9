package io.astro.bench.scenarios;

import static io.astro.bench.Report.f;

import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.ChildJvm;
import io.astro.bench.system.Proc;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * CPU ticks used so far by each part of the system: this JVM (the sandbox clusters with their
 * simulated control planes, the Kafka broker, the load and the event tap), each service, the rest
 * of what this run started (MariaDB, nginx), and the whole machine. Two of them make a window's
 * split, so a latency measured under load can be read against what the machine spent and who spent
 * it.
 */
record CpuSplit(Map<String, Long> ticks, long machine) {

  private static final String SANDBOX =
      "bench JVM (sandbox clusters and their control planes, Kafka, the load)";
  private static final String REST = "MariaDB (and nginx, idle here)";
  private static final double TICKS_PER_SECOND = 100;

  static CpuSplit now(AstroSystem system) {
    Map<String, Long> ticks = new LinkedHashMap<>();
    ticks.put(SANDBOX, Proc.cpuTicks(ProcessHandle.current().pid()));
    Set<Long> services = new HashSet<>();
    for (ChildJvm service : system.services()) {
      ticks.put(service.name(), Proc.cpuTicks(service.pid()));
      services.add(service.pid());
    }
    long rest = 0;
    for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
      if (!services.contains(child.pid())) {
        rest += Math.max(0, Proc.cpuTicks(child.pid()));
      }
    }
    ticks.put(REST, rest);
    return new CpuSplit(ticks, Proc.machineBusyTicks());
  }

  /**
   * A table of what each part used from {@code before} to this: cores on average over {@code
   * seconds}, and CPU milliseconds per unit of work ({@code units} of {@code unit}).
   */
  String table(CpuSplit before, double seconds, int units, String unit) {
    StringBuilder md =
        new StringBuilder(f("| part | cores | CPU ms per %s |\n|---|---|---|\n", unit));
    double sum = 0;
    for (Map.Entry<String, Long> part : ticks.entrySet()) {
      double used =
          (part.getValue() - before.ticks.getOrDefault(part.getKey(), 0L)) / TICKS_PER_SECOND;
      sum += used;
      md.append(row(part.getKey(), used, seconds, units));
    }
    md.append(row("**all of the above**", sum, seconds, units));
    md.append(
        row("the whole machine", (machine - before.machine) / TICKS_PER_SECOND, seconds, units));
    return md.toString();
  }

  private static String row(String part, double cpuSeconds, double seconds, int units) {
    return f("| %s | %.2f | %.0f |\n", part, cpuSeconds / seconds, 1000 * cpuSeconds / units);
  }
}
