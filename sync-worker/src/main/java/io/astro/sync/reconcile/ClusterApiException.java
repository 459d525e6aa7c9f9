package io.astro.sync.reconcile;

import io.astro.sync.clusters.KubeErrors;
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
    /** no answer, 429, 5xx: the cluster is in trouble; back off and try again. */
    UNAVAILABLE,
    /**
     * any other 4xx: the API refuses what Astro asked; the app is failed until its desired state
     * changes.
     */
    REJECTED
  }

  private final Kind kind;
  private final int httpStatus;

  public ClusterApiException(int httpStatus, String message) {
    super(message);
    this.httpStatus = httpStatus;
    this.kind =
        switch (KubeErrors.classify(httpStatus)) {
          case CONFLICT -> Kind.CONFLICT;
          case UNAVAILABLE -> Kind.UNAVAILABLE;
          // a missing namespace or object the reconciler did not expect is a refusal like any other
          case MISSING, REJECTED -> Kind.REJECTED;
        };
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status the cluster answered, 0 when it did not answer. */
  public int httpStatus() {
    return httpStatus;
  }

  /** A label for metrics: conflict, unavailable, rejected. */
  public String reason() {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
