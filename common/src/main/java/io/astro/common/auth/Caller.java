package io.astro.common.auth;

import java.time.Instant;

/** Who is calling, as the verified token says. {@code userId} names the user's namespaces. */
public record Caller(String uuid, long userId, String role, String tokenId, Instant expiresAt) {

  public boolean isAdmin() {
    return "admin".equals(role);
  }
}
