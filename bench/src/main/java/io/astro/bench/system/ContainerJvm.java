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
import java.util.concurrent.TimeUnit;
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
 * <p>When the image dumps a class-data sharing archive ({@code RUN java -Xshare:dump ...}) and its
 * {@code JAVA_OPTS} name it ({@code -XX:SharedArchiveFile}), {@link #withArchive} runs the same
 * dump here, against the jar the bench runs (an archive is bound to its jar's path, size and time),
 * with the files the Dockerfile copies into {@code /app} taken from the repository.
 *
 * @param jvmFlags what goes before {@code -jar}
 * @param env variables the Dockerfile sets besides {@code JAVA_OPTS}
 * @param limitMb the container's memory limit
 * @param archiveDump the Dockerfile's {@code java -Xshare:dump} arguments (paths as in the image),
 *     empty when it makes no archive
 * @param copies what the Dockerfile copies from the build context: path in the image to path in the
 *     repository
 */
public record ContainerJvm(
    List<String> jvmFlags,
    Map<String, String> env,
    int limitMb,
    List<String> archiveDump,
    Map<String, Path> copies) {

  private static final Pattern ENV_LINE = Pattern.compile("^ENV\\s+([A-Z_][A-Z0-9_]*)=(.*)$");
  private static final Pattern LIMIT =
      Pattern.compile("limits:\\s*\\n(?:\\s+\\S+:.*\\n)*?\\s+memory:\\s*(\\d+)Mi");
  private static final String ARCHIVE_FLAG = "-XX:SharedArchiveFile=";
  private static final String IMAGE_DIR = "/app/";

  /** The container settings of {@code service} in the repository at {@code root}. */
  public static ContainerJvm of(Path root, String service) {
    try {
      List<String> flags = new ArrayList<>();
      Map<String, String> env = new LinkedHashMap<>();
      List<String> dump = List.of();
      Map<String, Path> copies = new LinkedHashMap<>();
      for (String line : instructions(root.resolve(service).resolve("Dockerfile"))) {
        Matcher m = ENV_LINE.matcher(line);
        if (m.matches()) {
          String value = unquote(m.group(2).trim());
          if (m.group(1).equals("JAVA_OPTS")) {
            flags.addAll(Arrays.asList(value.split("\\s+")));
          } else {
            env.put(m.group(1), value);
          }
        } else if (line.startsWith("RUN ") && line.contains(" -Xshare:dump")) {
          // the java command's arguments, up to the next command of the line if any
          List<String> words = Arrays.asList(line.split("\\s+"));
          int end = words.indexOf("&&");
          dump =
              List.copyOf(words.subList(words.indexOf("java") + 1, end < 0 ? words.size() : end));
        } else if (line.startsWith("COPY ") && !line.contains("--from=")) {
          // COPY [--chown=… --chmod=…] <source in the build context> <destination>
          List<String> words =
              Arrays.stream(line.split("\\s+")).skip(1).filter(w -> !w.startsWith("--")).toList();
          if (words.size() == 2) {
            copies.put(words.get(1), root.resolve(words.get(0)));
          }
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
      return new ContainerJvm(List.copyOf(jvm), Map.copyOf(env), limitMb, dump, Map.copyOf(copies));
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

  /**
   * These settings for {@code jar}: the image's class-data sharing archive dumped here into {@code
   * dir} as the Dockerfile dumps it, and {@code -XX:SharedArchiveFile} naming that copy. Unchanged
   * when the image has no archive.
   */
  public ContainerJvm withArchive(Path jar, Path dir) {
    if (archiveDump.isEmpty()) {
      return this;
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String word : archiveDump) {
      command.add(local(word, jar, dir));
    }
    List<String> flags = new ArrayList<>();
    for (String flag : jvmFlags) {
      flags.add(flag.startsWith(ARCHIVE_FLAG) ? local(flag, jar, dir) : flag);
    }
    try {
      Files.createDirectories(dir);
      Path log = dir.resolve(jar.getFileName() + ".cds.log");
      Process dump =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
              .start();
      if (!dump.waitFor(5, TimeUnit.MINUTES) || dump.exitValue() != 0) {
        dump.destroyForcibly();
        throw new IllegalStateException(
            "class-data sharing dump for " + jar.getFileName() + " failed; see " + log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return new ContainerJvm(List.copyOf(flags), env, limitMb, archiveDump, copies);
  }

  /** These settings without the image's class-data sharing archive. */
  public ContainerJvm withoutArchive() {
    List<String> flags = jvmFlags.stream().filter(f -> !f.startsWith(ARCHIVE_FLAG)).toList();
    return new ContainerJvm(flags, env, limitMb, List.of(), copies);
  }

  /**
   * {@code word} with its image path made local: the jar is {@code jar}, a file copied from the
   * build context is the repository's, anything else the image writes goes to {@code dir}.
   */
  private String local(String word, Path jar, Path dir) {
    int at = word.indexOf(IMAGE_DIR);
    if (at < 0) {
      return word;
    }
    String inImage = word.substring(at);
    String name = inImage.substring(IMAGE_DIR.length());
    Path here;
    if (name.equals(jar.getFileName().toString())) {
      here = jar;
    } else if (copies.containsKey(inImage)) {
      here = copies.get(inImage);
    } else {
      here = dir.resolve(name);
    }
    return word.substring(0, at) + here;
  }

  /** The Dockerfile's instructions, continuation lines joined, comments left out. */
  private static List<String> instructions(Path dockerfile) throws IOException {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : Files.readAllLines(dockerfile)) {
      String line = raw.strip();
      if (line.startsWith("#")) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continues) {
        String joined = current.toString().strip().replaceAll("\\s+", " ");
        current.setLength(0);
        if (!joined.isEmpty()) {
          out.add(joined);
        }
      }
    }
    return out;
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1)
        : value;
  }
}
