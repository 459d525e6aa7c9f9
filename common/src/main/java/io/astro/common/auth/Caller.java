package io.astro.common.auth;

import java.time.Instant;

/**
 * Who is calling, as the verified token says. {@code userId} names the user's namespaces. {@code
 * tokenVersion} is the account's token version when the token was issued (claim {@code tv}, 0 when
 * absent): a password change raises the account's version, and a token of an older one is refused.
 */
public record Caller(
    String uuid, long userId, String role, String tokenId, Instant expiresAt, long tokenVersion) {

  /** A caller whose token carries no version (issued before any password change). */
  public Caller(String uuid, long userId, String role, String tokenId, Instant expiresAt) {
    this(uuid, userId, role, tokenId, expiresAt, 0);
  }

  public boolean isAdmin() {
    return "admin".equals(role);
  }
}
