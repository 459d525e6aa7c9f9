package io.astro.common.crypto;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.LoggerFactory;

/**
 * Seals Astro's secrets (kubeconfigs, apps' secret variables, registry passwords) at rest and on
 * Kafka: AES-256-GCM, a random 96-bit nonce per value, the key id stored with the ciphertext so
 * keys can rotate. Keys come from {@code ASTRO_KUBECONFIG_KEYS} ({@code kid:base64key,...}): the
 * first encrypts, all decrypt.
 *
 * <p>Sealed form: {@code v1.<kid>.<base64(nonce ‖ ciphertext ‖ tag)>}. What the value belongs to
 * (the cluster id, the app id) is bound in as associated data, so a ciphertext copied onto another
 * row does not decrypt.
 */
public final class KeyRing {

  private static final String PREFIX = "v1";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, SecretKey> keys;
  private final String activeKid;

  private KeyRing(Map<String, SecretKey> keys) {
    this.keys = keys;
    this.activeKid = keys.keySet().iterator().next();
  }

  /** Parses {@code kid:base64key,...}; each key must be 32 bytes (AES-256). */
  public static KeyRing fromSpec(String spec) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    for (String entry : spec.split(",")) {
      String[] parts = entry.trim().split(":", 2);
      if (parts.length != 2 || !KID.matcher(parts[0]).matches()) {
        throw new ConfigException(
            "ASTRO_KUBECONFIG_KEYS: expected kid:base64key entries (kid of [A-Za-z0-9_-])");
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(parts[1].trim());
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ASTRO_KUBECONFIG_KEYS: key " + parts[0] + " is not base64");
      }
      if (key.length != 32) {
        throw new ConfigException(
            "ASTRO_KUBECONFIG_KEYS: key " + parts[0] + " must be 32 bytes, is " + key.length);
      }
      if (keys.put(parts[0], new SecretKeySpec(key, "AES")) != null) {
        throw new ConfigException("ASTRO_KUBECONFIG_KEYS: key id " + parts[0] + " appears twice");
      }
    }
    return new KeyRing(keys);
  }

  /**
   * The keys of {@code ASTRO_KUBECONFIG_KEYS} (or {@code _FILE}). Without them a service started
   * with {@code ASTRO_ENV=production} refuses to start; otherwise a throwaway key is generated with
   * a loud warning — kubeconfigs sealed with it cannot be read after a restart, nor by a
   * sync-worker that does not share it.
   */
  public static KeyRing fromEnv(Env env) {
    String spec = env.secret("ASTRO_KUBECONFIG_KEYS");
    if (spec != null && !spec.isBlank()) {
      return fromSpec(spec);
    }
    if ("production".equals(env.string("ASTRO_ENV", "dev"))) {
      throw new ConfigException(
          "ASTRO_KUBECONFIG_KEYS is required with ASTRO_ENV=production (kid:base64key of 32 "
              + "bytes, e.g. k1:$(openssl rand -base64 32))");
    }
    LoggerFactory.getLogger(KeyRing.class)
        .warn(
            "ASTRO_KUBECONFIG_KEYS is not set: kubeconfigs and secrets "
                + "are sealed with a throwaway key (dev only) — set the same keys on app-service and sync-worker");
    return fromSpec(generateSpec("dev"));
  }

  /** A fresh random key under {@code kid}, as a spec line — for dev mode and tests. */
  public static String generateSpec(String kid) {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256, RANDOM);
      return kid + ":" + Base64.getEncoder().encodeToString(generator.generateKey().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256 unavailable", e);
    }
  }

  public String activeKid() {
    return activeKid;
  }

  public String seal(String owner, String plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKid), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
      return PREFIX + "." + activeKid + "." + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  /**
   * Decrypts a sealed value; fails (without saying more) for an unknown key, another owner's value
   * or tampering.
   */
  public String open(String owner, String sealed) {
    String[] parts = sealed == null ? new String[0] : sealed.split("\\.", 3);
    if (parts.length != 3 || !PREFIX.equals(parts[0])) {
      throw new IllegalArgumentException("not a sealed value");
    }
    SecretKey key = keys.get(parts[1]);
    if (key == null) {
      throw new IllegalArgumentException("value sealed with unknown key " + parts[1]);
    }
    try {
      byte[] in = Base64.getDecoder().decode(parts[2]);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      cipher.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
      return new String(
          cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("value cannot be decrypted with key " + parts[1]);
    }
  }

  /**
   * True when {@code sealed} is under another key than the active one (the re-encrypt command moves
   * it).
   */
  public boolean needsRotation(String sealed) {
    return sealed != null && !sealed.startsWith(PREFIX + "." + activeKid + ".");
  }
}
