package io.astro.common.resilience;

/**
 * Decides what an attempt's outcome means for the breaker and the retry. An answer can be a failure
 * too (a 503 from upstream): it then counts against the breaker and may be retried, and if no try
 * is left the call still ends with that answer, for the caller to pass on.
 *
 * @param <T> what an attempt answers
 */
public interface Judge<T> {

  Verdict ofResult(T result);

  Verdict ofFailure(Throwable cause);

  /**
   * An answer that is dropped because the call tries again: release what it holds (read a
   * response's body to its end, so its connection goes back to the pool).
   */
  default void discard(T result) {}

  /** Every answer is a success, every failed attempt a failure. */
  static <T> Judge<T> failuresOnly() {
    return new Judge<>() {
      @Override
      public Verdict ofResult(T result) {
        return Verdict.SUCCESS;
      }

      @Override
      public Verdict ofFailure(Throwable cause) {
        return Verdict.failure(cause);
      }
    };
  }
}
