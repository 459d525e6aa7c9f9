package io.astro.common.http;

/**
 * A failure with a known meaning for the client. Thrown (or failed into a Future) anywhere in a
 * handler chain; {@link FailureHandler} turns it into the envelope. The message is shown to the
 * client, so it must never carry secrets or internals.
 */
public class ApiException extends RuntimeException {

  private final ErrorCode errorCode;
  private final transient Object data;

  public ApiException(ErrorCode errorCode, String message, Object data) {
    super(message, null, false, false);
    this.errorCode = errorCode;
    this.data = data;
  }

  public ApiException(ErrorCode errorCode, String message) {
    this(errorCode, message, null);
  }

  public ApiException(ErrorCode errorCode) {
    this(errorCode, errorCode.defaultMessage(), null);
  }

  public ErrorCode errorCode() {
    return errorCode;
  }

  public Object data() {
    return data;
  }
}
