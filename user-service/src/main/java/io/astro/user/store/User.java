package io.astro.user.store;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * A user row. {@link #profile()} is what clients may see: never the hash. {@code tokenVersion} is
 * raised by each password change; tokens of an older one are refused.
 */
public record User(
    long id,
    String uuid,
    String username,
    String email,
    String passwordHash,
    String role,
    UserStatus status,
    Instant createdAt,
    long tokenVersion) {

  public boolean isActive() {
    return status == UserStatus.ACTIVE;
  }

  public JsonObject profile() {
    return new JsonObject()
        .put("uuid", uuid)
        .put("username", username)
        .put("email", email)
        .put("role", role)
        .put("status", status.value())
        .put("created_at", createdAt.toString());
  }
}
