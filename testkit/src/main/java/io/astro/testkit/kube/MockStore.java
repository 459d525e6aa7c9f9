package io.astro.testkit.kube;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Direct reads and writes of the CRUD mock's storage, for the proxy's admission steps. */
final class MockStore {

  record Answer(int code, Buffer body) {}

  /**
   * How long a request may wait for a connection, or for the mock's next bytes. Without a bound, an
   * answer that did not come held a sandbox controller's work queue as long (cert-manager's syncs
   * of a namespace run one at a time); failed, the controller retries.
   */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClientAgent http;
  private final String host;
  private final int port;
  private final long timeoutMillis;

  MockStore(HttpClientAgent http, String host, int port) {
    this(http, host, port, REQUEST_TIMEOUT);
  }

  MockStore(HttpClientAgent http, String host, int port, Duration timeout) {
    this.http = http;
    this.host = host;
    this.port = port;
    this.timeoutMillis = timeout.toMillis();
  }

  /** The stored object, or null when there is none. */
  Future<JsonObject> get(String path) {
    return send(HttpMethod.GET, path, null)
        .map(a -> a.code() == 200 ? a.body().toJsonObject() : null);
  }

  /**
   * The objects of a collection; fails unless the mock answered 200. An unanswered read is not an
   * empty collection: taken as one, a quota check would count no pods, a namespace's removal would
   * find nothing left, and the fake cert-manager's sync after {@code hold(false)} found nothing
   * wanted, wrote nothing and succeeded, leaving held Certificates pending for good.
   */
  Future<List<JsonObject>> list(String path) {
    return send(HttpMethod.GET, path, null)
        .compose(
            a -> {
              if (a.code() != 200) {
                return Future.failedFuture(
                    "GET " + path + " answered " + a.code() + " " + a.body());
              }
              List<JsonObject> out = new ArrayList<>();
              for (Object o : a.body().toJsonObject().getJsonArray("items", new JsonArray())) {
                if (o instanceof JsonObject j) {
                  out.add(j);
                }
              }
              return Future.succeededFuture(out);
            });
  }

  Future<Answer> send(HttpMethod method, String path, JsonObject body) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost(host)
            .setPort(port)
            .setURI(path)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis);
    if (body != null) {
      options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    return http.request(options)
        .compose(req -> body == null ? req.send() : req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b)));
  }
}
