package io.astro.bench.system;

import io.astro.dev.Backing;
import io.astro.dev.DevOptions;
import io.astro.dev.Wiring;
import io.astro.dev.Workspace;
import io.astro.testkit.db.MySqlServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Astro as the benchmarks run it: dev mode's backing services (embedded MariaDB, Kafka broker,
 * sandbox cluster) in this JVM, wired by dev mode's {@link Wiring}, and each of the four services
 * as its own jar in a child JVM — started one after the other, so each start-up is measured alone.
 */
public final class AstroSystem implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AstroSystem.class);
  private static final Duration READY_BOUND = Duration.ofMinutes(2);

  public static final String USER_SERVICE = "user-service";
  public static final String APP_SERVICE = "app-service";
  public static final String SYNC_WORKER = "sync-worker";
  public static final String GATEWAY = "gateway-service";

  /** The services, in the order they start. */
  private static final List<String> SERVICES =
      List.of(USER_SERVICE, APP_SERVICE, SYNC_WORKER, GATEWAY);

  /**
   * The limits the benchmarks must not run into: rates, quotas and login throttling raised well
   * past the load.
   */
  public static final Map<String, String> RAISED_LIMITS =
      Map.ofEntries(
          Map.entry("ASTRO_GATEWAY_USER_RATE", "1000000"),
          Map.entry("ASTRO_GATEWAY_AUTH_RATE", "1000000"),
          Map.entry("ASTRO_MAX_APPS_PER_USER", "10000"),
          // the list benchmark gives one user 1 000 apps, all in one namespace
          Map.entry("ASTRO_NAMESPACE_QUOTA_PODS", "10000"),
          Map.entry("ASTRO_NAMESPACE_QUOTA_CPU", "10000"),
          Map.entry("ASTRO_NAMESPACE_QUOTA_MEMORY", "64Ti"),
          Map.entry("ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE", "64Ti"),
          Map.entry("ASTRO_LOGIN_MAX_FAILURES", "1000"),
          Map.entry("ASTRO_LOGIN_IP_MAX_FAILURES", "1000000"),
          Map.entry("ASTRO_SIGNUP_MAX_PER_IP", "1000000"),
          Map.entry("ASTRO_WRITE_LIMIT_PER_USER", "1000000"),
          Map.entry("ASTRO_WRITE_LIMIT_PER_APP_ACTION", "100000"));

  private static final String DUMP_CLASS_LIST = "-XX:DumpLoadedClassList=";

  private static final Map<String, Function<Wiring, Map<String, String>>> ENVIRONMENTS =
      Map.of(
          USER_SERVICE, Wiring::userService,
          APP_SERVICE, Wiring::appService,
          SYNC_WORKER, Wiring::syncWorker,
          GATEWAY, Wiring::gateway);

  private final Workspace workspace;
  private final Backing backing;
  private final Wiring wiring;
  private final Path jars;
  private final Path root;
  private final Map<String, ChildJvm> services = new LinkedHashMap<>();
  private final Map<String, Integer> ports = new HashMap<>();
  private final Map<String, ContainerJvm> containers = new HashMap<>();

  /** Copies of the baseline checkout's jars, or null. */
  private final Path baselineJars;

  private final Map<String, ContainerJvm> baselineContainers = new HashMap<>();

  private AstroSystem(
      Workspace workspace,
      Backing backing,
      Wiring wiring,
      Path jars,
      Path baselineJars,
      Path root) {
    this.root = root;
    this.workspace = workspace;
    this.backing = backing;
    this.wiring = wiring;
    this.jars = jars;
    this.baselineJars = baselineJars;
  }

  /**
   * Starts the backing services in this JVM, then the four services, each awaited before the next.
   *
   * @param baseline another checkout, built, or null: benchmark 6 restarts each service from its
   *     jars (with its Dockerfiles' flags) in turn with {@code root}'s
   */
  public static AstroSystem start(Path root, Path baseline, Path dir) {
    Workspace workspace = Workspace.open(dir);
    workspace.lock();
    workspace.reset();
    Path jars = copyJars(root, dir.resolve("jars"));
    Path baselineJars = baseline == null ? null : copyJars(baseline, dir.resolve("jars-baseline"));
    Map<String, String> env = new HashMap<>(RAISED_LIMITS);
    DevOptions options =
        new DevOptions(
            dir,
            true,
            null,
            "127.0.0.1",
            new DevOptions.Ports(
                freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort()),
            env);
    // the images' class-data sharing archives (none while the lists they are made from are
    // written) are made while the broker and the database start: one JVM of several seconds each
    ExecutorService dumps = Executors.newFixedThreadPool(SERVICES.size());
    Map<String, Future<ContainerJvm>> containers = new HashMap<>();
    Map<String, Future<ContainerJvm>> baselineContainers = new HashMap<>();
    for (String service : SERVICES) {
      containers.put(service, dumps.submit(() -> container(root, service, jars)));
      if (baseline != null) {
        baselineContainers.put(
            service, dumps.submit(() -> container(baseline, service, baselineJars)));
      }
    }
    Backing backing;
    try {
      backing = Backing.start(options, workspace);
    } catch (RuntimeException e) {
      dumps.shutdownNow();
      throw e;
    }
    Wiring wiring =
        new Wiring(
            options,
            backing,
            workspace.signingKeys(),
            workspace.admin(null, null),
            Workspace.randomText(32),
            workspace.kubeconfigKeys());
    AstroSystem system = new AstroSystem(workspace, backing, wiring, jars, baselineJars, root);
    try {
      for (String service : SERVICES) {
        system.containers.put(service, containers.get(service).get());
      }
      for (Map.Entry<String, Future<ContainerJvm>> b : baselineContainers.entrySet()) {
        system.baselineContainers.put(b.getKey(), b.getValue().get());
      }
    } catch (ExecutionException e) {
      system.close();
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      system.close();
      throw new IllegalStateException("interrupted", e);
    } finally {
      dumps.shutdownNow();
    }
    system.ports.putAll(
        Map.of(
            USER_SERVICE,
            options.ports().userService(),
            APP_SERVICE,
            options.ports().appService(),
            SYNC_WORKER,
            options.ports().syncWorker(),
            GATEWAY,
            options.ports().gateway()));
    try {
      for (String service : SERVICES) {
        system.startService(service, true);
      }
      return system;
    } catch (RuntimeException e) {
      system.close();
      throw e;
    }
  }

  /** The service as its Dockerfile in {@code checkout} runs it, its jar copied to {@code jars}. */
  private static ContainerJvm container(Path checkout, String service, Path jars) {
    ContainerJvm container = ContainerJvm.of(checkout, service);
    return classLists()
        ? container.withoutArchive()
        : container.withArchive(jars.resolve(service + ".jar"), jars);
  }

  private void startService(String name, boolean first) {
    startService(name, first, false);
  }

  private void startService(String name, boolean first, boolean baseline) {
    List<String> flags = new ArrayList<>(profiling(name, workspace.logs()));
    if (!first) {
      // the class list is the first start's: migrations into an empty schema included
      flags.removeIf(flag -> flag.startsWith(DUMP_CLASS_LIST));
    }
    ChildJvm child =
        ChildJvm.start(
            name,
            (baseline ? baselineJars : jars).resolve(name + ".jar"),
            ports.get(name),
            (baseline ? baselineContainers : containers).get(name),
            ENVIRONMENTS.get(name).apply(wiring),
            workspace.logs(),
            flags);
    services.put(name, child);
    Duration ready = child.awaitReady(READY_BOUND);
    LOG.info("{} ready after {} ms", name, ready.toMillis());
  }

  /**
   * Flags the bench adds for a look inside {@code name} (none by default, so a run measures what
   * the image runs):
   *
   * <ul>
   *   <li>{@code BENCH_JFR=gateway-service,app-service} records those services with JFR's profiling
   *       settings into {@code <logs>/<service>.jfr} (written when the service stops): where a
   *       missed goal's time goes.
   *   <li>{@code BENCH_NMT=app-service,sync-worker} turns on native memory tracking; benchmark 6
   *       then reads each one's summary (also in {@code <logs>/<service>.nmt.txt}): where the
   *       resident memory goes.
   *   <li>{@code BENCH_CLASSLIST=1} runs every service without class-data sharing, writing the
   *       classes it loads; when the run ends they become {@code
   *       <service>/src/main/cds/<service>.classlist}, the lists the images' archives are dumped
   *       from.
   * </ul>
   */
  public static List<String> profiling(String name, Path logs) {
    List<String> flags = new ArrayList<>();
    if (listed("BENCH_JFR", name)) {
      flags.add(
          "-XX:StartFlightRecording=settings=profile,filename=" + logs.resolve(name + ".jfr"));
    }
    if (listed("BENCH_NMT", name)) {
      flags.add("-XX:NativeMemoryTracking=summary");
    }
    if (classLists()) {
      flags.add("-Xshare:off");
      flags.add(DUMP_CLASS_LIST + logs.resolve(name + ".classlist"));
    }
    return flags;
  }

  /** Whether {@code BENCH_NMT} names {@code service}. */
  public static boolean tracksNativeMemory(String service) {
    return listed("BENCH_NMT", service);
  }

  private static boolean listed(String variable, String name) {
    String wanted = System.getenv().getOrDefault(variable, "");
    return Arrays.asList(wanted.split(",")).contains(name);
  }

  /**
   * Whether the system was started with a baseline checkout, whose jars {@link #restartBaseline}
   * runs.
   */
  public boolean hasBaseline() {
    return baselineJars != null;
  }

  private static boolean classLists() {
    return !System.getenv().getOrDefault("BENCH_CLASSLIST", "").isBlank();
  }

  /** {@code BENCH_CLASSLIST}: each service's list of loaded classes into its module. */
  private void keepClassLists() {
    for (String service : SERVICES) {
      Path list = workspace.logs().resolve(service + ".classlist");
      if (!Files.isRegularFile(list)) {
        continue;
      }
      Path into = root.resolve(service).resolve("src/main/cds").resolve(service + ".classlist");
      try {
        Files.createDirectories(into.getParent());
        Files.copy(list, into, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("{}: class list written to {}", service, into);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Stops a service (SIGTERM), e.g. the sync-worker once no more apps should reach the cluster. */
  public void stopService(String name) {
    ChildJvm child = services.remove(name);
    if (child != null) {
      child.stop(Duration.ofSeconds(30));
    }
  }

  /**
   * Stops a service (SIGTERM) and starts it again on the same port, against the schema and topics
   * its first start left; answers its time from process start to ready.
   */
  public Duration restartService(String name) {
    stopService(name);
    startService(name, false);
    return service(name).readyAfter();
  }

  /** {@link #restartService} with the baseline checkout's jar of the service. */
  public Duration restartBaseline(String name) {
    if (baselineJars == null) {
      throw new IllegalStateException("started without a baseline checkout");
    }
    stopService(name);
    startService(name, false, true);
    return service(name).readyAfter();
  }

  // a build during the run rewrites target/*.jar in place; the children run copies
  private static Path copyJars(Path root, Path into) {
    try {
      Files.createDirectories(into);
      for (String module : SERVICES) {
        Path jar = root.resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
          throw new IllegalStateException(
              jar + " is missing: build first (./mvnw -B -ntp install -DskipTests)");
        }
        Files.copy(jar, into.resolve(module + ".jar"), StandardCopyOption.REPLACE_EXISTING);
      }
      return into;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ChildJvm service(String name) {
    ChildJvm child = services.get(name);
    if (child == null) {
      throw new IllegalStateException(name + " is not running");
    }
    return child;
  }

  public List<ChildJvm> services() {
    return new ArrayList<>(services.values());
  }

  public String url(String service) {
    return "http://127.0.0.1:" + ports.get(service);
  }

  public int port(String service) {
    return ports.get(service);
  }

  public Backing backing() {
    return backing;
  }

  public MySqlServer database() {
    return backing.database();
  }

  public String kafkaBootstrap() {
    return backing.kafka().bootstrapServers();
  }

  /** How {@code service}'s container runs its JVM (its Dockerfile and k8s limit). */
  public ContainerJvm container(String service) {
    return containers.get(service);
  }

  public Path dir() {
    return workspace.dir();
  }

  /** The edge first, then the rest; then the cluster, broker and database. */
  @Override
  public void close() {
    for (String name : List.of(GATEWAY, APP_SERVICE, SYNC_WORKER, USER_SERVICE)) {
      try {
        stopService(name);
      } catch (RuntimeException e) {
        LOG.warn("stopping {}: {}", name, e.toString());
      }
    }
    if (classLists()) {
      keepClassLists();
    }
    backing.close();
    workspace.close();
  }

  /**
   * A port free now, below Linux's ephemeral range (32768+): a port handed out by the kernel for
   * "any free port" can be taken by some outgoing connection (a Kafka client, another test) in the
   * seconds before a child JVM binds it.
   */
  public static int freePort() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = random.nextInt(20_000, 32_000);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port in 20000-32000"));
  }
}
