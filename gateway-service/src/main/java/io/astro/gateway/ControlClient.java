package io.astro.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;

/**
 * The gateway's own calls to upstreams — JWKS, the disabled-users list, health probes. They use a
 * separate small connection pool, so a burst of proxied traffic filling the proxy pools can never
 * delay the calls that keep authentication current.
 */
public final class ControlClient {

  private final HttpClient client;
  private final long timeoutMillis;

  public ControlClient(Vertx vertx, Duration timeout) {
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(4));
    this.timeoutMillis = timeout.toMillis();
  }

  /** The JSON body of a 200 answer; any other status, a timeout or a malformed body fails. */
  public Future<JsonObject> getJson(URI uri) {
    return get(uri)
        .compose(
            body -> {
              try {
                return Future.succeededFuture(body.toJsonObject());
              } catch (RuntimeException e) {
                return Future.failedFuture(
                    new IllegalStateException(uri.getPath() + " answered malformed JSON"));
              }
            });
  }

  /** Succeeds when {@code uri} answers 200. */
  public Future<Void> probe(URI uri) {
    return get(uri).mapEmpty();
  }

  private Future<Buffer> get(URI uri) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(uri.toString())
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis);
    return client
        .request(options)
        .compose(request -> request.send())
        .compose(
            response ->
                response.statusCode() == 200
                    ? response.body()
                    : response.body().transform(ignored -> failure(uri, response)));
  }

  private static Future<Buffer> failure(URI uri, HttpClientResponse response) {
    return Future.failedFuture(
        new IllegalStateException(uri.getPath() + " answered " + response.statusCode()));
  }
}
