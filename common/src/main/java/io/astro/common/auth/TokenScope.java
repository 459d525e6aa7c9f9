package io.astro.common.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a token may do (claim {@code scope}). Login tokens carry none and may do everything; a
 * personal API token is issued {@code read} (GET and HEAD only) or {@code write}.
 */
public enum TokenScope {
  READ,
  WRITE;

  /** The name on the wire and in the database: {@code read}, {@code write}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The scope a wire name stands for; empty for anything else. */
  public static Optional<TokenScope> fromWire(Object value) {
    for (TokenScope scope : values()) {
      if (scope.wireName().equals(value)) {
        return Optional.of(scope);
      }
    }
    return Optional.empty();
  }
}
