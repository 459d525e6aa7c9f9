package io.astro.gateway;

import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.SigningKeys;
import io.astro.common.auth.TokenIssuer;
import io.astro.common.config.Env;
import io.astro.common.runtime.Service;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real gateway in this JVM between two fake upstreams, with a key pair whose public half the fake
 * user-service publishes as JWKS, and a client that talks to the gateway over HTTP.
 */
final class GatewayFixture implements AutoCloseable {

  static final JwtSettings JWT = new JwtSettings("astro", "astro-api", Duration.ofSeconds(30));
  static final long WAIT_SECONDS = 20;

  private static final java.net.http.HttpClient JDK_CLIENT =
      java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1)
          .build();

  final Vertx vertx = Vertx.vertx();
  final FakeUpstream users = new FakeUpstream(vertx);
  final FakeUpstream apps = new FakeUpstream(vertx);
  final SigningKeys keys = SigningKeys.generate();
  final TokenIssuer issuer = TokenIssuer.create(vertx, JWT, keys, Duration.ofMinutes(10));
  private final Map<String, String> env = new HashMap<>();
  Service gateway;
  HttpClient client;

  /** A reply as the client saw it. */
  record Reply(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    int code() {
      return json().getInteger("code");
    }
  }

  GatewayFixture() {
    users.jwks.set(new JsonObject().put("keys", new JsonArray().add(keys.publicJwk())));
    env.put("ASTRO_GATEWAY_PORT", "0");
    env.put("ASTRO_HTTP_HOST", "127.0.0.1");
    env.put("ASTRO_GATEWAY_DISABLED_POLL", "100ms");
    env.put("ASTRO_GATEWAY_RETRY_BACKOFF", "10ms");
  }

  GatewayFixture with(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Starts both upstreams, then the gateway pointing at them. */
  GatewayFixture start() {
    users.start();
    apps.start();
    return startGateway();
  }

  GatewayFixture startGateway() {
    env.putIfAbsent("ASTRO_USER_SERVICE_URL", users.url());
    env.putIfAbsent("ASTRO_APP_SERVICE_URL", apps.url());
    gateway = await(Main.start(Env.of(env)));
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.httpPort()),
            new PoolOptions().setHttp1MaxSize(4));
    return this;
  }

  String token() {
    return token(UUID.randomUUID().toString());
  }

  String token(String uuid) {
    return issuer.issue(uuid, 42, "user").token();
  }

  String token(String uuid, long tokenVersion) {
    return issuer.issue(uuid, 42, "user", tokenVersion).token();
  }

  Reply get(String path, String token) {
    return send(HttpMethod.GET, path, bearer(token), null);
  }

  Reply post(String path, String token, String json) {
    MultiMap headers = bearer(token).add("Content-Type", "application/json");
    return send(HttpMethod.POST, path, headers, Buffer.buffer(json));
  }

  /** A GET on the management port ({@code /ready}, {@code /metrics}). */
  Reply getManagement(String path) {
    return send(gateway.managementPort(), HttpMethod.GET, path, bearer(null), null);
  }

  /** Over the JDK's client: independent of the Vert.x client under test elsewhere. */
  Reply send(HttpMethod method, String path, MultiMap headers, Buffer body) {
    return send(gateway.httpPort(), method, path, headers, body);
  }

  private Reply send(int port, HttpMethod method, String path, MultiMap headers, Buffer body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(WAIT_SECONDS))
            .method(
                method.name(),
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body.getBytes()));
    headers.forEach(request::header);
    try {
      HttpResponse<String> response =
          JDK_CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      MultiMap received = MultiMap.caseInsensitiveMultiMap();
      response.headers().map().forEach(received::add);
      return new Reply(response.statusCode(), received, response.body());
    } catch (java.io.IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Over the Vert.x client, which sends whatever headers it is given (hop-by-hop ones included).
   */
  Reply sendRaw(HttpMethod method, String path, MultiMap headers, Buffer body) {
    return await(
        client
            .request(new RequestOptions().setMethod(method).setURI(path).setHeaders(headers))
            .compose(request -> body == null ? request.send() : request.send(body))
            .compose(
                response ->
                    response
                        .body()
                        .map(
                            b ->
                                new Reply(
                                    response.statusCode(), response.headers(), b.toString()))));
  }

  String metrics() {
    return getManagement("/metrics").body();
  }

  static MultiMap bearer(String token) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (token != null) {
      headers.add("Authorization", "Bearer " + token);
    }
    return headers;
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within " + WAIT_SECONDS + " s", e);
    }
  }

  /**
   * Re-checks {@code condition} until it holds, pausing briefly between checks; fails after the
   * bound. The bound is a safety net for a hung system, not a timing claim.
   */
  void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never happened within " + WAIT_SECONDS + " s: " + what);
      }
      await(vertx.timer(20, TimeUnit.MILLISECONDS));
    }
  }

  @Override
  public void close() {
    if (gateway != null) {
      await(gateway.close());
    }
    await(vertx.close());
  }
}
