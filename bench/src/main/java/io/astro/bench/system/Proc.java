package io.astro.bench.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process facts from Linux's {@code /proc}. */
public final class Proc {

  private Proc() {
  }

  /** VmRSS of the process, or -1 when it cannot be read. */
  public static long residentBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone, or not Linux
    }
    return -1;
  }

  /** utime + stime of the process in clock ticks (fields 14 and 15 of /proc/pid/stat), or -1. */
  public static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name (field 2) may hold spaces: count fields after its closing parenthesis
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
