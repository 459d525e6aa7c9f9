package io.astro.app.registries;

import io.astro.common.crypto.KeyRing;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A registry credential of a user: what an app's {@code image_pull_secret} names. The password is
 * held sealed ({@link #owner}); {@link #toJson} never shows it.
 */
public record Registry(
    String id,
    long userId,
    String name,
    String server,
    String username,
    String sealedPassword,
    Instant createdAt) {

  /** A new credential, its password sealed for it. */
  public static Registry created(
      String id,
      long userId,
      String name,
      String server,
      String username,
      String password,
      KeyRing keys,
      Instant now) {
    return new Registry(id, userId, name, server, username, keys.seal(owner(id), password), now);
  }

  /** What a registry password is sealed for: its row, so it opens nowhere else. */
  public static String owner(String id) {
    return "registry:" + id;
  }

  public Registry resealed(String sealed) {
    return new Registry(id, userId, name, server, username, sealed, createdAt);
  }

  /**
   * The {@code .dockerconfigjson} an app pulls with, sealed for the app ({@code appId}): the
   * password is opened only to be sealed again.
   */
  public String dockerConfigFor(String appId, KeyRing keys) {
    String password = keys.open(owner(id), sealedPassword);
    String auth =
        Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    JsonObject config =
        new JsonObject()
            .put(
                "auths",
                new JsonObject()
                    .put(
                        server,
                        new JsonObject()
                            .put("username", username)
                            .put("password", password)
                            .put("auth", auth)));
    return keys.seal(appId, config.encode());
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("name", name)
        .put("server", server)
        .put("username", username)
        .put("created_at", createdAt.toString());
  }

  // never printed with its ciphertext
  @Override
  public String toString() {
    return "Registry[" + name + ", " + server + "]";
  }
}
