package io.astro.common.events.app;

import io.astro.common.json.JsonWord;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The status of an app, as {@code io.astro.app.status.v2} carries it and the REST API shows it. Its
 * JSON (and database) value is the lower-case word. {@code io.astro.app.status.v1} knew all but
 * {@link #UPDATING} and {@link #SUSPENDED}.
 */
public enum AppStatus implements JsonWord {
  /** Created, not yet observed in its cluster. */
  PENDING,
  STARTING,
  RUNNING,
  STOPPED,
  /** Pods of an older template are still there: a rolling restart. */
  RESTARTING,
  /** A new release is rolling out; the previous one keeps serving until it is available. */
  UPDATING,
  FAILED,
  /** Deletion asked for; the app's objects are still in the cluster. */
  DELETING,
  /** The app's objects are gone from the cluster (the answer to a delete command). */
  DELETED,
  /** The cluster cannot say (unreachable, unhealthy, or the app's cluster was removed). */
  UNKNOWN,
  /** Its owner's account is suspended: the app runs no replicas until it is lifted. */
  SUSPENDED;

  @Override
  public String toString() {
    return value();
  }

  /** The status of this word, or empty when it is none. */
  public static Optional<AppStatus> parse(String value) {
    return JsonWord.parse(AppStatus.class, value);
  }

  /** Like {@link #parse}, for values that were written by Astro itself (the database). */
  public static AppStatus of(String value) {
    return parse(value)
        .orElseThrow(() -> new IllegalArgumentException("not an app status: " + value));
  }

  /** A state a command ends in, as opposed to one on the way there. */
  public boolean settled() {
    return this == RUNNING
        || this == STOPPED
        || this == FAILED
        || this == DELETED
        || this == SUSPENDED;
  }

  /** The statuses {@code io.astro.app.status.v1} could carry. */
  public static Set<AppStatus> v1() {
    return EnumSet.complementOf(EnumSet.of(UPDATING, SUSPENDED));
  }

  /** The statuses a live app can show (a deleted app is not listed any more). */
  public static Set<AppStatus> shown() {
    return EnumSet.complementOf(EnumSet.of(DELETED));
  }

  /** The words of {@code statuses}, e.g. for a query parameter's allowed values. */
  public static Set<String> words(Set<AppStatus> statuses) {
    return statuses.stream().map(AppStatus::value).collect(Collectors.toUnmodifiableSet());
  }
}
