package io.astro.common.events.user;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What happened to an account ({@code io.astro.user.v1}'s {@code kind}); its JSON value is the
 * lower-case word.
 */
public enum UserEventKind {
  /** The owner deleted the account: its apps and its namespaces are to go. */
  DELETED,
  /** An admin disabled the account: its apps are suspended (no replicas). */
  DISABLED,
  /** An admin enabled the account again: its suspended apps are restored. */
  ENABLED;

  private final String value = name().toLowerCase(Locale.ROOT);

  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }

  public static Optional<UserEventKind> parse(String value) {
    return Arrays.stream(values()).filter(k -> k.value.equals(value)).findFirst();
  }
}
