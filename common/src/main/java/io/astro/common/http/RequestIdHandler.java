package io.astro.common.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * First handler of every router: takes the caller's {@code X-Request-Id} (or makes one), echoes it
 * on the response, and binds it to the request's context so logs and outgoing calls carry it.
 */
public final class RequestIdHandler implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    String id = RequestIds.acceptOrGenerate(ctx.request().getHeader(RequestIds.HEADER));
    RequestIds.bind(Vertx.currentContext(), id);
    ctx.put(RequestIds.HEADER, id);
    ctx.response().putHeader(RequestIds.HEADER, id);
    ctx.next();
  }
}
