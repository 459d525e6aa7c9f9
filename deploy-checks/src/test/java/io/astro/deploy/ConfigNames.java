package io.astro.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The environment variables each service reads, taken from its sources — the one source of truth
 * for configuration names. A deployment file that sets a name no service reads (a typo, a renamed
 * variable) is silently ignored at run time; the checks compare against this instead.
 *
 * <p>Rules: every string literal {@code "ASTRO_..."} in the service module's main sources; a name
 * given to {@code secret("X")} (or read by a file that appends {@code "_FILE"} itself) also as
 * {@code X_FILE}; from {@code common} the logging set-up's (every service logs through it) and only
 * the classes the service actually calls (table {@link #COMMON}). A common class with a new name
 * and no entry here fails loudly.
 */
final class ConfigNames {

  private static final Pattern LITERAL = Pattern.compile("\"(ASTRO_[A-Z0-9_]+)\"");
  private static final Pattern SECRET = Pattern.compile("secret\\(\"(ASTRO_[A-Z0-9_]+)\"\\)");
  private static final Pattern SCRIPT = Pattern.compile("ASTRO_[A-Z0-9_]+");
  private static final Pattern PORT =
      Pattern.compile(
          "HttpSettings\\.from\\(\\s*env,\\s*\"(ASTRO_[A-Z_]+_PORT)\",\\s*(\\d+),\\s*"
              + "\"(ASTRO_[A-Z_]+_MANAGEMENT_PORT)\",\\s*(\\d+)\\)");

  /** common's classes that read configuration → what in a service's source shows it uses them. */
  private static final Map<String, String> COMMON =
      Map.of(
          "HttpSettings.java", "HttpSettings.from(",
          "DbSettings.java", "DbSettings.from(",
          "JwtSettings.java", "JwtSettings.from(",
          "KeyRing.java", "KeyRing.fromEnv(",
          "KafkaSecurity.java", "KafkaSecurity.fromEnv(",
          "ClusterAddressGuard.java", "ClusterAddressGuard.fromEnv(",
          "Env.java", "internalToken()");

  /** common's classes that every service runs: Logback finds it through META-INF/services. */
  private static final String EVERY_SERVICE = "LogConfigurator.java";

  private static final Map<String, Set<String>> BY_SERVICE = new TreeMap<>();

  private ConfigNames() {}

  /** Every variable {@code service} reads. */
  static synchronized Set<String> of(String service) {
    return BY_SERVICE.computeIfAbsent(service, ConfigNames::scan);
  }

  /**
   * The variables dev mode reads or sets: the names in dev/'s main sources and in the {@code astro}
   * launcher script.
   */
  static synchronized Set<String> devMode() {
    return BY_SERVICE.computeIfAbsent(
        "dev mode",
        key -> {
          Set<String> names = new TreeSet<>();
          for (Path file : javaFiles(Repo.path("dev/src/main/java"))) {
            names.addAll(read(Repo.read(file)));
          }
          Matcher m = SCRIPT.matcher(Repo.read("astro"));
          while (m.find()) {
            names.add(m.group());
          }
          return Set.copyOf(names);
        });
  }

  /**
   * The HTTP port a service listens on by default (its {@code HttpSettings.from} call), and its
   * variable.
   */
  static Map.Entry<String, Integer> port(String service) {
    Matcher m = portCall(service);
    return Map.entry(m.group(1), Integer.parseInt(m.group(2)));
  }

  /**
   * The management port ({@code /ready}, {@code /metrics}) a service listens on by default, and its
   * variable.
   */
  static Map.Entry<String, Integer> managementPort(String service) {
    Matcher m = portCall(service);
    return Map.entry(m.group(3), Integer.parseInt(m.group(4)));
  }

  private static Matcher portCall(String service) {
    for (Path file : javaFiles(Repo.path(service + "/src/main/java"))) {
      Matcher m = PORT.matcher(Repo.read(file));
      if (m.find()) {
        return m;
      }
    }
    throw new IllegalStateException(
        "no HttpSettings.from(env, \"ASTRO_..._PORT\", n, \"ASTRO_..._MANAGEMENT_PORT\", m) in "
            + service);
  }

  private static Set<String> scan(String service) {
    Set<String> names = new TreeSet<>();
    StringBuilder own = new StringBuilder();
    for (Path file : javaFiles(Repo.path(service + "/src/main/java"))) {
      String text = Repo.read(file);
      own.append(text).append('\n');
      names.addAll(read(text));
    }
    if (names.isEmpty()) {
      throw new IllegalStateException("no ASTRO_ names found in " + service + ": wrong module?");
    }
    for (Path file :
        Stream.of("common", "common-store", "common-events")
            .flatMap(module -> javaFiles(Repo.path(module + "/src/main/java")).stream())
            .toList()) {
      String text = Repo.read(file);
      Set<String> found = read(text);
      if (found.isEmpty()) {
        continue;
      }
      if (file.getFileName().toString().equals(EVERY_SERVICE)) {
        names.addAll(found);
        continue;
      }
      String trigger = COMMON.get(file.getFileName().toString());
      if (trigger == null) {
        throw new IllegalStateException(
            file + " reads " + found + ": add it to ConfigNames.COMMON (who uses it?)");
      }
      if (own.indexOf(trigger) >= 0) {
        names.addAll(found);
      }
    }
    return Set.copyOf(names);
  }

  private static Set<String> read(String source) {
    Set<String> names = new TreeSet<>();
    Matcher m = LITERAL.matcher(source);
    while (m.find()) {
      names.add(m.group(1));
    }
    boolean appendsFile = source.contains("\"_FILE\"");
    if (appendsFile) {
      for (String name : Set.copyOf(names)) {
        if (!name.endsWith("_FILE")) {
          names.add(name + "_FILE");
        }
      }
    }
    Matcher s = SECRET.matcher(source);
    while (s.find()) {
      names.add(s.group(1) + "_FILE");
    }
    return names;
  }

  private static java.util.List<Path> javaFiles(Path dir) {
    return files(dir, ".java");
  }

  private static java.util.List<Path> files(Path dir, String suffix) {
    if (!Files.isDirectory(dir)) {
      return java.util.List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
