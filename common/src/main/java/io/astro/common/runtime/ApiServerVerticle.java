package io.astro.common.runtime;

import io.astro.common.config.HttpSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a service's router. On stop it shuts the server down gracefully: no new connections,
 * in-flight requests get up to the drain period to finish.
 */
public final class ApiServerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ApiServerVerticle.class);
  private static final long DRAIN_SECONDS = 20;

  private final HttpSettings settings;
  private final Function<Vertx, Router> routes;
  private HttpServer server;

  public ApiServerVerticle(HttpSettings settings, Function<Vertx, Router> routes) {
    this.settings = settings;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options =
        new HttpServerOptions().setCompressionSupported(true).setMaxHeaderSize(16 * 1024);
    return vertx
        .createHttpServer(options)
        .requestHandler(routes.apply(vertx))
        .listen(settings.port(), settings.host())
        .onSuccess(
            s -> {
              server = s;
              LOG.info("listening on {}:{}", settings.host(), s.actualPort());
            });
  }

  @Override
  public Future<?> stop() {
    return server == null
        ? Future.succeededFuture()
        : server.shutdown(DRAIN_SECONDS, TimeUnit.SECONDS);
  }

  /** The bound port; differs from the configured one when that was 0 (tests). */
  public int actualPort() {
    return server.actualPort();
  }
}
