package io.astro.common.config;

import java.util.Locale;

/**
 * Parses sizes written as plain bytes or with a binary unit: {@code 1048576}, {@code 512KiB},
 * {@code 1MiB}.
 */
final class ByteSize {

  private ByteSize() {}

  static long parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    long multiplier = 1;
    for (String[] unit :
        new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"b", "1"}}) {
      if (s.endsWith(unit[0])) {
        multiplier = Long.parseLong(unit[1]);
        s = s.substring(0, s.length() - unit[0].length()).trim();
        break;
      }
    }
    long value = Long.parseLong(s);
    if (value < 0) {
      throw new IllegalArgumentException("negative size");
    }
    return Math.multiplyExact(value, multiplier);
  }
}
