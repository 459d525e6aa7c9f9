package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.gateway.GatewayFixture.Reply;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** CORS answers only for configured origins, and not at all when none are configured. */
class CorsTest {

  private static final String CONSOLE = "https://console.example.com";

  @Test
  void a_preflight_from_an_allowed_origin_is_answered_without_a_token_or_an_upstream_call() {
    try (GatewayFixture fixture =
        new GatewayFixture()
            .with("ASTRO_CORS_ORIGINS", CONSOLE + ", https://other.example.com")
            .start()) {
      Reply preflight = fixture.send(HttpMethod.OPTIONS, "/api/v1/apps", preflight(CONSOLE), null);

      assertThat(preflight.status()).isEqualTo(204);
      assertThat(preflight.headers().get("Access-Control-Allow-Origin")).isEqualTo(CONSOLE);
      assertThat(preflight.headers().get("Access-Control-Allow-Methods")).contains("POST");
      assertThat(preflight.headers().get("Access-Control-Allow-Headers"))
          .containsIgnoringCase("authorization");
      assertThat(fixture.apps.hits("/api/v1/apps")).isZero();

      Reply actual =
          fixture.send(
              HttpMethod.GET,
              "/api/v1/apps",
              GatewayFixture.bearer(fixture.token()).add("Origin", CONSOLE),
              null);
      assertThat(actual.status()).isEqualTo(200);
      assertThat(actual.headers().get("Access-Control-Allow-Origin")).isEqualTo(CONSOLE);
      assertThat(actual.headers().get("Access-Control-Expose-Headers")).contains("X-Request-Id");

      Reply foreign =
          fixture.send(
              HttpMethod.OPTIONS, "/api/v1/apps", preflight("https://evil.example.com"), null);
      assertThat(foreign.status()).isEqualTo(403);
      assertThat(foreign.body()).contains("\"code\":10003");
      assertThat(foreign.headers().get("Access-Control-Allow-Origin")).isNull();
    }
  }

  @Test
  void without_configured_origins_there_are_no_cors_headers() {
    try (GatewayFixture fixture = new GatewayFixture().start()) {
      Reply reply =
          fixture.send(
              HttpMethod.GET,
              "/api/v1/apps",
              GatewayFixture.bearer(fixture.token()).add("Origin", CONSOLE),
              null);

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.headers().names())
          .noneMatch(name -> name.toLowerCase(Locale.ROOT).startsWith("access-control-"));
    }
  }

  private static MultiMap preflight(String origin) {
    return MultiMap.caseInsensitiveMultiMap()
        .add("Origin", origin)
        .add("Access-Control-Request-Method", "POST")
        .add("Access-Control-Request-Headers", "authorization, content-type");
  }
}
