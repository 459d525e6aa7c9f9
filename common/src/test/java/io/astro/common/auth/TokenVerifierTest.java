package io.astro.common.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every way a token can be wrong is refused with 401 / 10002; a good one names its caller. */
class TokenVerifierTest {

  private static final Vertx VERTX = Vertx.vertx();
  private static final JwtSettings SETTINGS =
      new JwtSettings("astro", "astro-api", Duration.ofSeconds(30));
  private static final SigningKeys KEYS = SigningKeys.generate();
  private static final TokenVerifier VERIFIER =
      TokenVerifier.create(VERTX, SETTINGS, List.of(KEYS.publicJwk()));
  private static final TokenIssuer ISSUER =
      TokenIssuer.create(VERTX, SETTINGS, KEYS, Duration.ofHours(24));

  @AfterAll
  static void close() {
    VERTX.close().await();
  }

  @Test
  void a_valid_token_names_its_caller() {
    var issued = ISSUER.issue("3f2c-uuid", 42, "admin");

    Caller caller = VERIFIER.verify(issued.token()).await();

    assertThat(caller.uuid()).isEqualTo("3f2c-uuid");
    assertThat(caller.userId()).isEqualTo(42);
    assertThat(caller.isAdmin()).isTrue();
    assertThat(caller.tokenId()).isNotBlank();
    assertThat(caller.expiresAt())
        .isEqualTo(Instant.ofEpochSecond(issued.expiresAt().getEpochSecond()));
  }

  @Test
  void a_token_names_the_token_version_it_was_issued_at_and_one_without_counts_as_zero() {
    assertThat(VERIFIER.verify(ISSUER.issue("3f2c-uuid", 42, "user", 3).token()).await())
        .extracting(Caller::tokenVersion)
        .isEqualTo(3L);
    // as tokens issued before versions existed: no tv claim at all
    String unversioned = signed(claims().put("jti", "j-1"));
    assertThat(VERIFIER.verify(unversioned).await()).extracting(Caller::tokenVersion).isEqualTo(0L);
    assertRefused(signed(claims().put("tv", "3")));
  }

  @Test
  void missing_and_malformed_tokens_are_refused() {
    assertRefused(null);
    assertRefused("");
    assertRefused("not-a-jwt");
    assertRefused("a.b.c");
  }

  @Test
  void alg_none_is_refused() {
    String unsigned =
        segment(new JsonObject().put("alg", "none").put("typ", "JWT"))
            + "."
            + segment(claims())
            + ".";
    assertRefused(unsigned);
  }

  @Test
  void hs256_signed_with_the_public_key_is_refused() throws Exception {
    String signingInput =
        segment(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + segment(claims());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEYS.publicKeyPem().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String forged =
        signingInput
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    assertRefused(forged);
  }

  @Test
  void expired_and_not_yet_valid_tokens_are_refused_beyond_the_leeway() {
    Clock lastWeek = Clock.fixed(Instant.now().minus(Duration.ofDays(7)), ZoneOffset.UTC);
    Clock nextHour = Clock.fixed(Instant.now().plus(Duration.ofHours(1)), ZoneOffset.UTC);
    assertRefused(
        TokenIssuer.create(VERTX, SETTINGS, KEYS, Duration.ofHours(24), lastWeek)
            .issue("u", 1, "user")
            .token());
    assertRefused(
        TokenIssuer.create(VERTX, SETTINGS, KEYS, Duration.ofHours(24), nextHour)
            .issue("u", 1, "user")
            .token());
  }

  @Test
  void a_small_clock_skew_is_tolerated() {
    Clock tenSecondsAhead = Clock.fixed(Instant.now().plusSeconds(10), ZoneOffset.UTC);
    String token =
        TokenIssuer.create(VERTX, SETTINGS, KEYS, Duration.ofHours(1), tenSecondsAhead)
            .issue("u", 1, "user")
            .token();
    assertThat(VERIFIER.verify(token).await().uuid()).isEqualTo("u");
  }

  @Test
  void wrong_issuer_or_audience_is_refused() {
    var otherIssuer = new JwtSettings("someone-else", "astro-api", Duration.ofSeconds(30));
    var otherAudience = new JwtSettings("astro", "another-api", Duration.ofSeconds(30));
    assertRefused(
        TokenIssuer.create(VERTX, otherIssuer, KEYS, Duration.ofHours(1))
            .issue("u", 1, "user")
            .token());
    assertRefused(
        TokenIssuer.create(VERTX, otherAudience, KEYS, Duration.ofHours(1))
            .issue("u", 1, "user")
            .token());
  }

  @Test
  void a_tampered_payload_is_refused() {
    String[] parts = ISSUER.issue("u", 1, "user").token().split("\\.");
    JsonObject claims =
        new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    String tampered = parts[0] + "." + segment(claims.put("role", "admin")) + "." + parts[2];
    assertRefused(tampered);
  }

  @Test
  void a_token_from_another_key_is_refused() {
    SigningKeys stranger = SigningKeys.generate();
    assertRefused(
        TokenIssuer.create(VERTX, SETTINGS, stranger, Duration.ofHours(1))
            .issue("u", 1, "user")
            .token());
  }

  @Test
  void keys_survive_a_pem_round_trip() {
    SigningKeys reloaded = SigningKeys.fromPem(KEYS.privateKeyPem(), KEYS.publicKeyPem());
    assertThat(reloaded.keyId()).isEqualTo(KEYS.keyId());
    String token =
        TokenIssuer.create(VERTX, SETTINGS, reloaded, Duration.ofHours(1))
            .issue("u", 7, "user")
            .token();
    assertThat(VERIFIER.verify(token).await().userId()).isEqualTo(7);
    assertThatThrownBy(() -> SigningKeys.fromPem("junk", "junk")).hasMessageNotContaining("junk");
  }

  private static String signed(JsonObject claims) {
    JWTAuth signer =
        JWTAuth.create(
            VERTX,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions()
                        .setAlgorithm(JwtSettings.ALGORITHM)
                        .setId(KEYS.keyId())
                        .setBuffer(KEYS.privateKeyPem())));
    return signer.generateToken(
        claims,
        new JWTOptions()
            .setAlgorithm(JwtSettings.ALGORITHM)
            .setNoTimestamp(true)
            .setHeader(new JsonObject().put("kid", KEYS.keyId())));
  }

  private static JsonObject claims() {
    long now = Instant.now().getEpochSecond();
    return new JsonObject()
        .put("sub", "u")
        .put("uid", 1)
        .put("role", "admin")
        .put("iss", "astro")
        .put("aud", "astro-api")
        .put("iat", now)
        .put("exp", now + 3600);
  }

  private static String segment(JsonObject json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static void assertRefused(String token) {
    assertThatThrownBy(() -> VERIFIER.verify(token).await())
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED));
  }
}
