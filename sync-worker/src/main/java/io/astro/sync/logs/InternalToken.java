package io.astro.sync.logs;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The shared secret internal callers (app-service) present as {@code Authorization: Bearer
 * <token>}. Both sides are hashed before comparing so neither the content nor the length of the
 * expected token leaks through timing.
 */
public final class InternalToken {

  private static final String BEARER = "Bearer ";

  private final byte[] expected;

  public InternalToken(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the internal token must not be empty");
    }
    this.expected = sha256(token);
  }

  /** Throws 401 (10002) unless {@code authorization} carries the token. */
  public void check(String authorization) {
    if (authorization == null
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
        || !MessageDigest.isEqual(
            expected, sha256(authorization.substring(BEARER.length()).trim()))) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "missing or wrong internal token");
    }
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
