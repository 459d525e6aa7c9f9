package io.astro.sync.reconcile;

import java.util.Locale;

/**
 * A cluster API call that did not do what was asked, classified by what the reconciler should do
 * about it.
 */
public final class ClusterApiException extends RuntimeException {

  /** How a failure is handled. */
  public enum Kind {
    /** 409: someone else changed the object; re-read (the informer will catch up) and try again. */
    CONFLICT,
    /** unreachable, timeout, 429, 5xx: the cluster is in trouble; back off and try again. */
    UNAVAILABLE,
    /**
     * any other 4xx: the API refuses what Astro asked; the app is failed until its desired state
     * changes.
     */
    REJECTED
  }

  private final Kind kind;

  public ClusterApiException(int httpStatus, String message) {
    super(message);
    this.kind =
        httpStatus == 409
            ? Kind.CONFLICT
            : httpStatus == 0 || httpStatus == 429 || httpStatus >= 500
                ? Kind.UNAVAILABLE
                : Kind.REJECTED;
  }

  public Kind kind() {
    return kind;
  }

  /** A label for metrics: conflict, unavailable, rejected. */
  public String reason() {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
