package io.astro.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.SigningKeys;
import io.astro.common.auth.TokenIssuer;
import io.astro.common.config.Env;
import io.astro.common.runtime.Service;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * app-service started the way Main starts it, on a test database and broker, with a client for its
 * API.
 */
public final class RunningAppService implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Service service;
  private final String base;
  private final TokenIssuer issuer;

  private RunningAppService(Service service, TokenIssuer issuer) {
    this.service = service;
    this.base = "http://127.0.0.1:" + service.httpPort();
    this.issuer = issuer;
  }

  /**
   * Starts with a fresh signing key pair whose public half the service trusts; {@code extra} adds
   * settings.
   */
  public static RunningAppService start(
      TestDatabase db, String kafkaBootstrap, Map<String, String> extra) {
    return start(db, kafkaBootstrap, extra, SigningKeys.generate());
  }

  /**
   * Starts trusting {@code keys}: instances started with the same keys accept each other's tokens.
   */
  public static RunningAppService start(
      TestDatabase db, String kafkaBootstrap, Map<String, String> extra, SigningKeys keys) {
    Map<String, String> vars =
        new HashMap<>(
            Map.of(
                "ASTRO_APP_SERVICE_PORT", "0",
                "ASTRO_HTTP_HOST", "127.0.0.1",
                "ASTRO_DB_HOST", db.host(),
                "ASTRO_DB_PORT", Integer.toString(db.port()),
                "ASTRO_DB_NAME", db.database(),
                "ASTRO_DB_USER", db.user(),
                "ASTRO_DB_PASSWORD", db.password(),
                "ASTRO_KAFKA_BOOTSTRAP", kafkaBootstrap,
                "ASTRO_JWT_PUBLIC_JWK", keys.publicJwk().encode()));
    vars.put("ASTRO_USER_SERVICE_URL", FakeAccounts.shared().url());
    vars.put("ASTRO_DISABLED_USERS_POLL", "200ms");
    // the fake clusters listen on loopback, over http: allowed here as dev mode allows them
    vars.put("ASTRO_CLUSTER_ALLOWED_CIDRS", "127.0.0.0/8,::1/128");
    vars.put("ASTRO_CLUSTER_ALLOW_HTTP", "true");
    vars.putAll(extra);
    Env env = Env.of(vars);
    Service service = Main.start(env).await();
    return new RunningAppService(
        service,
        TokenIssuer.create(service.vertx(), JwtSettings.from(env), keys, Duration.ofHours(1)));
  }

  @Override
  public void close() {
    service.close().await();
  }

  /** Where the service listens, e.g. for a client of its own (streaming). */
  public String baseUrl() {
    return base;
  }

  /** A token for a user with this numeric id. */
  public String token(long userId) {
    return token(UUID.randomUUID().toString(), userId);
  }

  /** A token for the user with this uuid and numeric id. */
  public String token(String uuid, long userId) {
    return issuer.issue(uuid, userId, "user").token();
  }

  /** A token for an operator (role admin) with this numeric id. */
  public String adminToken(long userId) {
    return issuer.issue(UUID.randomUUID().toString(), userId, "admin").token();
  }

  public HttpResponse<String> send(
      String method, String path, JsonObject body, String token, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::setHeader);
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
  }

  public HttpResponse<String> get(String path, String token) {
    return send("GET", path, null, token, Map.of());
  }

  public HttpResponse<String> post(String path, JsonObject body, String token) {
    return send("POST", path, body, token, Map.of());
  }

  /** Creates an app and returns it; fails the test unless the answer is 201. */
  public JsonObject create(String token, String name, String image, int replicas) {
    HttpResponse<String> response =
        post(
            "/api/v1/apps",
            new JsonObject().put("name", name).put("image", image).put("replicas", replicas),
            token);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return data(response);
  }

  /** Polls GET /apps/{id} until {@code condition} holds (bounded), returning the last answer. */
  public JsonObject awaitApp(String id, String token, Predicate<HttpResponse<String>> condition) {
    HttpResponse<String> last =
        Eventually.await(
            "app " + id + " to match",
            Duration.ofSeconds(30),
            () -> get("/api/v1/apps/" + id, token),
            condition);
    return last.statusCode() == 200 ? data(last) : new JsonObject(last.body());
  }

  public static JsonObject data(HttpResponse<String> response) {
    return new JsonObject(response.body()).getJsonObject("data");
  }

  public static int code(HttpResponse<String> response) {
    return new JsonObject(response.body()).getInteger("code");
  }
}
