package io.astro.user.store;

import io.astro.common.json.JsonWord;
import java.util.List;
import java.util.Optional;

/**
 * The status of an account, as the database stores it and the REST API shows it (the lower-case
 * word). A deleted account keeps its row (its username stays reserved for a while) but is never
 * shown or counted.
 */
public enum UserStatus implements JsonWord {
  ACTIVE,
  DISABLED,
  DELETED;

  @Override
  public String toString() {
    return value();
  }

  /** The status of this word, or empty when it is none. */
  public static Optional<UserStatus> parse(String value) {
    return JsonWord.parse(UserStatus.class, value);
  }

  /** Like {@link #parse}, for values written by Astro itself (the database). */
  public static UserStatus of(String value) {
    return parse(value)
        .orElseThrow(() -> new IllegalArgumentException("not a user status: " + value));
  }

  /** The statuses of accounts that are not deleted: what lists filter by and metrics count. */
  public static List<UserStatus> live() {
    return List.of(ACTIVE, DISABLED);
  }

  /** The words of {@link #live()}. */
  public static List<String> liveWords() {
    return live().stream().map(UserStatus::value).toList();
  }
}
