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
 * The gateway's own calls to upstreams — JWKS, the disabled-users list, health probes, personal
 * token exchanges (with a client of their own). They use a separate small connection pool, so a
 * burst of proxied traffic filling the proxy pools can never delay the calls that keep
 * authentication current.
 */
public final class ControlClient {

  private final HttpClient client;
  private final long timeoutMillis;

  public ControlClient(Vertx vertx, Duration timeout) {
    this(vertx, timeout, 4);
  }

  public ControlClient(Vertx vertx, Duration timeout, int connections) {
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(connections));
    this.timeoutMillis = timeout.toMillis();
  }

  /** An answer's status and JSON body (null when it has none or not JSON). */
  public record Answer(int status, JsonObject body) {}

  /** POSTs {@code body} as JSON; fails only when no answer arrives in time. */
  public Future<Answer> postJson(URI uri, JsonObject body) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(uri.toString())
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis)
            .putHeader("Content-Type", "application/json");
    return client
        .request(options)
        .compose(request -> request.send(body.toBuffer()))
        .compose(
            response ->
                response
                    .body()
                    .map(
                        received -> {
                          JsonObject json;
                          try {
                            json = received.length() == 0 ? null : received.toJsonObject();
                          } catch (RuntimeException malformed) {
                            json = null;
                          }
                          return new Answer(response.statusCode(), json);
                        }));
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
