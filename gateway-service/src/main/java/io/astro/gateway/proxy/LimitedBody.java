package io.astro.gateway.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A request body on its way upstream, counted as it streams: past the limit it fails instead of
 * delivering more, and any failure of the client's side is marked as such, so the proxy does not
 * blame (or open the breaker of) the upstream for it.
 */
final class LimitedBody implements ReadStream<Buffer> {

  /** The client's body broke off, or grew past the limit. */
  static final class ClientBodyException extends RuntimeException {
    private final boolean tooLarge;

    ClientBodyException(boolean tooLarge, Throwable cause) {
      super(
          tooLarge ? "request body over the limit" : "client request broke off",
          cause,
          false,
          false);
      this.tooLarge = tooLarge;
    }

    boolean tooLarge() {
      return tooLarge;
    }
  }

  private final ReadStream<Buffer> source;
  private final long limit;
  private long seen;
  private ClientBodyException failure;
  private Handler<Throwable> exceptionHandler;

  LimitedBody(ReadStream<Buffer> source, long limit) {
    this.source = source;
    this.limit = limit;
  }

  @Override
  public LimitedBody exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    source.exceptionHandler(handler == null ? null : e -> fail(new ClientBodyException(false, e)));
    return this;
  }

  @Override
  public LimitedBody handler(Handler<Buffer> handler) {
    source.handler(
        handler == null
            ? null
            : chunk -> {
              if (failure != null) {
                return;
              }
              seen += chunk.length();
              if (seen > limit) {
                fail(new ClientBodyException(true, null));
              } else {
                handler.handle(chunk);
              }
            });
    return this;
  }

  @Override
  public LimitedBody pause() {
    source.pause();
    return this;
  }

  @Override
  public LimitedBody resume() {
    source.resume();
    return this;
  }

  @Override
  public LimitedBody fetch(long amount) {
    source.fetch(amount);
    return this;
  }

  @Override
  public LimitedBody endHandler(Handler<Void> handler) {
    source.endHandler(handler);
    return this;
  }

  /** Why the client's side failed, or null while it has not. */
  ClientBodyException failure() {
    return failure;
  }

  private void fail(ClientBodyException e) {
    if (failure == null) {
      failure = e;
      source.pause();
      if (exceptionHandler != null) {
        exceptionHandler.handle(e);
      }
    }
  }
}
