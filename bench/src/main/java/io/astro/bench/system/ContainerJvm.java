package io.astro.bench.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a service's container runs its JVM, read from the repository rather than copied: the {@code
 * ENV} lines of {@code <service>/Dockerfile} ({@code JAVA_OPTS} and any other variable, e.g. {@code
 * MALLOC_ARENA_MAX}) and the memory limit in {@code k8s/base/<service>.yaml}. The JVM gets {@code
 * -XX:MaxRAM=<limit>}, so {@code MaxRAMPercentage} and {@code InitialRAMPercentage} size the heap
 * as the container's limit would, and SerialGC, which the JVM picks by itself in a container under
 * 1792 MB.
 *
 * @param jvmFlags what goes before {@code -jar}
 * @param env variables the Dockerfile sets besides {@code JAVA_OPTS}
 * @param limitMb the container's memory limit
 */
public record ContainerJvm(List<String> jvmFlags, Map<String, String> env, int limitMb) {

  private static final Pattern ENV_LINE = Pattern.compile("^ENV\\s+([A-Z_][A-Z0-9_]*)=(.*)$");
  private static final Pattern LIMIT =
      Pattern.compile("limits:\\s*\\n(?:\\s+\\S+:.*\\n)*?\\s+memory:\\s*(\\d+)Mi");

  /** The container settings of {@code service} in the repository at {@code root}. */
  public static ContainerJvm of(Path root, String service) {
    try {
      List<String> flags = new ArrayList<>();
      Map<String, String> env = new LinkedHashMap<>();
      for (String line : Files.readAllLines(root.resolve(service).resolve("Dockerfile"))) {
        Matcher m = ENV_LINE.matcher(line.trim());
        if (!m.matches()) {
          continue;
        }
        String value = unquote(m.group(2).trim());
        if (m.group(1).equals("JAVA_OPTS")) {
          flags.addAll(Arrays.asList(value.split("\\s+")));
        } else {
          env.put(m.group(1), value);
        }
      }
      String manifest = Files.readString(root.resolve("k8s/base").resolve(service + ".yaml"));
      Matcher limit = LIMIT.matcher(manifest);
      if (!limit.find()) {
        throw new IllegalStateException("k8s/base/" + service + ".yaml: no memory limit in Mi");
      }
      int limitMb = Integer.parseInt(limit.group(1));
      List<String> jvm = new ArrayList<>();
      jvm.add("-XX:MaxRAM=" + limitMb + "m");
      jvm.add("-XX:+UseSerialGC");
      jvm.addAll(flags);
      return new ContainerJvm(List.copyOf(jvm), Map.copyOf(env), limitMb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The heap bound those flags give ({@code MaxRAMPercentage} of the limit), for the report. */
  public int heapMb() {
    for (String flag : jvmFlags) {
      if (flag.startsWith("-XX:MaxRAMPercentage=")) {
        double percent = Double.parseDouble(flag.substring("-XX:MaxRAMPercentage=".length()));
        return (int) (limitMb * percent / 100);
      }
    }
    return limitMb / 4; // the JVM's default MaxRAMPercentage
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1)
        : value;
  }
}
