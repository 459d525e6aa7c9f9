package io.astro.dev;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What dev mode costs in memory: this JVM (resident and heap in use) and the MariaDB server it runs
 * as a child.
 */
record Memory(long jvmResidentBytes, long heapUsedBytes, long databaseResidentBytes) {

  static Memory now() {
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long database =
        ProcessHandle.current()
            .descendants()
            .filter(
                p ->
                    p.info()
                        .command()
                        .map(c -> c.endsWith("mariadbd") || c.endsWith("mysqld"))
                        .orElse(false))
            .mapToLong(p -> resident(p.pid()).orElse(0L))
            .sum();
    return new Memory(resident(ProcessHandle.current().pid()).orElse(-1L), heap, database);
  }

  /** VmRSS from /proc (Linux); empty elsewhere. */
  private static Optional<Long> resident(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or the process is gone
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    String jvm =
        jvmResidentBytes < 0
            ? "JVM heap " + mib(heapUsedBytes) + " in use"
            : "JVM " + mib(jvmResidentBytes) + " resident (heap " + mib(heapUsedBytes) + " in use)";
    return databaseResidentBytes > 0
        ? jvm + ", MariaDB " + mib(databaseResidentBytes) + " resident"
        : jvm;
  }

  private static String mib(long bytes) {
    return (bytes / (1024 * 1024)) + " MiB";
  }
}
