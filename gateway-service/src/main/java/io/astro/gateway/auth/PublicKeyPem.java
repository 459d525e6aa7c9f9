package io.astro.gateway.auth;

import io.astro.common.auth.JwtSettings;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns PEM public keys (X.509 SubjectPublicKeyInfo, P-256) into the JWKs the verifier takes, with
 * the same {@code kid} user-service's {@code SigningKeys} derives from the key, so tokens that name
 * their key find it. Several blocks in one text make a rotation possible without JWKS.
 */
public final class PublicKeyPem {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN PUBLIC KEY-----([^-]+)-----END PUBLIC KEY-----");

  private PublicKeyPem() {}

  /**
   * Every key in {@code pem}; fails with an {@link IllegalArgumentException} (never echoing key
   * material).
   */
  public static List<JsonObject> toJwks(String pem) {
    List<JsonObject> keys = new ArrayList<>();
    Matcher block = BLOCK.matcher(pem);
    while (block.find()) {
      keys.add(toJwk(block.group(1)));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no PEM public key found");
    }
    return keys;
  }

  private static JsonObject toJwk(String base64) {
    try {
      byte[] der = Base64.getMimeDecoder().decode(base64.getBytes(StandardCharsets.US_ASCII));
      ECPublicKey key =
          (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
      if (key.getParams().getCurve().getField().getFieldSize() != 256) {
        throw new IllegalArgumentException("public key is not a P-256 key");
      }
      return new JsonObject()
          .put("kty", "EC")
          .put("crv", "P-256")
          .put("alg", JwtSettings.ALGORITHM)
          .put("use", "sig")
          .put("kid", keyId(der))
          .put("x", coordinate(key.getW().getAffineX()))
          .put("y", coordinate(key.getW().getAffineY()));
    } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a PEM-encoded P-256 public key");
    }
  }

  // same derivation as common's SigningKeys: SHA-256 of the SPKI encoding, first 12 bytes,
  // base64url
  private static String keyId(byte[] der) throws GeneralSecurityException {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 12));
  }

  private static String coordinate(BigInteger value) {
    byte[] bytes = value.toByteArray();
    byte[] fixed = new byte[32];
    int copy = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - copy, fixed, 32 - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }
}
