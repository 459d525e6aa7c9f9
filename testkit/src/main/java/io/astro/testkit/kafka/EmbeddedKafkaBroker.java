package io.astro.testkit.kafka;

import ch.qos.logback.classic.Level;
import io.astro.testkit.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in this JVM: one KRaft node that is both broker and controller, with
 * the replication factors a one-node cluster needs. Starts in ≈ 3 s.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final String HOST = "127.0.0.1";

  private final KafkaRaftServer server;
  private final int port;
  private final Path workDir;
  private final boolean keepData;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedKafkaBroker(KafkaRaftServer server, int port, Path workDir, boolean keepData) {
    this.server = server;
    this.port = port;
    this.workDir = workDir;
    this.keepData = keepData;
  }

  /** For tests: free ports; {@code workDir} is wiped now and deleted on close. */
  public static EmbeddedKafkaBroker startEphemeral(Path workDir) {
    delete(workDir);
    int[] ports = FreePorts.distinct(2);
    return start(workDir, ports[0], ports[1], false);
  }

  /**
   * For dev mode (e.g. port 9092, controller port 9093): topics, records and committed offsets in
   * {@code workDir/logs} survive restarts.
   */
  public static EmbeddedKafkaBroker startPersistent(Path workDir, int port, int controllerPort) {
    return start(workDir, port, controllerPort, true);
  }

  private static EmbeddedKafkaBroker start(
      Path workDir, int port, int controllerPort, boolean keepData) {
    quietLoggers();
    keepKafkaFromExitingTheJvm();
    long started = System.nanoTime();
    Properties properties = serverProperties(workDir.resolve("logs"), port, controllerPort);
    Path propertiesFile = workDir.resolve("server.properties");
    try {
      Files.createDirectories(workDir);
      try (OutputStream out = Files.newOutputStream(propertiesFile)) {
        properties.store(out, "written by " + EmbeddedKafkaBroker.class.getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + propertiesFile, e);
    }
    // A restart finds the log dir formatted already; formatting again would fail.
    if (!Files.exists(workDir.resolve("logs").resolve("meta.properties"))) {
      format(propertiesFile);
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties), Time.SYSTEM);
    server.startup();
    LOG.info(
        "Embedded Kafka broker on {}:{} (logs in {}) started in {} ms",
        HOST,
        port,
        workDir.resolve("logs"),
        (System.nanoTime() - started) / 1_000_000);
    return new EmbeddedKafkaBroker(server, port, workDir, keepData);
  }

  private static Properties serverProperties(Path logDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    // A static voter set, so the log dir is formatted without --standalone.
    p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toAbsolutePath().toString());
    // One node: every replication factor and ISR minimum is 1.
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Consumers join a group at once instead of after the default 3 s grace period.
    p.put("group.initial.rebalance.delay.ms", "0");
    // The log cleaner (compacted topics) allocates its dedupe map on the heap at start: 128 MiB by
    // default, more
    // than everything else dev mode holds. 8 MiB still maps ~350 000 keys per pass.
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
    return p;
  }

  private static void format(Path propertiesFile) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    String[] args = {"format", "-t", Uuid.randomUuid().toString(), "-c", propertiesFile.toString()};
    int status;
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      status = kafka.tools.StorageTool$.MODULE$.execute(args, out);
    }
    if (status != 0) {
      throw new IllegalStateException(
          "Formatting the Kafka log dir failed ("
              + status
              + "): "
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  @Override
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.shutdown();
    server.awaitShutdown();
    if (!keepData) {
      delete(workDir);
    }
  }

  /**
   * On a fatal error Kafka calls System.exit, which would kill the test run or the dev-mode process
   * hosting every service; fail the broker thread loudly instead.
   */
  private static void keepKafkaFromExitingTheJvm() {
    Exit.setExitProcedure(
        (status, message) -> {
          throw new IllegalStateException(
              "Embedded Kafka asked to exit the JVM with status " + status + ": " + message);
        });
    Exit.setHaltProcedure(
        (status, message) -> {
          throw new IllegalStateException(
              "Embedded Kafka asked to halt the JVM with status " + status + ": " + message);
        });
  }

  /** The broker logs a lot at INFO; keep warnings and errors (clients included). */
  private static void quietLoggers() {
    for (String name : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
        logger.setLevel(Level.WARN);
      }
    }
  }

  private static void delete(Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }
}
