package io.astro.common.resilience;

/** How one attempt of a {@link Guarded} call went, as the breaker and the retry should hear it. */
public sealed interface Verdict {

  /** It worked: the breaker counts a success and the call ends with this attempt's outcome. */
  Verdict SUCCESS = new Success();

  /**
   * Nobody's fault on the far side (the caller's own request broke): the breaker forgets the
   * attempt, nothing is retried, and the call ends with this attempt's outcome.
   */
  Verdict NOT_COUNTED = new NotCounted();

  /** It failed because of {@code cause}: the breaker counts it, and the retry may try again. */
  static Verdict failure(Throwable cause) {
    return new Failure(cause);
  }

  /** See {@link #SUCCESS}. */
  record Success() implements Verdict {}

  /** See {@link #NOT_COUNTED}. */
  record NotCounted() implements Verdict {}

  /** See {@link #failure(Throwable)}. */
  record Failure(Throwable cause) implements Verdict {}
}
