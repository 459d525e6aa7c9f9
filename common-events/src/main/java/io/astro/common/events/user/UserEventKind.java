package io.astro.common.events.user;

import io.astro.common.json.JsonWord;
import java.util.Optional;

/**
 * What happened to an account ({@code io.astro.user.v1}'s {@code kind}); its JSON value is the
 * lower-case word.
 */
public enum UserEventKind implements JsonWord {
  /** The owner deleted the account: its apps and its namespaces are to go. */
  DELETED,
  /** An admin disabled the account: its apps are suspended (no replicas). */
  DISABLED,
  /** An admin enabled the account again: its suspended apps are restored. */
  ENABLED;

  @Override
  public String toString() {
    return value();
  }

  public static Optional<UserEventKind> parse(String value) {
    return JsonWord.parse(UserEventKind.class, value);
  }
}
