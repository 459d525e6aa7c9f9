package io.astro.common.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The versioned SQL migrations a build carries under one classpath location, and whether a
 * database's Flyway history holds exactly those, each applied with success and unchanged since.
 *
 * <p>A restart finds its schema in place; asking this first spares it Flyway's own start (half a
 * second of CPU in a service's restart), while anything else (a first start, a migration to apply,
 * a failed or edited one) still goes through Flyway, which applies or refuses as before.
 */
final class Migrations {

  private static final Pattern VERSIONED = Pattern.compile("V[0-9._]+__.+\\.sql");
  private static final String HISTORY =
      "SELECT version, script, checksum, type, success FROM flyway_schema_history"
          + " ORDER BY installed_rank";

  // each versioned migration's file name (which holds its version) and Flyway's checksum of it
  private final Map<String, Integer> checksums;

  private Migrations(Map<String, Integer> checksums) {
    this.checksums = checksums;
  }

  /**
   * The migrations under {@code location}, or empty when it cannot be listed here (not on the
   * classpath, or in an entry that is neither a directory nor a jar): then only Flyway can tell.
   */
  static Optional<Migrations> carried(ClassLoader loader, String location) throws IOException {
    Map<String, Integer> found = new HashMap<>();
    Enumeration<URL> roots = loader.getResources(location);
    if (!roots.hasMoreElements()) {
      return Optional.empty();
    }
    while (roots.hasMoreElements()) {
      Optional<List<String>> names = names(roots.nextElement(), location);
      if (names.isEmpty()) {
        return Optional.empty();
      }
      for (String name : names.get()) {
        if (VERSIONED.matcher(name).matches()) {
          try (InputStream in = loader.getResourceAsStream(location + "/" + name)) {
            found.put(name, checksum(in));
          }
        }
      }
    }
    return Optional.of(new Migrations(Map.copyOf(found)));
  }

  /**
   * The schema's version when the history holds these migrations and nothing else, each applied
   * with success and with the checksum its file has now; empty otherwise, and when the history
   * cannot be read (none yet, the database away): Flyway answers those.
   */
  Future<Optional<String>> allAppliedIn(Pool pool) {
    return pool.query(HISTORY)
        .execute()
        .map(this::holdsExactly)
        .recover(unread -> Future.succeededFuture(Optional.empty()));
  }

  private Optional<String> holdsExactly(RowSet<Row> history) {
    Map<String, Integer> applied = new HashMap<>();
    String last = null;
    for (Row row : history) {
      if (!"SQL".equals(row.getString("type")) || !row.getBoolean("success")) {
        return Optional.empty();
      }
      last = row.getString("version");
      applied.put(row.getString("script"), row.getInteger("checksum"));
    }
    return applied.equals(checksums) ? Optional.ofNullable(last) : Optional.empty();
  }

  /** The versioned migrations' file names. */
  Set<String> scripts() {
    return checksums.keySet();
  }

  /**
   * Flyway's checksum of a SQL migration: CRC-32 over each line's UTF-8 bytes without its line
   * ending, a byte-order mark at the start left out; so it does not change with line endings.
   */
  private static int checksum(InputStream in) throws IOException {
    CRC32 crc = new CRC32();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line = reader.readLine();
    if (line != null && line.startsWith("\uFEFF")) {
      line = line.substring(1);
    }
    while (line != null) {
      crc.update(line.getBytes(StandardCharsets.UTF_8));
      line = reader.readLine();
    }
    return (int) crc.getValue();
  }

  /** The file names directly under {@code root}; empty for a root that is neither jar nor file. */
  private static Optional<List<String>> names(URL root, String location) throws IOException {
    return switch (root.getProtocol()) {
      case "file" -> Optional.of(directory(root));
      case "jar" -> Optional.of(jarDirectory(root, location + "/"));
      default -> Optional.empty();
    };
  }

  private static List<String> directory(URL root) throws IOException {
    try (Stream<Path> files = Files.list(Path.of(URI.create(root.toString())))) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static List<String> jarDirectory(URL root, String prefix) throws IOException {
    JarURLConnection connection = (JarURLConnection) root.openConnection();
    // a jar of its own: the class loader's shared one must stay open
    connection.setUseCaches(false);
    List<String> names = new ArrayList<>();
    try (JarFile jar = connection.getJarFile()) {
      for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        if (name.startsWith(prefix) && name.indexOf('/', prefix.length()) < 0) {
          names.add(name.substring(prefix.length()));
        }
      }
    }
    return names;
  }
}
