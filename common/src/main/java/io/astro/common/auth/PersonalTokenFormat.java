package io.astro.common.auth;

import java.util.regex.Pattern;

/**
 * The shape of a personal API token's secret: {@code astro_pat_} and 43 base64url characters (256
 * random bits). The gateway tells such a bearer token from a JWT by it, and refuses one of another
 * shape without asking user-service; user-service generates them.
 */
public final class PersonalTokenFormat {

  public static final String PREFIX = "astro_pat_";
  public static final int RANDOM_CHARS = 43;
  private static final Pattern SHAPE =
      Pattern.compile(Pattern.quote(PREFIX) + "[A-Za-z0-9_-]{" + RANDOM_CHARS + "}");

  private PersonalTokenFormat() {}

  /** Whether a bearer token is meant as a personal API token (whatever its shape otherwise). */
  public static boolean claims(String bearer) {
    return bearer != null && bearer.startsWith(PREFIX);
  }

  /** Whether {@code token} has the shape of a secret (then it is worth looking up). */
  public static boolean wellFormed(String token) {
    return token != null && SHAPE.matcher(token).matches();
  }
}
