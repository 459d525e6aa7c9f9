package io.astro.testkit.service;

import io.astro.common.runtime.DaemonThreads;
import io.astro.testkit.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service jar started the way operators start it ({@code java -jar}), with its output captured,
 * stopped the way orchestrators stop it (SIGTERM).
 */
public final class ServiceProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final int port;
  private final int managementPort;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  private ServiceProcess(Process process, int port, int managementPort) {
    this.managementPort = managementPort;
    this.process = process;
    this.port = port;
    this.reader = DaemonThreads.thread("service-output", () -> drain(process.getInputStream()));
    reader.start();
  }

  /**
   * Starts {@code jar} listening on a free port handed over in {@code portVariable}, and its
   * management port on another in the matching {@code ..._MANAGEMENT_PORT} variable.
   */
  public static ServiceProcess start(Path jar, String portVariable, Map<String, String> env)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: run the package phase first");
    }
    int[] ports = FreePorts.distinct(2);
    int port = ports[0];
    int management = ports[1];
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(java, "-jar", jar.toString()).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put(portVariable, Integer.toString(port));
    builder.environment().put(managementVariable(portVariable), Integer.toString(management));
    return new ServiceProcess(builder.start(), port, management);
  }

  /** {@code ASTRO_GATEWAY_PORT} → {@code ASTRO_GATEWAY_MANAGEMENT_PORT}. */
  public static String managementVariable(String portVariable) {
    if (!portVariable.endsWith("_PORT")) {
      throw new IllegalArgumentException(portVariable + " does not end in _PORT");
    }
    return portVariable.substring(0, portVariable.length() - "PORT".length()) + "MANAGEMENT_PORT";
  }

  /** A GET of {@code path} on the management port ({@code /ready}, {@code /metrics}). */
  public HttpResponse<String> getManagement(String path) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).GET());
  }

  /** Polls {@code /health} until it answers 200, the process dies, or the bound passes. */
  public void awaitHealthy(Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "service exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        if (get("/health").statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // keep polling until the bound
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new IllegalStateException("service not healthy within " + bound + ":\n" + output());
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /**
   * Sends SIGTERM and waits for the exit code; -1 if it did not exit within the bound (then it is
   * killed).
   */
  public int terminate(Duration bound) throws InterruptedException {
    // Process.destroy() would also close our end of its stdout and lose the shutdown lines
    process.toHandle().destroy();
    if (process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      reader.join(bound.toMillis());
      return process.exitValue();
    }
    process.destroyForcibly();
    return -1;
  }

  /** Everything the process printed so far, one entry a line. */
  public List<String> outputLines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  public String output() {
    return String.join("\n", outputLines());
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private void drain(InputStream in) {
    try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
        }
      }
    } catch (IOException closed) {
      // the process is gone; what was read is kept
    }
  }
}
