package io.astro.common.http;

import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure — thrown, failed into a Future, or raised by the web layer (no route, wrong
 * method, body too large, wrong content type) — into the JSON envelope. Clients never see a stack
 * trace or an HTML page; server-side faults are logged with the request id.
 */
public final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    if (ctx.response().headWritten()) {
      // a streaming response broke mid-way; nothing valid can be written any more
      ctx.response().reset();
      return;
    }
    Throwable failure = ctx.failure();
    ErrorCode code;
    String message;
    Object data = null;
    if (failure instanceof ApiException api) {
      code = api.errorCode();
      message = api.getMessage();
      data = api.data();
    } else if (failure instanceof DecodeException
        || (failure instanceof IllegalArgumentException && isJsonError(failure))) {
      code = ErrorCode.BAD_REQUEST;
      message = "request body is not valid JSON";
    } else if (failure instanceof HttpException http) {
      code = ErrorCode.forHttpStatus(http.getStatusCode());
      message = code.defaultMessage();
    } else if (ctx.statusCode() > 0 && (failure == null || ctx.statusCode() < 500)) {
      // a web-layer refusal with its own status (e.g. CORS answers 403 with an exception attached)
      code = ErrorCode.forHttpStatus(ctx.statusCode());
      message = code.defaultMessage();
    } else {
      code = ErrorCode.INTERNAL;
      message = code.defaultMessage();
    }
    if (code.httpStatus() >= 500) {
      LOG.error(
          "{} {} failed with {} ({})",
          ctx.request().method(),
          ctx.request().path(),
          code.httpStatus(),
          code.code(),
          failure);
    } else {
      LOG.debug(
          "{} {} answered {} ({}): {}",
          ctx.request().method(),
          ctx.request().path(),
          code.httpStatus(),
          code.code(),
          message);
    }
    ApiResponse.error(ctx, code, message, data);
  }

  // vertx-web reports a malformed body of a JSON-consuming route as an IllegalArgumentException
  // wrapping the decode error
  private static boolean isJsonError(Throwable failure) {
    return failure.getCause() instanceof DecodeException;
  }
}
