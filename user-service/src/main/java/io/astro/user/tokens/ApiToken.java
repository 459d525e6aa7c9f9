package io.astro.user.tokens;

import io.astro.common.auth.TokenScope;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A personal API token as its owner may see it: never the secret, nor its hash. */
public record ApiToken(
    String id,
    String name,
    String prefix,
    TokenScope scope,
    Instant createdAt,
    Instant lastUsedAt,
    Instant expiresAt) {

  public JsonObject json() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("prefix", prefix)
        .put("scope", scope.wireName())
        .put("created_at", createdAt.toString())
        .put("last_used_at", lastUsedAt == null ? null : lastUsedAt.toString())
        .put("expires_at", expiresAt.toString());
  }
}
