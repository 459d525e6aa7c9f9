package io.astro.bench.system;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The least a proxy hop in a JVM does: Vert.x's HTTP server hands each request to Vert.x's HTTP
 * client (keep-alive, pooled) and writes the answer back whole — no routes, authentication, limits,
 * metrics or resilience. Started as a JVM of its own with the gateway's JVM flags and its
 * event-loop set-up (native transport, one server verticle), so benchmark 1 can tell what the
 * gateway's own work adds from what any Vert.x proxy on this machine pays.
 */
public final class VertxProxy extends LoopbackProxy {

  private VertxProxy(Process process, int port) {
    super("the Vert.x proxy", process, port);
  }

  /**
   * Starts the proxy on {@code port} in front of {@code upstreamPort} on loopback, with {@code
   * container}'s JVM flags and variables (the gateway's, without its class-data archive, which is
   * the gateway jar's).
   */
  public static VertxProxy start(ContainerJvm container, int port, int upstreamPort, Path logDir) {
    try {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(container.withoutArchive().jvmFlags());
      command.addAll(
          List.of(
              // this JVM's own class path: the bench jar, or the test run's classes and jars
              "-cp",
              System.getProperty("java.class.path"),
              VertxProxy.class.getName(),
              Integer.toString(port),
              Integer.toString(upstreamPort)));
      Files.createDirectories(logDir);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(logDir.resolve("vertx-proxy.log").toFile()));
      builder.environment().putAll(container.env());
      VertxProxy proxy = new VertxProxy(builder.start(), port);
      proxy.awaitListening(Duration.ofSeconds(30));
      return proxy;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Vert.x proxy: " + e.getMessage(), e);
    }
  }

  /** The proxy itself: {@code VertxProxy <port> <upstream port>}. */
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(128));
    // one server on one event loop, as the gateway serves
    vertx
        .deployVerticle(
            () ->
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    return vertx
                        .createHttpServer()
                        .requestHandler(req -> forward(client, upstream, req))
                        .listen(port, "127.0.0.1");
                  }
                },
            new DeploymentOptions())
        .onFailure(
            cause -> {
              cause.printStackTrace();
              System.exit(1);
            });
  }

  private static void forward(HttpClient client, int upstream, HttpServerRequest req) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(req.method())
            .setHost("127.0.0.1")
            .setPort(upstream)
            .setURI(req.uri())
            .setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
    options.getHeaders().remove(HttpHeaders.CONNECTION);
    req.body()
        .compose(body -> client.request(options).compose(out -> out.send(body)))
        .compose(
            answer ->
                answer
                    .body()
                    .onSuccess(
                        body -> {
                          req.response().setStatusCode(answer.statusCode());
                          req.response()
                              .headers()
                              .addAll(answer.headers())
                              .remove(HttpHeaders.CONNECTION);
                          req.response().end(body);
                        }))
        .onFailure(cause -> req.response().setStatusCode(502).end());
  }
}
