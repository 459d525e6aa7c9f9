package io.astro.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each service's Dockerfile, read statically (no engine here to build it): a Maven build stage and
 * a JRE 17 stage, pinned base images, a non-root numeric USER, EXPOSE and HEALTHCHECK on the
 * service's own port, the runnable jar from {@code <module>/target/<module>.jar}, and the JVM as
 * PID 1.
 */
class DockerfilesTest {

  record Instruction(String keyword, String args) {}

  static List<String> services() {
    return Repo.SERVICES;
  }

  @ParameterizedTest
  @MethodSource("services")
  void multiStageBuildOnPinnedBases(String service) {
    List<Instruction> all = parse(service);
    List<Instruction> froms = all.stream().filter(i -> i.keyword().equals("FROM")).toList();
    assertThat(froms).as(service + ": a build stage and a runtime stage").hasSize(2);
    for (Instruction from : froms) {
      String image = from.args().split("\\s+")[0];
      assertThat(KubernetesManifestsTest.pinned(image))
          .as(service + " FROM " + image + ": pinned, not latest")
          .isTrue();
    }
    assertThat(froms.get(0).args())
        .as(service + " build stage")
        .startsWith("maven:")
        .contains("temurin-17")
        .endsWith(" AS build");
    assertThat(froms.get(1).args())
        .as(service + " runtime stage")
        .startsWith("eclipse-temurin:17")
        .contains("jre");
    assertThat(all)
        .as(service + ": builds its module with Maven")
        .anyMatch(
            i ->
                i.keyword().equals("RUN")
                    && i.args().contains("mvn ")
                    && i.args().contains("-pl " + service + " -am")
                    && i.args().contains("package"));
    assertThat(all)
        .as(service + ": copies its runnable jar")
        .anyMatch(
            i ->
                i.keyword().equals("COPY")
                    && i.args().contains("--from=build")
                    && i.args().contains("/src/" + service + "/target/" + service + ".jar"));
  }

