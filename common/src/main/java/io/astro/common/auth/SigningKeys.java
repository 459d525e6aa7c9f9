package io.astro.common.auth;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * An ES256 (P-256) key pair in the forms the pieces need: PEM for Vert.x's signer, a JWK for
 * verifiers (served as JWKS), and a key id derived from the public key so rotations are visible.
 */
public final class SigningKeys {

  private final ECPrivateKey privateKey;
  private final ECPublicKey publicKey;
  private final String keyId;

  private SigningKeys(ECPrivateKey privateKey, ECPublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = thumbprint(publicKey);
  }

  public static SigningKeys generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      return new SigningKeys((ECPrivateKey) pair.getPrivate(), (ECPublicKey) pair.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no P-256 support in this JVM", e);
    }
  }

  /** From PEM texts: a PKCS#8 private key and its X.509 (SPKI) public key. */
  public static SigningKeys fromPem(String privatePem, String publicPem) {
    try {
      KeyFactory factory = KeyFactory.getInstance("EC");
      ECPrivateKey priv =
          (ECPrivateKey)
              factory.generatePrivate(new PKCS8EncodedKeySpec(der(privatePem, "PRIVATE KEY")));
      ECPublicKey pub =
          (ECPublicKey)
              factory.generatePublic(new X509EncodedKeySpec(der(publicPem, "PUBLIC KEY")));
      return new SigningKeys(priv, pub);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      // never echo key material
      throw new IllegalArgumentException("not a PEM-encoded P-256 key pair");
    }
  }

  public String keyId() {
    return keyId;
  }

  public String privateKeyPem() {
    return pem("PRIVATE KEY", privateKey.getEncoded());
  }

  public String publicKeyPem() {
    return pem("PUBLIC KEY", publicKey.getEncoded());
  }

  /** The public half as a JWK (RFC 7517), ready for a JWKS document. */
  public JsonObject publicJwk() {
    return new JsonObject()
        .put("kty", "EC")
        .put("crv", "P-256")
        .put("alg", JwtSettings.ALGORITHM)
        .put("use", "sig")
        .put("kid", keyId)
        .put("x", coordinate(publicKey.getW().getAffineX()))
        .put("y", coordinate(publicKey.getW().getAffineY()));
  }

  private static String coordinate(BigInteger value) {
    byte[] bytes = value.toByteArray();
    byte[] fixed = new byte[32];
    // BigInteger may add a sign byte or drop leading zeros; JWK wants exactly 32 bytes
    int copy = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - copy, fixed, 32 - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }

  private static String thumbprint(ECPublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 12));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] der(String pem, String type) {
    String body =
        pem.replace("-----BEGIN " + type + "-----", "")
            .replace("-----END " + type + "-----", "")
            .replaceAll("\\s", "");
    return Base64.getDecoder().decode(body.getBytes(StandardCharsets.US_ASCII));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
