package io.astro.dev;

/** Turns an exception chain into the one line a person needs. */
final class Failures {

  private Failures() {}

  /**
   * The innermost message, first line only (nested causes usually say what actually went wrong).
   */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse(message).strip();
  }
}
