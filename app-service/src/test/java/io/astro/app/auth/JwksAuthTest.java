package io.astro.app.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.app.FakeAccounts;
import io.astro.app.Main;
import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.SigningKeys;
import io.astro.common.auth.TokenIssuer;
import io.astro.common.config.Env;
import io.astro.common.runtime.Service;
import io.astro.testkit.Backends;
import io.astro.testkit.Eventually;
import io.astro.testkit.db.MySqlExtension;
import io.astro.testkit.db.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The service starts before user-service; the API answers 503 until the JWKS is fetched, then
 * verifies tokens.
 */
@ExtendWith(MySqlExtension.class)
class JwksAuthTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void apps_api_waits_for_the_keys_and_works_once_user_service_is_up(TestDatabase db)
      throws Exception {
    int jwksPort = freePort();
    SigningKeys keys = SigningKeys.generate();
    Map<String, String> vars =
        new HashMap<>(
            Map.of(
                "ASTRO_APP_SERVICE_PORT",
                "0",
                "ASTRO_HTTP_HOST",
                "127.0.0.1",
                "ASTRO_DB_HOST",
                db.host(),
                "ASTRO_DB_PORT",
                Integer.toString(db.port()),
                "ASTRO_DB_NAME",
                db.database(),
                "ASTRO_DB_USER",
                db.user(),
                "ASTRO_DB_PASSWORD",
                db.password(),
                "ASTRO_KAFKA_BOOTSTRAP",
                Backends.kafka().bootstrapServers(),
                "ASTRO_JWKS_URL",
                "http://127.0.0.1:" + jwksPort + "/.well-known/jwks.json"));
    vars.put("ASTRO_USER_SERVICE_URL", FakeAccounts.shared().url());
    Env env = Env.of(vars);
    Service service = Main.start(env).await();
    Vertx userService = Vertx.vertx();
    try {
      String token =
          TokenIssuer.create(service.vertx(), JwtSettings.from(env), keys, Duration.ofHours(1))
              .issue("u-1", 7, "user")
              .token();
      String apps = "http://127.0.0.1:" + service.httpPort() + "/api/v1/apps";

      HttpResponse<String> early = get(apps, token);
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(early.body()).getInteger("code")).isEqualTo(30005);
      assertThat(get("http://127.0.0.1:" + service.httpPort() + "/health", null).statusCode())
          .isEqualTo(200);

      String jwks = new JsonObject().put("keys", new JsonArray().add(keys.publicJwk())).encode();
      HttpServer server =
          userService
              .createHttpServer()
              .requestHandler(
                  req -> req.response().putHeader("Content-Type", "application/json").end(jwks))
              .listen(jwksPort, "127.0.0.1")
              .await();
      HttpResponse<String> answer =
          Eventually.await(
              "keys fetched",
              Duration.ofSeconds(30),
              () -> get(apps, token),
              r -> r.statusCode() != 503);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(get(apps, "forged." + token.substring(token.indexOf('.') + 1)).statusCode())
          .isEqualTo(401);
      server.close().await();
    } finally {
      userService.close().await();
      service.close().await();
    }
  }

  private static HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
