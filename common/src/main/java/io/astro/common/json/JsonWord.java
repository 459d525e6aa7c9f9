package io.astro.common.json;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * An enum of words Astro writes (statuses, commands, kinds): its JSON — and database — value is its
 * lower-case name ({@code DELETE} ↔ {@code "delete"}). Implemented by enums, whose {@code name()}
 * it uses; each keeps {@code toString()} returning {@link #value()} so that logs and messages say
 * the word too.
 */
public interface JsonWord {

  String name();

  /** The word as written. */
  default String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The constant of {@code type} whose word is {@code value}, or empty when none is. */
  static <E extends Enum<E> & JsonWord> Optional<E> parse(Class<E> type, String value) {
    return Arrays.stream(type.getEnumConstants()).filter(e -> e.value().equals(value)).findFirst();
  }
}
