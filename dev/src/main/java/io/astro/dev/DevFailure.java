package io.astro.dev;

/**
 * Something the person running dev mode can fix (a port taken, a second start, a broken
 * kubeconfig): its message is the one line printed, with no stack trace.
 */
public final class DevFailure extends RuntimeException {

  public DevFailure(String message) {
    super(message);
  }

  public DevFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
