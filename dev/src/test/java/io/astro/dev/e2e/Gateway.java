package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.testkit.Eventually;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The public HTTP API as a client sees it: plain HTTP to the gateway, answers in the envelope, each
 * checked against the API document ({@link ApiContract}).
 */
public final class Gateway {

  public static final Duration WAIT = Duration.ofSeconds(60);
  private static final AtomicInteger USERS = new AtomicInteger();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          // as curl speaks it; the JDK client's default h2c upgrade once left a request hanging
          // past its timeout
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private final String base;

  public Gateway(String base) {
    this.base = base;
  }

  /** An answer: status, body, and the envelope when the body is one. */
  public record Answer(int status, String body) {
    public JsonObject envelope() {
      return new JsonObject(body);
    }

    public int code() {
      return envelope().getInteger("code");
    }

    public JsonObject data() {
      return envelope().getJsonObject("data");
    }

    public JsonArray items() {
      return data().getJsonArray("items");
    }
  }

  /** A registered, logged-in user. */
  public record User(String username, String uuid, String token) {}

  public Answer send(
      String method, String path, String token, String body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::setHeader);
    Answer answer;
    String contentType;
    try {
      HttpResponse<String> response =
          HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
              .get(15, java.util.concurrent.TimeUnit.SECONDS);
      answer = new Answer(response.statusCode(), response.body());
      contentType = response.headers().firstValue("Content-Type").orElse(null);
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
    // every answer a test sees is one the API document allows
    ApiContract.get().check(method, path, answer.status(), contentType, answer.body());
    return answer;
  }

  public Answer get(String path, String token) {
    return send("GET", path, token, null, Map.of());
  }

  public Answer post(String path, String token, JsonObject body) {
    return send("POST", path, token, body == null ? null : body.encode(), Map.of());
  }

  public Answer delete(String path, String token) {
    return send("DELETE", path, token, null, Map.of());
  }

  /** Registers a new user (a fresh name each call) and logs in. */
  public User newUser(String prefix) {
    String username = prefix + USERS.incrementAndGet();
    String password = "correct horse battery " + username;
    Answer registered =
        post(
            "/api/v1/register",
            null,
            new JsonObject()
                .put("username", username)
                .put("email", username + "@example.org")
                .put("password", password));
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    return login(username, password, registered.data().getString("uuid"));
  }

  public User login(String username, String password, String uuid) {
    Answer login =
        post(
            "/api/v1/login",
            null,
            new JsonObject().put("username", username).put("password", password));
    assertThat(login.status()).as(login.body()).isEqualTo(200);
    return new User(username, uuid, login.data().getString("token"));
  }

  /** Creates an app; fails unless the answer is 201. */
  public JsonObject create(User user, JsonObject app) {
    Answer created = post("/api/v1/apps", user.token(), app);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.data();
  }

  public JsonObject create(User user, String name, int replicas) {
    return create(
        user,
        new JsonObject()
            .put("name", name)
            .put("image", "nginx:1.27")
            .put("replicas", replicas)
            .put("port", 80));
  }

  /** An action (start, stop, restart, scale) that must be accepted (202); answers the app. */
  public JsonObject act(User user, String id, String action, JsonObject body) {
    Answer accepted = post("/api/v1/apps/" + id + "/" + action, user.token(), body);
    assertThat(accepted.status()).as(action + ": " + accepted.body()).isEqualTo(202);
    return accepted.data();
  }

  /** Reads the app until {@code condition} holds (bounded wait); answers the last detail. */
  public JsonObject awaitApp(User user, String id, String what, Predicate<JsonObject> condition) {
    return awaitAnswer(
            user, "/api/v1/apps/" + id, what, a -> a.status() == 200 && condition.test(a.data()))
        .data();
  }

  public JsonObject awaitStatus(User user, String id, String status) {
    return awaitApp(user, id, "status " + status, app -> status.equals(app.getString("status")));
  }

  /** {@code running} with every replica ready, each pod listed ready. */
  public JsonObject awaitRunning(User user, String id, int replicas) {
    return awaitApp(
        user,
        id,
        "running with " + replicas + " ready",
        app ->
            "running".equals(app.getString("status"))
                && app.getInteger("ready_replicas", -1) == replicas
                && app.getJsonArray("pods").size() == replicas
                && app.getJsonArray("pods").stream()
                    .allMatch(p -> ((JsonObject) p).getBoolean("ready")));
  }

  public Answer awaitAnswer(User user, String path, String what, Predicate<Answer> condition) {
    return Eventually.await(
        "GET " + path + " to show " + what, WAIT, () -> get(path, user.token()), condition);
  }

  public static List<String> podNames(JsonObject app) {
    return app.getJsonArray("pods").stream().map(p -> ((JsonObject) p).getString("name")).toList();
  }
}
