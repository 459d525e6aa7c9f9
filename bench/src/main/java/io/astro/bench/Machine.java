package io.astro.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where and with what a run happened: date, cores, memory, load, Java and the dependency versions.
 */
final class Machine {

  private Machine() {}

  static String describe() {
    StringBuilder md = new StringBuilder("| | |\n|---|---|\n");
    row(
        md,
        "date",
        ZonedDateTime.now(ZoneId.systemDefault()).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    row(md, "nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
    row(md, "CPU", first("/proc/cpuinfo", "model name"));
    row(md, "memory", first("/proc/meminfo", "MemTotal"));
    row(md, "load average at start", loadAverage());
    row(
        md,
        "Java",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    row(md, "dependencies", versions());
    return md.toString();
  }

  /** The 1, 5 and 15 minute load averages: other work on the machine during a run shows here. */
  static String loadAverage() {
    String[] f = read("/proc/loadavg").split(" ");
    return f.length < 3 ? "unknown" : f[0] + " " + f[1] + " " + f[2];
  }

  static String versions() {
    Properties p = new Properties();
    try (InputStream in = Machine.class.getResourceAsStream("/bench-versions.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    StringBuilder s = new StringBuilder();
    new TreeMap<>(p)
        .forEach((k, v) -> s.append(s.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
    return s.toString();
  }

  private static void row(StringBuilder md, String name, String value) {
    md.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }

  private static String first(String file, String key) {
    try {
      return Files.readAllLines(Path.of(file)).stream()
          .filter(l -> l.startsWith(key))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file)).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
