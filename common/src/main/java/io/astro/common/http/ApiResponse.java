package io.astro.common.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The one response envelope: {@code {"code": 0, "message": "...", "data": ...}}. */
public final class ApiResponse {

  /** Where a request's context keeps the envelope code it was answered with (for the audit). */
  public static final String ANSWERED_CODE = "astro.answeredCode";

  private static final String JSON = "application/json; charset=utf-8";

  private ApiResponse() {}

  public static JsonObject envelope(ErrorCode code, String message, Object data) {
    return new JsonObject().put("code", code.code()).put("message", message).put("data", data);
  }

  public static Future<Void> ok(RoutingContext ctx, Object data) {
    return send(ctx, 200, envelope(ErrorCode.OK, "ok", data));
  }

  /** For 201 Created and 202 Accepted. */
  public static Future<Void> ok(RoutingContext ctx, int httpStatus, Object data) {
    return send(ctx, httpStatus, envelope(ErrorCode.OK, "ok", data));
  }

  public static Future<Void> error(
      RoutingContext ctx, ErrorCode code, String message, Object data) {
    return send(ctx, code.httpStatus(), envelope(code, message, data));
  }

  private static Future<Void> send(RoutingContext ctx, int httpStatus, JsonObject body) {
    if (ctx.response().ended()) {
      // answered already, at its deadline (RequestDeadline): what came later is not news to anyone
      return Future.succeededFuture();
    }
    ctx.put(ANSWERED_CODE, body.getInteger("code"));
    return ctx.response()
        .setStatusCode(httpStatus)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(body.toBuffer());
  }
}
