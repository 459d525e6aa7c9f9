package io.astro.dev.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.events.Topics;
import io.astro.dev.e2e.Gateway.Answer;
import io.astro.dev.e2e.Gateway.User;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every route refuses what it cannot use with a 4xx in the envelope — naming the field when one is
 * at fault — and stores nothing: no account, no app, no command, nothing in the cluster.
 */
class BadInputEndToEndTest {

  @RegisterExtension static final RunningAstro astro = new RunningAstro();

  @Test
  void sign_up_and_log_in_refuse_bad_input_and_create_no_account() {
    Gateway api = astro.gateway();
    User taken = api.newUser("taken");
    String good = "correct horse battery";
    expect(register(new JsonObject()), 400, 10001, "username", "email", "password");
    expect(register(account("ab", "ab@example.org", good)), 400, 10001, "username");
    expect(register(account("has space", "s@example.org", good)), 400, 10001, "username");
    expect(register(account("x".repeat(21), "long@example.org", good)), 400, 10001, "username");
    expect(register(account("nomail", "not-an-email", good)), 400, 10001, "email");
    expect(register(account("short", "short@example.org", "1234567")), 400, 10001, "password");
    expect(
        register(account("longpw", "longpw@example.org", "é".repeat(37))), 400, 10001, "password");
    // a field the request does not have is refused, not ignored
    String extra = "extra" + taken.username().substring(5);
    expect(
        register(account(extra, "extra@ok.example.org", good).put("role", "admin")),
        400,
        10001,
        "role");
    expect(api.send("POST", "/api/v1/register", null, "{\"username\":", Map.of()), 400, 10001);
    expect(api.send("POST", "/api/v1/register", null, "[]", Map.of()), 400, 10001);
    expect(
        api.send(
            "POST",
            "/api/v1/register",
            null,
            "username=x",
            Map.of("Content-Type", "application/x-www-form-urlencoded")),
        415,
        10007);
    expect(
        register(account(taken.username().toUpperCase(Locale.ROOT), "other@example.org", good)),
        409,
        20001);
    expect(
        register(account("fresh" + taken.username(), taken.username() + "@example.org", good)),
        409,
        20001);

    Answer wrongPassword =
        api.post(
            "/api/v1/login",
            null,
            new JsonObject().put("username", taken.username()).put("password", "not the password"));
    Answer unknownUser =
        api.post(
            "/api/v1/login",
            null,
            new JsonObject()
                .put("username", "nobody" + taken.username())
                .put("password", "not the password"));
    expect(wrongPassword, 401, 20009);
    expect(unknownUser, 401, 20009);
    assertThat(unknownUser.envelope().getString("message"))
        .isEqualTo(wrongPassword.envelope().getString("message"));
    expect(api.post("/api/v1/login", null, new JsonObject()), 400, 10001);
    expect(
        api.post(
            "/api/v1/login",
            null,
            new JsonObject().put("username", taken.username()).put("password", good).put("otp", 1)),
        400,
        10001,
        "otp");

    // none of the refused names exists: each can still be registered
    for (String name : List.of("nomail", "short", "longpw", "extra")) {
      assertThat(
              register(
                      account(name + taken.username().substring(5), name + "@ok.example.org", good))
                  .status())
          .isEqualTo(201);
    }
  }

  @Test
  void protected_routes_refuse_a_missing_forged_or_expired_token() {
    Gateway api = astro.gateway();
    User user = api.newUser("tok");
    String forged = user.token().substring(0, user.token().lastIndexOf('.') + 1) + "AAAA";
    for (String path :
        List.of("/api/v1/apps", "/api/v1/users/me", "/api/v1/apps/" + UUID.randomUUID())) {
      expect(api.get(path, null), 401, 10002);
      expect(api.get(path, "not-a-jwt"), 401, 10002);
      expect(api.get(path, forged), 401, 10002);
    }
    expect(api.post("/api/v1/apps", null, app("web", "nginx", 1)), 401, 10002);
    expect(api.get("/api/v1/nothing-here", user.token()), 404, 10004);
  }

