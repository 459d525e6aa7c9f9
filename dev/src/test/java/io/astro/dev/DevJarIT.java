package io.astro.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar as {@code ./astro dev} runs it: the banner once ready, one clear line and a
 * non-zero exit for a second start or a taken port, and SIGTERM stopping everything with exit code
 * 0.
 */
class DevJarIT {

  private static final Path JAR = Path.of("target", "astro-dev.jar");
  private static final Duration START = Duration.ofMinutes(2);
  private final List<Process> started = new ArrayList<>();
  private final Path dir =
      Path.of("target", "jar-it-" + ProcessHandle.current().pid()).toAbsolutePath();

  @AfterEach
  void cleanUp() throws IOException {
    started.forEach(Process::destroyForcibly);
    Utils.delete(dir.toFile());
  }

  @Test
  void runs_refuses_a_second_start_and_a_taken_port_and_stops_cleanly_on_sigterm()
      throws Exception {
    Map<String, String> env = ports();
    Output first = new Output(start(env, dir));
    first.awaitLine("Astro dev mode is up", START);
    assertThat(first.text())
        .contains(
            "web console",
            "http://localhost:" + env.get("ASTRO_GATEWAY_PORT") + "/ ",
            "admin login",
            "kubectl");
    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + env.get("ASTRO_GATEWAY_PORT") + "/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(dir.resolve("sandbox.kubeconfig")).exists();

    Output twice = new Output(start(env, dir));
    assertThat(twice.awaitExit()).isEqualTo(1);
    assertThat(twice.lines())
        .containsExactly(
            "astro dev: Astro dev mode is already running from "
                + dir
                + " (pid "
                + first.process.pid()
                + "); stop it first (Ctrl-C there, or kill "
                + first.process.pid()
                + ")");

    Output portsTaken = new Output(start(env, dir.resolve("other")));
    assertThat(portsTaken.awaitExit()).isEqualTo(1);
    assertThat(portsTaken.lines()).hasSize(1);
    assertThat(portsTaken.lines().get(0))
        .startsWith("astro dev: ports ")
        .contains("(ASTRO_GATEWAY_PORT)")
        .endsWith(
            "already in use; stop what holds them or choose another port with the variable named");

    first.process.toHandle().destroy(); // SIGTERM
    assertThat(first.awaitExit()).isEqualTo(0);
    assertThat(first.text())
        .contains("terminated: stopping Astro dev mode", "stopped in ")
        .doesNotContain("\tat ");
    // no exception named anywhere (a slow machine's "Exceptionally slow controller event" warning
    // is fine)
    assertThat(first.lines()).noneMatch(line -> line.matches(".*\\w+(Exception|Error)\\b.*"));
    assertThat(
            ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dir.toString())))
        .as("nothing of it left running (the database included)")
        .isEmpty();
  }

  private Map<String, String> ports() {
    List<String> variables =
        List.of(
            "ASTRO_GATEWAY_PORT",
            "ASTRO_USER_SERVICE_PORT",
            "ASTRO_APP_SERVICE_PORT",
            "ASTRO_SYNC_WORKER_PORT",
            "ASTRO_DEV_KAFKA_PORT",
            "ASTRO_DEV_KAFKA_CONTROLLER_PORT",
            "ASTRO_DEV_DB_PORT");
    int[] ports = FreePorts.distinct(variables.size());
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < ports.length; i++) {
      env.put(variables.get(i), Integer.toString(ports[i]));
    }
    return env;
  }

  private Process start(Map<String, String> env, Path workDir) throws IOException {
    assertThat(JAR).as("the package phase builds it").exists();
    Files.createDirectories(workDir);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                JAR.toAbsolutePath().toString())
            .redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("ASTRO_DEV_DIR", workDir.toString());
    Process process = builder.start();
    started.add(process);
    return process;
  }

  /** What a process prints, read as it goes. */
  private static final class Output {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    Output(Process process) {
      this.process = process;
      this.reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                      lines.add(line);
                    }
                  }
                } catch (IOException closed) {
                  // the process is gone
                }
              });
      reader.setDaemon(true);
      reader.start();
    }

    void awaitLine(String start, Duration bound) throws InterruptedException {
      long deadline = System.nanoTime() + bound.toNanos();
      while (lines().stream().noneMatch(l -> l.startsWith(start))) {
        assertThat(process.isAlive()).as("exited early:\n%s", text()).isTrue();
        assertThat(System.nanoTime())
            .as("no '%s' within %s:\n%s", start, bound, text())
            .isLessThan(deadline);
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }

    int awaitExit() throws InterruptedException {
      assertThat(process.waitFor(START.toSeconds(), TimeUnit.SECONDS))
          .as("still running:\n%s", text())
          .isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(10));
      return process.exitValue();
    }

    List<String> lines() {
      synchronized (lines) {
        return List.copyOf(lines);
      }
    }

    String text() {
      return String.join("\n", lines());
    }
  }
}
