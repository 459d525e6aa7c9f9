package io.astro.bench.system;

import java.io.IOException;
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
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * One service jar in a JVM of its own, as an operator runs it ({@code java -jar}), with the heap
 * bound its container would give it; output goes to a file so the bench JVM never pays for it.
 * Knows its resident memory and CPU time from {@code /proc}, and its heap from its own {@code
 * /metrics} (on its management port).
 */
public final class ChildJvm implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final Process process;
  private final int port;
  private final int managementPort;
  private final Path log;
  private final long startedNanos;
  private volatile Duration readyAfter;

  private static String managementVariable(String name, int port, Map<String, String> env) {
    return env.entrySet().stream()
        .filter(
            e ->
                e.getKey().endsWith("_PORT")
                    && !e.getKey().endsWith("_MANAGEMENT_PORT")
                    && e.getValue().equals(Integer.toString(port)))
        .map(
            e -> e.getKey().substring(0, e.getKey().length() - "PORT".length()) + "MANAGEMENT_PORT")
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(name + ": no variable names port " + port));
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private ChildJvm(
      String name, Process process, int port, int managementPort, Path log, long startedNanos) {
    this.managementPort = managementPort;
    this.name = name;
    this.process = process;
    this.port = port;
    this.log = log;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts {@code jar} with {@code env} (which must name its port) and the JVM flags and variables
   * of its container ({@link ContainerJvm}: the Dockerfile's, sized by the k8s memory limit).
   */
  public static ChildJvm start(
      String name,
      Path jar,
      int port,
      ContainerJvm container,
      Map<String, String> env,
      Path logDir,
      List<String> extraJvmArgs) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " does not exist: build first (./mvnw -B -ntp -o package -DskipTests -pl bench -am)");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(container.jvmFlags());
    command.addAll(extraJvmArgs);
    command.addAll(List.of("-jar", jar.toString()));
    Path logFile = logDir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    builder.environment().putAll(container.env());
    builder.environment().putAll(env);
    try {
      // /ready and /metrics are on the management port: a free one, in the variable beside the
      // port's (ASTRO_X_PORT → ASTRO_X_MANAGEMENT_PORT)
      int management = freePort();
      builder.environment().put(managementVariable(name, port, env), Integer.toString(management));
      Files.createDirectories(logDir);
      long started = System.nanoTime();
      return new ChildJvm(name, builder.start(), port, management, logFile, started);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * Polls {@code /ready} every 20 ms until it answers 200; answers (and keeps) the time since the
   * process started.
   */
  public Duration awaitReady(Duration bound) {
    long deadline = startedNanos + bound.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + "; see " + log);
      }
      try {
        if (getManagement("/ready").statusCode() == 200) {
          readyAfter = Duration.ofNanos(System.nanoTime() - startedNanos);
          return readyAfter;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " not ready within " + bound + "; see " + log);
      }
      sleep(20);
    }
  }

  public Duration readyAfter() {
    return readyAfter;
  }

  public HttpResponse<String> get(String path) throws IOException {
    return send(url() + path);
  }

  /** A GET on the management port ({@code /ready}, {@code /metrics}). */
  public HttpResponse<String> getManagement(String path) throws IOException {
    return send("http://127.0.0.1:" + managementPort + path);
  }

  private HttpResponse<String> send(String url) throws IOException {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The Prometheus text of {@code /metrics}. */
  public String metrics() {
    try {
      return getManagement("/metrics").body();
    } catch (IOException e) {
      throw new IllegalStateException(name + " /metrics: " + e.getMessage(), e);
    }
  }

  /** Sum of the samples of {@code metric} whose label text contains every one of {@code labels}. */
  public static OptionalDouble sample(String metrics, String metric, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : metrics.lines().toList()) {
      if (line.startsWith("#")
          || !(line.startsWith(metric + "{") || line.startsWith(metric + " "))) {
        continue;
      }
      String series = line.substring(0, line.lastIndexOf(' '));
      boolean all = true;
      for (String label : labels) {
        all &= series.contains(label);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }

  /** Heap in use now, from the service's JVM metrics. */
  public long heapUsedBytes() {
    return (long) sample(metrics(), "jvm_memory_used_bytes", "area=\"heap\"").orElse(-1);
  }

  /** Heap in use right after a full collection (jcmd GC.run): what the service really holds. */
  public long liveHeapBytes() {
    jcmd("GC.run");
    return heapUsedBytes();
  }

  public void jcmd(String... command) {
    jcmdOutput(command);
  }

  /** What {@code jcmd <pid> command} prints. */
  public String jcmdOutput(String... command) {
    List<String> args =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid())));
    args.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
      // read before waiting: a full pipe would stall jcmd
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(
          "jcmd " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Where this service's log (and the files the bench writes beside it) go. */
  public Path logDir() {
    return log.getParent();
  }

  /** Threads the process has now. */
  public int threads() {
    return Proc.threads(pid());
  }

  /** VmRSS from /proc. */
  public long residentBytes() {
    return Proc.residentBytes(pid());
  }

  /** User + system CPU time the process has used so far. */
  public double cpuSeconds() {
    return Proc.cpuTicks(pid()) / Proc.TICKS_PER_SECOND;
  }

  /** CPU seconds its JIT compiler threads used so far. */
  public double compilerCpuSeconds() {
    return Proc.compilerSeconds(pid());
  }

  /** SIGTERM, as an orchestrator stops it; killed if it has not exited within the bound. */
  public void stop(Duration bound) {
    process.toHandle().destroy();
    try {
      if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(20));
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
