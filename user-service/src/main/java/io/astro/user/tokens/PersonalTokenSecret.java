package io.astro.user.tokens;

import io.astro.common.auth.PersonalTokenFormat;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secret of a personal API token: {@code astro_pat_} and 32 random bytes (256 bits) in unpadded
 * base64url, 53 characters. Only its SHA-256 is stored. A slow password hash (bcrypt) protects
 * secrets people choose, which are few enough to guess by trying; 2^256 random values are not, with
 * any hash, so a fast one costs nothing in safety and lets a token be found by its hash in one
 * indexed lookup, with no per-request bcrypt.
 */
public final class PersonalTokenSecret {

  public static final String PREFIX = PersonalTokenFormat.PREFIX;
  private static final int RANDOM_BYTES = 32;
  // the prefix and this many characters of the secret are shown to tell tokens apart: 36 of its
  // 256 bits, leaving 220 unknown
  private static final int SHOWN = 6;
  private static final SecureRandom RANDOM = new SecureRandom();

  private PersonalTokenSecret() {}

  /** A new secret. */
  public static String generate() {
    byte[] bytes = new byte[RANDOM_BYTES];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether {@code token} has the shape of a secret (then it is worth looking up). */
  public static boolean wellFormed(String token) {
    return PersonalTokenFormat.wellFormed(token);
  }

  /** The part of a secret shown in lists. */
  public static String displayPrefix(String secret) {
    return secret.substring(0, PREFIX.length() + SHOWN);
  }

  /** What is stored and looked up instead of the secret. */
  public static byte[] hash(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
