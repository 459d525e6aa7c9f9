package io.astro.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The repository this module checks: its files are read as they are in the work tree. */
final class Repo {

  /**
   * The four Astro services: module name = image name = Deployment name = compose service (gateway:
   * "gateway").
   */
  static final List<String> SERVICES =
      List.of("gateway-service", "user-service", "app-service", "sync-worker");

  private static final Path ROOT = locate();

  private Repo() {}

  static Path root() {
    return ROOT;
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String read(String relative) {
    return read(path(relative));
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Path locate() {
    String configured = System.getProperty("astro.root");
    Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("k8s"))
          && Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("repository root not found from " + start);
  }
}
