package io.astro.common.auth;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.time.Duration;

/**
 * What a token must say to be accepted, shared by the issuer (user-service) and every verifier.
 *
 * <ul>
 *   <li>{@code ASTRO_JWT_ISSUER} — {@code iss}, default {@code astro}
 *   <li>{@code ASTRO_JWT_AUDIENCE} — {@code aud}, default {@code astro-api}
 *   <li>{@code ASTRO_JWT_LEEWAY} — clock skew tolerated on {@code exp}/{@code iat}/{@code nbf},
 *       default 30s (max 30s)
 * </ul>
 */
public record JwtSettings(String issuer, String audience, Duration leeway) {

  /** The most leeway any verifier allows: a token is dead everywhere this long after its exp. */
  public static final Duration MAX_LEEWAY = Duration.ofSeconds(30);

  /** The only algorithm Astro signs or accepts; anything else in a token header is refused. */
  public static final String ALGORITHM = "ES256";

  public static JwtSettings from(Env env) {
    Duration leeway = env.duration("ASTRO_JWT_LEEWAY", Duration.ofSeconds(30));
    if (leeway.compareTo(MAX_LEEWAY) > 0) {
      throw new ConfigException("ASTRO_JWT_LEEWAY must be at most 30s, got " + leeway);
    }
    return new JwtSettings(
        env.string("ASTRO_JWT_ISSUER", "astro"),
        env.string("ASTRO_JWT_AUDIENCE", "astro-api"),
        leeway);
  }
}
