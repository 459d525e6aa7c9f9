package io.astro.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration tables and the code agree both ways: every variable a service reads
 * (as {@link ConfigNames} finds it in the sources) is documented, and every documented variable is
 * read. The tables are the one place a variable is described; docs/ points to them.
 *
 * <p>Table layout: under {@code ## Configuration}, one table per bold heading ({@code **Dev
 * mode**}, {@code **Every service**}, then one per service); the first column holds the full names
 * in backticks, so a name can be found with grep.
 */
class ReadmeConfigurationTest {

  private static final String SHARED = "Every service";
  private static final String DEV = "Dev mode";
  private static final Pattern HEADING = Pattern.compile("^\\*\\*([^*]+)\\*\\*", Pattern.MULTILINE);
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern NAME = Pattern.compile("ASTRO_[A-Z0-9_]+");

  /** Heading → the names in the first column of its table. */
  private static final Map<String, Set<String>> TABLES = tables();

  @Test
  void hasATablePerServiceAndTheSharedAndDevModeOnes() {
    assertThat(TABLES.keySet())
        .containsExactlyInAnyOrder(
            DEV, SHARED, "user-service", "gateway-service", "app-service", "sync-worker");
  }

  @Test
  void everyVariableAServiceReadsIsDocumented() {
    for (String service : Repo.SERVICES) {
      Set<String> documented = new TreeSet<>(TABLES.get(service));
      documented.addAll(TABLES.get(SHARED));
      assertThat(documented)
          .as(
              service
                  + " reads these; README's "
                  + service
                  + " (or Every service) table must say so")
          .containsAll(ConfigNames.of(service));
    }
  }

  @Test
  void everyDocumentedServiceVariableIsRead() {
    Set<String> readByAny = new TreeSet<>();
    for (String service : Repo.SERVICES) {
      assertThat(ConfigNames.of(service))
          .as("README's " + service + " table documents names " + service + " does not read")
          .containsAll(TABLES.get(service));
      readByAny.addAll(ConfigNames.of(service));
    }
    assertThat(readByAny)
        .as("README's Every service table documents names no service reads")
        .containsAll(TABLES.get(SHARED));
  }

  @Test
  void theSharedTableHoldsNoNameASingleServiceTableHoldsToo() {
    for (String service : Repo.SERVICES) {
      assertThat(TABLES.get(service))
          .as("described twice: in Every service and in " + service)
          .doesNotContainAnyElementsOf(TABLES.get(SHARED));
    }
  }

  /**
   * Dev mode's own variables (read by dev/ or the {@code astro} script and by no service) are in
   * its table, and its table names only what dev mode reads.
   */
  @Test
  void devModesTableMatchesWhatDevModeReads() {
    Set<String> devReads = ConfigNames.devMode();
    Set<String> serviceNames = new TreeSet<>();
    Repo.SERVICES.forEach(s -> serviceNames.addAll(ConfigNames.of(s)));
    Set<String> devOnly = new TreeSet<>(devReads);
    devOnly.removeAll(serviceNames);
    assertThat(TABLES.get(DEV))
        .as("dev mode reads these; README's Dev mode table must say so")
        .containsAll(devOnly);
    assertThat(devReads)
        .as("README's Dev mode table documents names dev mode does not read")
        .containsAll(TABLES.get(DEV));
  }

  private static Map<String, Set<String>> tables() {
    String readme = Repo.read("README.md");
    int start = readme.indexOf("\n## Configuration\n");
    assertThat(start).as("README has a ## Configuration section").isPositive();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    Map<String, Set<String>> tables = new LinkedHashMap<>();
    Matcher heading = HEADING.matcher(section);
    String current = null;
    int from = 0;
    while (true) {
      boolean found = heading.find();
      if (current != null) {
        tables.put(
            current, names(section.substring(from, found ? heading.start() : section.length())));
      }
      if (!found) {
        return tables;
      }
      current = heading.group(1).strip();
      from = heading.end();
    }
  }

  /** The names in the first column of the table in {@code text}. */
  private static Set<String> names(String text) {
    Set<String> names = new TreeSet<>();
    for (String line : text.split("\n", -1)) {
      if (!line.startsWith("|") || line.startsWith("|---") || line.startsWith("| variable")) {
        continue;
      }
      String first = line.substring(1, line.indexOf('|', 1));
      Matcher code = CODE.matcher(first);
      while (code.find()) {
        String name = code.group(1);
        if (name.equals("JAVA_HOME")) {
          continue;
        }
        assertThat(name)
            .as(
                "README configuration tables name variables in full, one per backtick pair: "
                    + line)
            .matches(NAME);
        names.add(name);
      }
    }
    return names;
  }
}
