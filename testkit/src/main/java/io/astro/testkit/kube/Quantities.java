package io.astro.testkit.kube;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.QuantityFormatException;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * resource.Quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go) through the official
 * client's parser, which follows the same grammar.
 */
final class Quantities {

  /** The decoder's error for a quantity that does not parse (quantity.go ErrFormatWrong). */
  static final String FORMAT_WRONG =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

  private Quantities() {}

  static Optional<BigDecimal> parse(Object value) {
    if (value instanceof Number n) {
      return Optional.of(new BigDecimal(n.toString()));
    }
    if (!(value instanceof String s) || s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Quantity.fromString(s).getNumber());
    } catch (QuantityFormatException | NumberFormatException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  static boolean valid(Object value) {
    return parse(value).isPresent();
  }

  /** As Quantity.String() prints it, e.g. {@code 500m}, {@code 1Gi}. */
  static String canonical(Object value) {
    if (value instanceof String s) {
      try {
        return Quantity.fromString(s).toSuffixedString();
      } catch (RuntimeException e) {
        return s;
      }
    }
    return String.valueOf(value);
  }

  /** A sum or usage printed as a quantity (binary suffix for memory-like values). */
  static String format(BigDecimal amount, boolean binary) {
    return new Quantity(amount, binary ? Quantity.Format.BINARY_SI : Quantity.Format.DECIMAL_SI)
        .toSuffixedString();
  }
}
