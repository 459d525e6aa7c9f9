package io.astro.common.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses durations written as operators write them: {@code 500ms}, {@code 3s}, {@code 5m}, {@code
 * 24h}, {@code 7d}.
 */
final class DurationText {

  private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private DurationText() {}

  static Duration parse(String text) {
    var m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