  @Test
  void the_apps_api_refuses_bad_input_on_every_route_and_stores_nothing() {
    Gateway api = astro.gateway();
    User user = api.newUser("bad");
    String token = user.token();
    JsonObject existing = api.create(user, "kept", 1);
    String id = existing.getString("id");
    String namespace = existing.getString("namespace");

    // create
    expect(api.post("/api/v1/apps", token, new JsonObject()), 400, 10001, "name", "image");
    expect(api.post("/api/v1/apps", token, app("Web", "nginx", 1)), 400, 10001, "name");
    expect(api.post("/api/v1/apps", token, app("-web", "nginx", 1)), 400, 10001, "name");
    expect(api.post("/api/v1/apps", token, app("w".repeat(41), "nginx", 1)), 400, 10001, "name");
    expect(api.post("/api/v1/apps", token, app("web", "not an image!", 1)), 400, 10001, "image");
    expect(api.post("/api/v1/apps", token, app("web", "", 1)), 400, 10001, "image");
    expect(api.post("/api/v1/apps", token, app("web", "nginx", 11)), 400, 10001, "replicas");
    expect(api.post("/api/v1/apps", token, app("web", "nginx", -1)), 400, 10001, "replicas");
    expect(
        api.post("/api/v1/apps", token, app("web", "nginx", 1).put("replicas", "two")),
        400,
        10001,
        "replicas");
    expect(
        api.post("/api/v1/apps", token, app("web", "nginx", 1).put("port", 0)), 400, 10001, "port");
    expect(
        api.post("/api/v1/apps", token, app("web", "nginx", 1).put("port", 70000)),
        400,
        10001,
        "port");
    expect(
        api.post("/api/v1/apps", token, app("web", "nginx", 1).put("port", "http")),
        400,
        10001,
        "port");
    expect(
        api.post("/api/v1/apps", token, app("web", "nginx", 1).put("replica", 3)),
        400,
        10001,
        "replica");
    expect(
        api.post(
            "/api/v1/apps",
            token,
            app("web", "nginx", 1).put("volumes", new JsonObject().put("/data", "1Gi"))),
        400,
        10001,
        "volumes");
    expect(api.send("POST", "/api/v1/apps", token, "{\"name\":\"web\"", Map.of()), 400, 10001);
    expect(api.send("POST", "/api/v1/apps", token, "[1,2]", Map.of()), 400, 10001);
    expect(
        api.send("POST", "/api/v1/apps", token, "name=web", Map.of("Content-Type", "text/plain")),
        415,
        10007);
    expect(
        api.send(
            "POST",
            "/api/v1/apps",
            token,
            app("web", "nginx", 1).encode(),
            Map.of("Idempotency-Key", "not valid!")),
        400,
        10001,
        "Idempotency-Key");
    expect(
        api.send(
            "POST",
            "/api/v1/apps",
            token,
            "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}",
            Map.of()),
        413,
        10006);
    expect(api.post("/api/v1/apps", token, app("kept", "nginx", 1)), 409, 21002);

    // list
    expect(api.get("/api/v1/apps?page=0", token), 400, 10001, "page");
    expect(api.get("/api/v1/apps?limit=101", token), 400, 10001, "limit");
    expect(api.get("/api/v1/apps?limit=ten", token), 400, 10001, "limit");
    expect(api.get("/api/v1/apps?status=sleeping", token), 400, 10001, "status");
    expect(api.get("/api/v1/apps?search=" + "s".repeat(41), token), 400, 10001, "search");

    // every per-app route: an unknown id and a malformed one are both "no such app"
    for (String missing : List.of(UUID.randomUUID().toString(), "not-an-id", "0")) {
      String base = "/api/v1/apps/" + missing;
      expect(api.get(base, token), 404, 21001);
      for (String action : List.of("start", "stop", "restart")) {
        expect(api.post(base + "/" + action, token, null), 404, 21001);
      }
      expect(api.post(base + "/scale", token, new JsonObject().put("replicas", 2)), 404, 21001);
      expect(api.delete(base, token), 404, 21001);
      expect(api.get(base + "/logs", token), 404, 21001);
      expect(api.get(base + "/events", token), 404, 21001);
    }

    // per-app routes of an existing app
    String base = "/api/v1/apps/" + id;
    expect(api.post(base + "/scale", token, new JsonObject()), 400, 10001, "replicas");
    expect(
        api.post(base + "/scale", token, new JsonObject().put("replicas", 11)),
        400,
        10001,
        "replicas");
    expect(
        api.post(base + "/scale", token, new JsonObject().put("replicas", "3")),
        400,
        10001,
        "replicas");
    expect(api.send("POST", base + "/scale", token, "3", Map.of()), 400, 10001);
    expect(
        api.post(base + "/scale", token, new JsonObject().put("replica", 3)),
        400,
        10001,
        "replica",
        "replicas");
    expect(api.get(base + "/logs?lines=0", token), 400, 10001, "lines");
    expect(api.get(base + "/logs?lines=5001", token), 400, 10001, "lines");
    expect(api.get(base + "/logs?lines=many", token), 400, 10001, "lines");
    expect(api.get(base + "/logs?container=Not_A_Name", token), 400, 10001, "container");
    expect(api.get(base + "/logs?previous=maybe", token), 400, 10001, "previous");
    expect(api.get(base + "/logs?previous=true&follow=true", token), 400, 10001, "follow");
    expect(api.get(base + "/events?page=0", token), 400, 10001, "page");
    expect(api.get(base + "/events?limit=1000", token), 400, 10001, "limit");

    // nothing stored: one app, one command, one Deployment — those of the valid create
    Answer list = api.get("/api/v1/apps", token);
    assertThat(list.data().getLong("total")).isEqualTo(1);
    api.awaitRunning(user, id, 1);
    JsonObject kept = api.get(base, token).data();
    assertThat(kept.getLong("generation")).isEqualTo(1);
    assertThat(kept.getInteger("replicas")).isEqualTo(1);
    assertThat(
            astro
                .kafka()
                .awaitRecords(
                    Topics.APP_COMMANDS,
                    1,
                    // tombstones of deleted apps (null values) share the topic
                    r ->
                        r.value() != null
                            && r.value().contains("\"namespace\":\"" + namespace + "\""),
                    Duration.ofSeconds(30)))
        .hasSize(1);
  }

  private static Answer register(JsonObject account) {
    return astro.gateway().post("/api/v1/register", null, account);
  }

  private static JsonObject account(String username, String email, String password) {
    return new JsonObject().put("username", username).put("email", email).put("password", password);
  }

  private static JsonObject app(String name, String image, int replicas) {
    return new JsonObject().put("name", name).put("image", image).put("replicas", replicas);
  }

  /**
   * The status, the code, the envelope, and — for a validation error — exactly the fields named.
   */
  private static void expect(Answer answer, int status, int code, String... fields) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    JsonObject envelope = answer.envelope();
    assertThat(envelope.fieldNames()).as(answer.body()).contains("code", "message", "data");
    assertThat(envelope.getInteger("code")).as(answer.body()).isEqualTo(code);
    assertThat(envelope.getString("message")).isNotBlank();
    if (fields.length > 0) {
      List<String> named = new ArrayList<>();
      envelope
          .getJsonObject("data")
          .getJsonArray("fields")
          .forEach(f -> named.add(((JsonObject) f).getString("field")));
      assertThat(named).as(answer.body()).containsExactlyInAnyOrder(fields);
    }
  }
}
