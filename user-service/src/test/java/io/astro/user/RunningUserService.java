package io.astro.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.config.Env;
import io.astro.common.events.Topics;
import io.astro.common.runtime.Service;
import io.astro.testkit.db.TestDatabase;
import io.astro.testkit.kafka.KafkaBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * user-service started the way Main starts it, on a test database and broker, with a client for its
 * API.
 */
public final class RunningUserService implements AutoCloseable {

  /** The password {@link #register} and {@link #signUp} give new accounts. */
  public static final String PASSWORD = "a long password";

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Service service;
  private final Env env;
  private final String base;

  private RunningUserService(Service service, Env env) {
    this.service = service;
    this.env = env;
    this.base = "http://127.0.0.1:" + service.httpPort();
  }

  /**
   * Starts on {@code db} and {@code broker}, publishing account events and audit lines to topics of
   * its own ({@link #usersTopic()}, {@link #auditTopic()}); {@code extra} adds settings.
   */
  public static RunningUserService start(
      TestDatabase db, KafkaBroker broker, Map<String, String> extra) {
    String users = KafkaBroker.uniqueTopicName(Topics.USERS);
    String audit = KafkaBroker.uniqueTopicName(Topics.AUDIT);
    broker.createTopic(users, 3);
    broker.createTopic(audit, 3);
    Map<String, String> vars = new HashMap<>(extra);
    vars.put("ASTRO_USERS_TOPIC", users);
    vars.put("ASTRO_AUDIT_TOPIC", audit);
    return launch(db, broker.bootstrapServers(), vars);
  }

  /**
   * Starts on {@code db} with no broker to reach: account events and audit lines wait in the outbox
   * (AccountLifecycleTest and AuditTrailTest see them published); {@code extra} adds settings.
   */
  public static RunningUserService startWithoutBroker(TestDatabase db, Map<String, String> extra) {
    return launch(db, "127.0.0.1:1", extra);
  }

  /**
   * {@code settings} with the limits per client address lifted: every request of a test comes from
   * one address (LoginLimitsTest covers those limits).
   */
  public static Map<String, String> fromOneAddress(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.put("ASTRO_LOGIN_IP_MAX_FAILURES", "1000");
    all.put("ASTRO_SIGNUP_MAX_PER_IP", "1000");
    return all;
  }

  private static RunningUserService launch(
      TestDatabase db, String kafkaBootstrap, Map<String, String> extra) {
    Map<String, String> vars =
        new HashMap<>(
            Map.of(
                "ASTRO_USER_SERVICE_PORT", "0",
                "ASTRO_HTTP_HOST", "127.0.0.1",
                "ASTRO_DB_HOST", db.host(),
                "ASTRO_DB_PORT", Integer.toString(db.port()),
                "ASTRO_DB_NAME", db.database(),
                "ASTRO_DB_USER", db.user(),
                "ASTRO_DB_PASSWORD", db.password(),
                "ASTRO_KAFKA_BOOTSTRAP", kafkaBootstrap));
    // room for a loaded machine: the start reads the admin account before serving
    vars.put("ASTRO_DB_CONNECT_TIMEOUT", "10s");
    // the same hashing pool whatever the machine's cores
    vars.put("ASTRO_BCRYPT_THREADS", "2");
    vars.putAll(extra);
    return launch(Env.of(vars));
  }

  private static RunningUserService launch(Env env) {
    return new RunningUserService(Main.start(env).await(), env);
  }

  /** Another instance beside this one: the same database and broker, {@code changes} applied. */
  public RunningUserService startAnother(Map<String, String> changes) {
    return launch(env.with(changes));
  }

  /**
   * Starts another instance with {@code changes}, failing the test unless the start is refused;
   * answers why it was.
   */
  public Throwable refusedStart(Map<String, String> changes) {
    Future<Service> started = Main.start(env.with(changes));
    started.<Void>transform(settled -> Future.succeededFuture()).await();
    if (started.succeeded()) {
      started.result().close().await();
    }
    assertThat(started.failed()).as("start-up refused").isTrue();
    return started.cause();
  }

