package io.astro.app.quota;

import io.astro.common.config.ConfigException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes quantities as app-service counts them: CPU in millicores ({@code 250m}, {@code 0.5},
 * {@code 2}), memory in bytes ({@code 128Mi}, {@code 1Gi}, {@code 500M}, {@code 1048576}).
 */
public final class Quantities {

  private static final Pattern CPU = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(m?)");
  private static final Pattern MEMORY = Pattern.compile("([0-9]+)(Ki|Mi|Gi|Ti|k|M|G|T)?");
  private static final Map<String, Long> UNITS =
      Map.of(
          "Ki",
          1L << 10,
          "Mi",
          1L << 20,
          "Gi",
          1L << 30,
          "Ti",
          1L << 40,
          "k",
          1_000L,
          "M",
          1_000_000L,
          "G",
          1_000_000_000L,
          "T",
          1_000_000_000_000L);

  private Quantities() {}

  /** Millicores of a CPU quantity; {@code setting} names it in the error. */
  public static long millicores(String setting, String quantity) {
    Matcher m = CPU.matcher(quantity.trim());
    if (!m.matches()) {
      throw new ConfigException(
          setting + " must be a CPU quantity such as 100m or 0.5, got '" + quantity + "'");
    }
    BigDecimal value = new BigDecimal(m.group(1));
    return m.group(2).isEmpty()
        ? value.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact()
        : value.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
  }

  /** Bytes of a memory quantity; {@code setting} names it in the error. */
  public static long bytes(String setting, String quantity) {
    Matcher m = MEMORY.matcher(quantity.trim());
    if (!m.matches()) {
      throw new ConfigException(
          setting + " must be a memory quantity such as 128Mi or 1Gi, got '" + quantity + "'");
    }
    long unit = m.group(2) == null ? 1 : UNITS.get(m.group(2));
    return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
  }

  /** Millicores as a quantity: whole cores without a unit, else {@code m}. */
  public static String cpu(long millicores) {
    return millicores % 1000 == 0 ? Long.toString(millicores / 1000) : millicores + "m";
  }

  /** Bytes as a quantity in the largest binary unit that divides them. */
  public static String memory(long bytes) {
    if (bytes != 0 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "Gi";
    }
    if (bytes != 0 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "Mi";
    }
    if (bytes != 0 && bytes % (1L << 10) == 0) {
      return (bytes >> 10) + "Ki";
    }
    return Long.toString(bytes);
  }
}
