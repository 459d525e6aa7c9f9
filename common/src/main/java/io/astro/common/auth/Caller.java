package io.astro.common.auth;

import java.time.Instant;

/**
 * Who is calling, as the verified token says. {@code userId} names the user's namespaces. {@code
 * tokenVersion} is the account's token version when the token was issued (claim {@code tv}, 0 when
 * absent): a password change raises the account's version, and a token of an older one is refused.
 * {@code scope} is what the token may do ({@link TokenScope#WRITE} for login tokens, which carry no
 * claim); {@code personalTokenId} is the id of the personal API token the token was exchanged for
 * (claim {@code pat}), null for a login token, and {@code personalTokenName} its name (claim {@code
 * pat_name}, for the audit trail; null when absent).
 */
public record Caller(
    String uuid,
    long userId,
    String role,
    String tokenId,
    Instant expiresAt,
    long tokenVersion,
    TokenScope scope,
    String personalTokenId,
    String personalTokenName) {

  /** A caller whose token names no personal token's name. */
  public Caller(
      String uuid,
      long userId,
      String role,
      String tokenId,
      Instant expiresAt,
      long tokenVersion,
      TokenScope scope,
      String personalTokenId) {
    this(uuid, userId, role, tokenId, expiresAt, tokenVersion, scope, personalTokenId, null);
  }

  /** A caller whose token carries no version (issued before any password change). */
  public Caller(String uuid, long userId, String role, String tokenId, Instant expiresAt) {
    this(uuid, userId, role, tokenId, expiresAt, 0, TokenScope.WRITE, null);
  }

  public boolean isAdmin() {
    return "admin".equals(role);
  }

  /** Whether the token was exchanged for a personal API token rather than issued at login. */
  public boolean viaPersonalToken() {
    return personalTokenId != null;
  }
}
