package io.astro.common.http;

import io.astro.common.config.HttpSettings;
import io.astro.common.ops.OpsRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.function.Predicate;

/**
 * The router every service starts from: request ids first, a bounded body, the ops routes (public:
 * health; management: health, readiness, metrics), and the envelope for every failure and every
 * unmatched request. Services add their routes to the returned router.
 */
public final class ApiRouter {

  private static final String STREAMED_PATHS = "astro.streamedPaths";

  private ApiRouter() {}

  /** The public router: {@code /health} of the ops routes, then the service's own. */
  public static Router create(Vertx vertx, HttpSettings settings, OpsRoutes ops) {
    Router router = base(vertx, settings);
    ops.mountPublic(router);
    return router;
  }

  /** The management port's router: {@code /health}, {@code /ready} and {@code /metrics}. */
  public static Router management(Vertx vertx, HttpSettings settings, OpsRoutes ops) {
    Router router = base(vertx, settings);
    ops.mountManagement(router);
    return router;
  }

  private static Router base(Vertx vertx, HttpSettings settings) {
    Router router = Router.router(vertx);
    FailureHandler failures = new FailureHandler();
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(settings.bodyLimitBytes());
    router.route().handler(new RequestIdHandler());
    router
        .route()
        .handler(
            ctx -> {
              Predicate<String> streamed = router.getMetadata(STREAMED_PATHS);
              if (streamed != null && streamed.test(ctx.normalizedPath())) {
                if (mayHaveBody(ctx.request())) {
                  // left unread for a handler that streams it; paused, or chunks arriving before it
                  // is piped would be lost
                  ctx.request().pause();
                  // whatever nobody read (a request refused before streaming) is drained, or the
                  // connection stalls;
                  // a request read to its end is left alone (resuming an ended HTTP/2 request
                  // throws)
                  ctx.addEndHandler(
                      done -> {
                        if (!ctx.request().isEnded()) {
                          ctx.request().resume();
                        }
                      });
                }
                ctx.next();
              } else {
                bodies.handle(ctx);
              }
            });
    router.route().failureHandler(failures);
    // requests that match no route never reach a route failure handler
    for (int status : new int[] {400, 404, 405, 406, 413, 415, 500}) {
      router.errorHandler(status, failures);
    }
    return router;
  }

  // only a request that may carry a body needs holding back; a bodyless one is left to end as usual
  private static boolean mayHaveBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.version() == HttpVersion.HTTP_2
        || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
        || (length != null && !"0".equals(length.trim()));
  }

  /**
   * Requests whose (normalized) path matches {@code paths} skip the body handler: their body stays
   * unread and paused for a handler that streams it on (the gateway's proxy). Such a handler must
   * enforce the body limit itself.
   */
  public static void streamBodies(Router router, Predicate<String> paths) {
    router.putMetadata(STREAMED_PATHS, paths);
  }
}