  @Override
  public void close() {
    service.close().await();
  }

  /** The settings it runs with. */
  public Env env() {
    return env;
  }

  /** Where its account events ({@code io.astro.user.v1}) go. */
  public String usersTopic() {
    return env.required("ASTRO_USERS_TOPIC");
  }

  /** Where its audit lines ({@code io.astro.audit.v1}) go. */
  public String auditTopic() {
    return env.required("ASTRO_AUDIT_TOPIC");
  }

  public Vertx vertx() {
    return service.vertx();
  }

  /** Where the service listens, e.g. for a request the helpers here cannot send. */
  public String baseUrl() {
    return base;
  }

  /**
   * {@code body} as JSON (none when null), {@code token} as the bearer (none when null), and {@code
   * headers}.
   */
  public HttpResponse<String> send(
      String method, String path, JsonObject body, String token, Map<String, String> headers) {
    try {
      return HTTP.send(
          request(method, path, body, token, headers), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      // unchecked and no Error, so that a wait (Eventually) takes it for "not yet"
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + method + " " + path, e);
    }
  }

  public HttpResponse<String> send(String method, String path, JsonObject body, String token) {
    return send(method, path, body, token, Map.of());
  }

  /** {@link #send} without waiting for the answer, for requests that must be in flight together. */
  public CompletableFuture<HttpResponse<String>> sendAsync(
      String method, String path, JsonObject body, String token, Map<String, String> headers) {
    return HTTP.sendAsync(
        request(method, path, body, token, headers), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> get(String path, String token) {
    return send("GET", path, null, token);
  }

  public HttpResponse<String> post(String path, JsonObject body, String token) {
    return send("POST", path, body, token);
  }

  /** Registers an account with {@link #PASSWORD}, answering whatever the service answers. */
  public HttpResponse<String> register(String username, String email) {
    return post("/api/v1/register", registration(username, email), null);
  }

  /**
   * Registers an account with {@link #PASSWORD} and logs it in, failing the test unless both
   * succeed; answers the session ({@code token}, {@code uuid}, {@code expires_at}).
   */
  public JsonObject signUp(String username, String email) {
    HttpResponse<String> created = register(username, email);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return login(username, PASSWORD);
  }

  /**
   * Logs in by username or email, failing the test unless the answer is 200; answers the session
   * ({@code token}, {@code uuid}, {@code expires_at}).
   */
  public JsonObject login(String identifier, String password) {
    HttpResponse<String> response = post("/api/v1/login", credentials(identifier, password), null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return data(response);
  }

  public static JsonObject registration(String username, String email) {
    return new JsonObject().put("username", username).put("email", email).put("password", PASSWORD);
  }

  /** A login request: an identifier with an {@code @} is an email, any other a username. */
  public static JsonObject credentials(String identifier, String password) {
    return new JsonObject()
        .put(identifier.contains("@") ? "email" : "username", identifier)
        .put("password", password);
  }

  public static JsonObject envelope(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  public static JsonObject data(HttpResponse<String> response) {
    return envelope(response).getJsonObject("data");
  }

  public static int code(HttpResponse<String> response) {
    return envelope(response).getInteger("code");
  }

  /** The fields an answer names in {@code data.fields}. */
  public static List<String> fieldNames(HttpResponse<String> response) {
    return data(response).getJsonArray("fields").stream()
        .map(f -> ((JsonObject) f).getString("field"))
        .toList();
  }

  /**
   * The fields a refused request names, failing the test unless the answer is 400 with code 10001
   * (invalid input).
   */
  public static List<String> invalidFields(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(code(response)).isEqualTo(10001);
    return fieldNames(response);
  }

  private HttpRequest request(
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
    return b.build();
  }
}
