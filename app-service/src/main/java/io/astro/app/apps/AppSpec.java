package io.astro.app.apps;

import io.astro.common.events.app.AppCommand;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A validated app spec: a create request, or an app with a patch merged in ({@code name} null).
 * {@code secrets} holds the values in clear, in memory only: they are sealed before anything is
 * stored, and {@link #toString} never shows them. {@code isPublic}: an app with a port answers on a
 * public URL.
 */
public record AppSpec(
    String name,
    String image,
    int replicas,
    Integer port,
    SortedMap<String, String> env,
    SortedMap<String, String> secrets,
    List<String> command,
    List<String> args,
    String size,
    AppCommand.HealthCheck healthCheck,
    String imagePullSecret,
    boolean isPublic) {

  public AppSpec {
    env = new TreeMap<>(env);
    secrets = new TreeMap<>(secrets);
    command = command == null ? null : List.copyOf(command);
    args = args == null ? null : List.copyOf(args);
  }

  /**
   * Identifies the request whatever its JSON layout (key order, spacing), for idempotency keys.
   * Secret values enter only through the digest.
   */
  public String hash() {
    JsonObject canonical =
        new JsonObject()
            .put("name", name)
            .put("image", image)
            .put("replicas", replicas)
            .put("port", port)
            .put("env", new JsonObject(Map.copyOf(env)))
            .put("secrets", new JsonObject(Map.copyOf(secrets)))
            .put("command", command == null ? null : new JsonArray(command))
            .put("args", args == null ? null : new JsonArray(args))
            .put("size", size)
            .put("health_check", healthCheck == null ? null : Settings.healthJson(healthCheck))
            .put("image_pull_secret", imagePullSecret)
            .put("public", isPublic);
    return sha256(canonical(canonical));
  }

  // sorted keys at every level, so two layouts of one request give one text
  private static String canonical(Object value) {
    if (value instanceof JsonObject o) {
      StringBuilder b = new StringBuilder("{");
      new TreeMap<>(o.getMap())
          .forEach(
              (k, v) ->
                  b.append(canonical(k))
                      .append(':')
                      .append(canonical(v instanceof Map<?, ?> m ? new JsonObject(cast(m)) : v))
                      .append(','));
      return b.append('}').toString();
    }
    if (value instanceof JsonArray a) {
      StringBuilder b = new StringBuilder("[");
      a.forEach(v -> b.append(canonical(v)).append(','));
      return b.append(']').toString();
    }
    return new JsonArray().add(value).encode();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // never printed with the secret values
  @Override
  public String toString() {
    return "AppSpec[" + name + ", " + image + ", secrets " + secrets.keySet() + "]";
  }
}
