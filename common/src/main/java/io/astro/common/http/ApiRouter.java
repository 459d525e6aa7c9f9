package io.astro.common.http;

import io.astro.common.config.HttpSettings;
import io.astro.common.ops.OpsRoutes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The router every service starts from: request ids first, a bounded body, health and metrics
 * routes, and the envelope for every failure and every unmatched request. Services add their
 * routes to the returned router.
 */
public final class ApiRouter {

  private ApiRouter() {
  }

  public static Router create(Vertx vertx, HttpSettings settings, OpsRoutes ops) {
    Router router = Router.router(vertx);
    FailureHandler failures = new FailureHandler();
    router.route().handler(new RequestIdHandler());
    router.route().handler(BodyHandler.create(false).setBodyLimit(settings.bodyLimitBytes()));
    router.route().failureHandler(failures);
    // requests that match no route never reach a route failure handler
    for (int status : new int[] {400, 404, 405, 406, 413, 415, 500}) {
      router.errorHandler(status, failures);
    }
    ops.mount(router);
    return router;
  }
}
