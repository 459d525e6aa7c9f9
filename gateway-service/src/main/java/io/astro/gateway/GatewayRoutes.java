package io.astro.gateway;

import io.astro.common.auth.AuthHandler;
import io.astro.common.auth.DisabledUsers;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.StreamSlots;
import io.astro.gateway.auth.Authenticator;
import io.astro.gateway.proxy.UpstreamProxy;
import io.astro.gateway.ratelimit.RateLimits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The gateway's route table. Public: register and login (rate-limited per client IP). Everything
 * else needs a valid token of a user who is not disabled (rate-limited per user). Paths pass
 * through unchanged; whatever matches no route gets the 404 envelope from the common router.
 *
 * <pre>
 *   /, /assets/**                            → this gateway (public): the web console
 *   /api/v1/openapi.json                     → this gateway (public): the API document
 *   /api/v1/register, /api/v1/login          → user-service (public)
 *   /api/v1/users/**, /api/v1/admin/users/** → user-service
 *   /api/v1/apps/**, /api/v1/clusters/**     → app-service
 *   /api/v1/registries/**, /api/v1/quota     → app-service
 *   /api/v1/audit, /api/v1/admin/audit       → app-service (the audit trail)
 * </pre>
 *
 * Streams (log follows, the apps' status stream) are counted per user apart from ordinary calls:
 * past {@code ASTRO_GATEWAY_STREAMS_PER_USER} open at once, a new one answers 429.
 */
public final class GatewayRoutes {

  private static final String API = "/api/v1/";
  private static final Pattern FOLLOW_LOGS = Pattern.compile("/api/v1/apps/[^/]+/logs");
  private static final String STATUS_STREAM = "/api/v1/apps/stream";
  private static final ApiException TOO_LARGE = new ApiException(ErrorCode.PAYLOAD_TOO_LARGE);

  private final UpstreamProxy users;
  private final UpstreamProxy apps;
  private final Authenticator authenticator;
  private final DisabledUsers disabledUsers;
  private final RateLimits rateLimits;
  private final RouteMetrics metrics;
  private final long bodyLimit;
  private final List<String> corsOrigins;
  private final StreamSlots streams;
  private final Buffer apiDocument = ApiDocument.load();
  private final Console console = Console.load();

  public GatewayRoutes(
      UpstreamProxy users,
      UpstreamProxy apps,
      Authenticator authenticator,
      DisabledUsers disabledUsers,
      RateLimits rateLimits,
      RouteMetrics metrics,
      long bodyLimit,
      List<String> corsOrigins,
      StreamSlots streams) {
    this.users = users;
    this.apps = apps;
    this.authenticator = authenticator;
    this.disabledUsers = disabledUsers;
    this.rateLimits = rateLimits;
    this.metrics = metrics;
    this.bodyLimit = bodyLimit;
    this.corsOrigins = corsOrigins;
    this.streams = streams;
  }

  /** Requests whose body the proxy streams (the common router must not buffer them). */
  public static boolean proxied(String path) {
    return path != null && path.startsWith(API);
  }

  /**
   * Streams: live logs and the apps' status stream, which last long and may stay silent far longer
   * than an ordinary answer. Told from the normalized path, the one sent upstream.
   */
  public static boolean streaming(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!HttpMethod.GET.equals(request.method())) {
      return false;
    }
    String path = ctx.normalizedPath();
    // the path first: reading a parameter parses the whole query string
    return STATUS_STREAM.equals(path)
        || (FOLLOW_LOGS.matcher(path).matches() && "true".equals(request.getParam("follow")));
  }

  public void mount(Router router) {
    if (!corsOrigins.isEmpty()) {
      router
          .route()
          .handler(
              CorsHandler.create()
                  .addOrigins(corsOrigins)
                  .allowedMethods(
                      Set.of(
                          HttpMethod.GET,
                          HttpMethod.HEAD,
                          HttpMethod.POST,
                          HttpMethod.PUT,
                          HttpMethod.PATCH,
                          HttpMethod.DELETE))
                  .allowedHeaders(
                      Set.of("Authorization", "Content-Type", "X-Request-Id", "Idempotency-Key"))
                  .exposedHeaders(Set.of("X-Request-Id", "Retry-After"))
                  .maxAgeSeconds(600));
    }
    router
        .get(ApiDocument.PATH)
        .handler(metrics.timing(ApiDocument.PATH))
        .handler(
            ctx ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
                    .end(apiDocument));
    console.mount(router, metrics);
    publicRoute(router, "/api/v1/register", users);
    publicRoute(router, "/api/v1/login", users);
    protectedTree(router, "/api/v1/users", users);
    protectedTree(router, "/api/v1/admin/users", users);
    protectedTree(router, "/api/v1/apps", apps);
    protectedTree(router, "/api/v1/clusters", apps);
    protectedTree(router, "/api/v1/registries", apps);
    protectedTree(router, "/api/v1/quota", apps);
    protectedTree(router, "/api/v1/audit", apps);
    protectedTree(router, "/api/v1/admin/audit", apps);
  }

  private void publicRoute(Router router, String path, UpstreamProxy upstream) {
    router
        .route(path)
        .handler(metrics.timing(path))
        .handler(this::declaredBodyLimit)
        .handler(rateLimits.perClientIp())
        .handler(upstream);
  }

  // "/x/*" matches /x itself as well as everything below it
  private void protectedTree(Router router, String prefix, UpstreamProxy upstream) {
    router
        .route(prefix + "/*")
        .handler(metrics.timing(prefix + "/**"))
        .handler(this::declaredBodyLimit)
        .handler(authenticator)
        .handler(disabledUsers::refuseDisabled)
        .handler(rateLimits.perUser())
        .handler(this::streamSlot)
        .handler(upstream);
  }

  // a stream takes one of its user's places for its whole life; ordinary calls take none
  private void streamSlot(RoutingContext ctx) {
    if (!streaming(ctx) || streams.take(ctx, AuthHandler.caller(ctx).uuid())) {
      ctx.next();
    }
  }

  // a body announced too large is refused before any work; an unannounced one is counted as it
  // streams
  private void declaredBodyLimit(RoutingContext ctx) {
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    long declared;
    try {
      declared = length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      ctx.fail(new ApiException(ErrorCode.BAD_REQUEST, "malformed Content-Length"));
      return;
    }
    if (declared > bodyLimit) {
      // the unread body would otherwise have to be drained before the connection could serve again
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      ctx.fail(TOO_LARGE);
    } else {
      ctx.next();
    }
  }
}
