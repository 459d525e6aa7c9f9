package io.astro.common.events.cluster;

import io.astro.common.json.JsonWord;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The health of a cluster. A health check ({@code io.astro.cluster.status.v1}) says {@link
 * #HEALTHY} or {@link #UNHEALTHY}; {@link #UNKNOWN} is what app-service shows until the first check
 * and is never published. Its JSON (and database) value is the lower-case word.
 */
public enum ClusterStatus implements JsonWord {
  HEALTHY,
  UNHEALTHY,
  UNKNOWN;

  @Override
  public String toString() {
    return value();
  }

  public static Optional<ClusterStatus> parse(String value) {
    return JsonWord.parse(ClusterStatus.class, value);
  }

  /** Like {@link #parse}, for values that were written by Astro itself (the database). */
  public static ClusterStatus of(String value) {
    return parse(value)
        .orElseThrow(() -> new IllegalArgumentException("not a cluster status: " + value));
  }

  /** What a health check can say. */
  public static Set<ClusterStatus> checked() {
    return EnumSet.of(HEALTHY, UNHEALTHY);
  }
}
