package io.astro.app.apps;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container image reference as Docker and containerd read it: {@code
 * [registry[:port]/]path[:tag][@digest]}. The first path segment is a registry only when it looks
 * like a host ({@code .} or {@code :} in it, or {@code localhost}); otherwise the image is on
 * Docker Hub ({@code docker.io}).
 */
public record ImageReference(String registry, String path) {

  private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final String HOST =
      "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?";
  private static final Pattern REFERENCE =
      Pattern.compile(
          "(?:("
              + HOST
              + ")/)?("
              + COMPONENT
              + "(?:/"
              + COMPONENT
              + ")*)"
              + "(?::[\\w][\\w.-]{0,127})?"
              + "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?");
  private static final int MAX_LENGTH = 512;

  /** The reference, or null when {@code text} is not a valid one. */
  public static ImageReference parse(String text) {
    if (text == null || text.length() > MAX_LENGTH) {
      return null;
    }
    Matcher m = REFERENCE.matcher(text);
    if (!m.matches()) {
      return null;
    }
    String first = m.group(1);
    if (first != null
        && !first.contains(".")
        && !first.contains(":")
        && !first.equals("localhost")) {
      // "library/nginx": the first segment is a Docker Hub namespace, not a host
      return new ImageReference("docker.io", first + "/" + m.group(2));
    }
    return new ImageReference(
        first == null ? "docker.io" : first.toLowerCase(Locale.ROOT), m.group(2));
  }

  /**
   * Whether an allow-list entry admits this image: an entry is a registry ({@code ghcr.io}) or a
   * registry and path prefix ({@code ghcr.io/acme}), matched on whole segments.
   */
  public boolean allowedBy(String entry) {
    String full = registry + "/" + path;
    String e = entry.toLowerCase(Locale.ROOT);
    return registry.equals(e) || full.startsWith(e.endsWith("/") ? e : e + "/");
  }
}
