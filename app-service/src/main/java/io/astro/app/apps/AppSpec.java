package io.astro.app.apps;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A validated create request. */
public record AppSpec(String name, String image, int replicas, Integer port) {

  /** Identifies the request whatever its JSON layout (key order, spacing), for idempotency keys. */
  public String hash() {
    String canonical = name + "\n" + image + "\n" + replicas + "\n" + port;
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
