package io.astro.bench.load;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** The public API for the untimed steps around a measurement: accounts, apps to list, waits. */
public final class Api {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  public static final String PASSWORD = "correct horse battery staple";

  private final String base;

  public Api(String base) {
    this.base = base;
  }

  public record Answer(int status, String body, long receivedAtMillis) {
    public JsonObject data() {
      return new JsonObject(body).getJsonObject("data");
    }
  }

  /** A registered, logged-in user. */
  public record User(String username, String token) {}

  public Answer send(String method, String path, String token, JsonObject body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body(), System.currentTimeMillis());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  public Answer expect(int status, String method, String path, String token, JsonObject body) {
    Answer answer = send(method, path, token, body);
    if (answer.status() != status) {
      throw new IllegalStateException(
          method + " " + path + " answered " + answer.status() + ": " + answer.body());
    }
    return answer;
  }

  public static String loginBody(String username) {
    return new JsonObject().put("username", username).put("password", PASSWORD).encode();
  }

  public User newUser(String username) {
    expect(
        201,
        "POST",
        "/api/v1/register",
        null,
        new JsonObject()
            .put("username", username)
            .put("email", username + "@bench.example")
            .put("password", PASSWORD));
    return login(username);
  }

  public User login(String username) {
    Answer login = expect(200, "POST", "/api/v1/login", null, new JsonObject(loginBody(username)));
    return new User(username, login.data().getString("token"));
  }

  public static JsonObject app(String name) {
    return new JsonObject()
        .put("name", name)
        .put("image", "nginx:1.27")
        .put("replicas", 1)
        .put("port", 80);
  }

  /**
   * Creates an app (201) and answers the response, stamped with the wall-clock time it was read.
   */
  public Answer create(User user, String name) {
    return expect(201, "POST", "/api/v1/apps", user.token(), app(name));
  }

  public void delete(User user, String id) {
    expect(202, "DELETE", "/api/v1/apps/" + id, user.token(), null);
  }

  /** Polls {@code path} until the answer satisfies {@code condition}, at most {@code bound}. */
  public Answer await(User user, String path, Duration bound, Predicate<Answer> condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    Answer last = send("GET", path, user.token(), null);
    while (!condition.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "GET "
                + path
                + " never satisfied the wait; last "
                + last.status()
                + " "
                + last.body().substring(0, Math.min(300, last.body().length())));
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
      last = send("GET", path, user.token(), null);
    }
    return last;
  }
}
