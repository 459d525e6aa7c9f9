package io.astro.bench.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process facts from Linux's {@code /proc}. */
public final class Proc {

  /** Clock ticks per second of the CPU times {@code /proc} gives (USER_HZ on Linux). */
  public static final double TICKS_PER_SECOND = 100;

  private Proc() {}

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

  /** The number of threads of the process, or -1 when it cannot be read. */
  public static int threads(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("Threads:")) {
          return Integer.parseInt(line.replaceAll("[^0-9]", ""));
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

  /**
   * Seconds of CPU the process's JIT compiler threads have used so far; 0 when none can be read.
   */
  public static double compilerSeconds(long pid) {
    return compilerTicks(pid) / TICKS_PER_SECOND;
  }

  /**
   * utime + stime of the process's JIT compiler threads ({@code C1/C2 CompilerThread*}) in clock
   * ticks; 0 when none can be read.
   */
  public static long compilerTicks(long pid) {
    long sum = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (name.matches("C[12] CompilerThre.*")) {
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            sum += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return sum;
  }

  /**
   * Nanoseconds the process's live threads have so far spent ready to run but waiting for a core
   * (the second field of each {@code /proc/pid/task/tid/schedstat}, the scheduler's run-queue
   * delay); -1 when it cannot be read. A thread that ended takes its share with it.
   */
  public static long runQueueNanos(long pid) {
    long sum = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          sum += Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[1]);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return sum;
  }

  /**
   * Busy CPU ticks of the whole machine so far: the first line of /proc/stat without idle and
   * iowait.
   */
  public static long machineBusyTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * CPU ticks used so far by this process and every live process it started (services, MariaDB,
   * nginx).
   */
  public static long ownTreeTicks() {
    long sum = Math.max(0, cpuTicks(ProcessHandle.current().pid()));
    for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
      sum += Math.max(0, cpuTicks(child.pid()));
    }
    return sum;
  }
}
