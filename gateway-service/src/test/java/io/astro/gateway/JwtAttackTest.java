package io.astro.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.auth.JwtSettings;
import io.astro.common.auth.SigningKeys;
import io.astro.common.auth.TokenIssuer;
import io.astro.gateway.GatewayFixture.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad token is refused at the gateway with 401 / 10002 and never reaches an upstream.
 */
class JwtAttackTest {

  private static final String PATH = "/api/v1/apps";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static GatewayFixture fixture;

  @BeforeAll
  static void start() {
    fixture = new GatewayFixture().with("ASTRO_GATEWAY_USER_RATE", "10000").start();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  static Stream<Arguments> attacks() {
    return Stream.of(
        attack("no token", f -> null),
        attack("not a JWT", f -> "not-a-jwt"),
        attack("three garbage segments", f -> "a.b.c"),
        attack(
            "alg none, no signature",
            f ->
                segment(new JsonObject().put("alg", "none").put("typ", "JWT"))
                    + "."
                    + segment(claims())
                    + "."),
        attack("HS256 signed with the public key", JwtAttackTest::hmacWithPublicKey),
        attack(
            "expired",
            f -> issuer(f, GatewayFixture.JWT, f.keys, Instant.now().minus(Duration.ofHours(1)))),
        attack(
            "not yet valid",
            f -> issuer(f, GatewayFixture.JWT, f.keys, Instant.now().plus(Duration.ofHours(1)))),
        attack(
            "wrong issuer",
            f ->
                issuer(
                    f,
                    new JwtSettings("evil", "astro-api", Duration.ofSeconds(30)),
                    f.keys,
                    Instant.now())),
        attack(
            "wrong audience",
            f ->
                issuer(
                    f,
                    new JwtSettings("astro", "other-api", Duration.ofSeconds(30)),
                    f.keys,
                    Instant.now())),
        attack("tampered payload", JwtAttackTest::tampered),
        attack(
            "signed by another key",
            f -> issuer(f, GatewayFixture.JWT, SigningKeys.generate(), Instant.now())),
        attack("another key's signature under our key id", JwtAttackTest::foreignSignatureOurKid));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void is_refused_with_401(String name, Function<GatewayFixture, String> token) {
    int hits = fixture.apps.hits(PATH);

    Reply reply = fixture.get(PATH, token.apply(fixture));

    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.code()).isEqualTo(10002);
    assertThat(fixture.apps.hits(PATH)).isEqualTo(hits);
  }

  @Test
  void a_valid_token_passes() {
    assertThat(fixture.get(PATH, fixture.token()).status()).isEqualTo(200);
  }

  private static Arguments attack(String name, Function<GatewayFixture, String> token) {
    return Arguments.of(name, token);
  }

  private static String issuer(
      GatewayFixture f, JwtSettings settings, SigningKeys keys, Instant now) {
    return TokenIssuer.create(
            f.vertx, settings, keys, Duration.ofMinutes(10), Clock.fixed(now, ZoneOffset.UTC))
        .issue("user-1", 1, "user")
        .token();
  }

  private static JsonObject claims() {
    long now = Instant.now().getEpochSecond();
    return new JsonObject()
        .put("sub", "user-1")
        .put("uid", 1)
        .put("role", "admin")
        .put("iss", "astro")
        .put("aud", new JsonArray().add("astro-api"))
        .put("iat", now)
        .put("nbf", now)
        .put("exp", now + 600);
  }

  private static String segment(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String hmacWithPublicKey(GatewayFixture f) {
    try {
      String signingInput =
          segment(new JsonObject().put("alg", "HS256").put("typ", "JWT").put("kid", f.keys.keyId()))
              + "."
              + segment(claims());
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(
          new SecretKeySpec(
              f.keys.publicKeyPem().getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return signingInput
          + "."
          + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tampered(GatewayFixture f) {
    String[] parts = f.issuer.issue("user-1", 1, "user").token().split("\\.");
    JsonObject payload =
        new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    return parts[0]
        + "."
        + segment(payload.put("role", "admin").put("sub", "someone-else"))
        + "."
        + parts[2];
  }

  private static String foreignSignatureOurKid(GatewayFixture f) {
    String[] parts =
        issuer(f, GatewayFixture.JWT, SigningKeys.generate(), Instant.now()).split("\\.");
    return segment(
            new JsonObject().put("alg", "ES256").put("typ", "JWT").put("kid", f.keys.keyId()))
        + "."
        + parts[1]
        + "."
        + parts[2];
  }
}