  @ParameterizedTest
  @MethodSource("services")
  void runsAsNonRootWithAHealthcheckOnItsPort(String service) {
    List<Instruction> runtime = runtimeStage(parse(service));
    int port = ConfigNames.port(service).getValue();
    List<Instruction> users = runtime.stream().filter(i -> i.keyword().equals("USER")).toList();
    assertThat(users).as(service + " USER").isNotEmpty();
    String user = users.get(users.size() - 1).args().split(":")[0];
    assertThat(user)
        .as(service + ": a numeric uid (Kubernetes checks runAsNonRoot on it)")
        .matches("\\d+");
    assertThat(Integer.parseInt(user)).as(service + " uid").isPositive();
    assertThat(runtime)
        .as(service + " EXPOSE " + port)
        .anyMatch(i -> i.keyword().equals("EXPOSE") && i.args().equals(String.valueOf(port)));
    List<Instruction> healthchecks =
        runtime.stream().filter(i -> i.keyword().equals("HEALTHCHECK")).toList();
    assertThat(healthchecks).as(service + " HEALTHCHECK").hasSize(1);
    assertThat(healthchecks.get(0).args())
        .as(service + " HEALTHCHECK")
        .contains("CMD ")
        .contains("127.0.0.1:" + port + "/health");
    Instruction entrypoint =
        runtime.stream()
            .filter(i -> i.keyword().equals("ENTRYPOINT"))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError(service + ": no ENTRYPOINT"));
    assertThat(entrypoint.args())
        .as(service + ": exec form, the JVM replaces the shell (SIGTERM reaches it)")
        .startsWith("[")
        .contains("exec java")
        .contains("/app/" + service + ".jar");
    // JVM sized for containers, writing only to /tmp
    String env =
        String.join(
            " ",
            runtime.stream()
                .filter(i -> i.keyword().equals("ENV"))
                .map(Instruction::args)
                .toList());
    assertThat(env).contains("MaxRAMPercentage", "ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp");
    for (Instruction i : runtime) {
      if (i.keyword().equals("ENV")) {
        String name = i.args().split("[=\\s]")[0];
        // MALLOC_ARENA_MAX is read by glibc's malloc in the JVM process
        assertThat(
                name.equals("JAVA_OPTS")
                    || name.equals("MALLOC_ARENA_MAX")
                    || ConfigNames.of(service).contains(name))
            .as(
                service
                    + " ENV "
                    + name
                    + " is JAVA_OPTS, MALLOC_ARENA_MAX or a name the service reads")
            .isTrue();
      }
    }
    assertThat(runtime)
        .as(service + ": no VOLUME (state lives outside the image)")
        .noneMatch(i -> i.keyword().equals("VOLUME"));
  }

  @ParameterizedTest
  @MethodSource("services")
  void startsFromAClassDataSharingArchiveOfItsClassList(String service) {
    List<Instruction> runtime = runtimeStage(parse(service));
    String source = service + "/src/main/cds/" + service + ".classlist";
    String list = "/app/" + service + ".classlist";
    String archive = "/app/" + service + ".jsa";
    assertThat(Repo.read(source))
        .as(source + ": the classes a start loads, the service's own among them")
        .contains(mainClass(service));
    assertThat(runtime)
        .as(service + ": copies its class list from the build context")
        .anyMatch(
            i ->
                i.keyword().equals("COPY")
                    && !i.args().contains("--from=")
                    && i.args().endsWith(source + " " + list));
    int jar = indexOf(runtime, i -> i.keyword().equals("COPY") && i.args().endsWith(".jar"));
    int dump =
        indexOf(runtime, i -> i.keyword().equals("RUN") && i.args().contains("java -Xshare:dump"));
    assertThat(dump).as(service + ": dumps the archive").isNotNegative();
    // an archive records its jar's path, size and time: dumped once the jar is in place, from it
    assertThat(dump)
        .as(service + ": the archive is dumped after the jar is copied")
        .isGreaterThan(jar);
    assertThat(runtime.get(dump).args())
        .contains(
            "-XX:SharedClassListFile=" + list,
            "-XX:SharedArchiveFile=" + archive,
            "-cp /app/" + service + ".jar");
    assertThat(javaOpts(runtime)).contains("-XX:SharedArchiveFile=" + archive);
  }

  private static String mainClass(String service) {
    String pkg =
        switch (service) {
          case "gateway-service" -> "gateway";
          case "user-service" -> "user";
          case "app-service" -> "app";
          default -> "sync";
        };
    return "io/astro/" + pkg + "/Main";
  }

  private static int indexOf(
      List<Instruction> instructions, java.util.function.Predicate<Instruction> test) {
    for (int i = 0; i < instructions.size(); i++) {
      if (test.test(instructions.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String javaOpts(List<Instruction> runtime) {
    return runtime.stream()
        .filter(i -> i.keyword().equals("ENV") && i.args().startsWith("JAVA_OPTS="))
        .map(Instruction::args)
        .reduce("", (a, b) -> b);
  }

  @ParameterizedTest
  @MethodSource("services")
  void theBuildContextLeavesOutputsAndSecretsBehind(String service) {
    String ignore = Repo.read(".dockerignore");
    assertThat(ignore.lines().map(String::strip)).contains("**/target", ".git", ".env");
    // every module the reactor lists must stay in the context, or Maven cannot read the parent pom
    assertThat(ignore.lines().map(String::strip)).doesNotContain(service, "common", "pom.xml");
  }

  private static List<Instruction> runtimeStage(List<Instruction> all) {
    int last = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).keyword().equals("FROM")) {
        last = i;
      }
    }
    return all.subList(last, all.size());
  }

  /** Instructions with continuation lines joined and comments dropped. */
  static List<Instruction> parse(String service) {
    String text = Repo.read(service + "/Dockerfile");
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continues) {
        String joined = current.toString().strip().replaceAll("\\s+", " ");
        current.setLength(0);
        if (joined.isEmpty()) {
          continue;
        }
        int space = joined.indexOf(' ');
        out.add(
            new Instruction(
                joined.substring(0, space).toUpperCase(Locale.ROOT), joined.substring(space + 1)));
      }
    }
    return out;
  }
}
