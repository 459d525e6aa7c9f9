package io.astro.common.auth;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokens this verifier has already accepted, until they expire. An ES256 verification costs about a
 * millisecond of a core on Java 17 (bench/: ~90 % of the gateway's and of app-service's CPU per
 * request), and a client sends the same token with every request. Keyed by the exact token text, so
 * only that token hits; a verifier (one per set of trusted keys) owns its cache, so a key rotation
 * starts empty. Bounded: the least recently used go first. The gateway keeps one in front of its
 * verifiers too, keyed by the whole {@code Authorization} header, so a known token is not even cut
 * out of its header again.
 */
public final class VerifiedTokens {

  private final Clock clock;
  private final Map<String, Caller> callers;

  public VerifiedTokens(int capacity, Clock clock) {
    this.clock = clock;
    this.callers =
        new LinkedHashMap<>(256, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Caller> eldest) {
            return size() > capacity;
          }
        };
  }

  /**
   * The caller of a token accepted before and not expired since, or null (then it must be
   * verified).
   */
  public synchronized Caller get(String token) {
    Caller caller = callers.get(token);
    if (caller != null && !clock.instant().isBefore(caller.expiresAt())) {
      // expired: a full verification decides (it allows the configured leeway, and then refuses)
      callers.remove(token);
      return null;
    }
    return caller;
  }

  public synchronized void put(String token, Caller caller) {
    if (clock.instant().isBefore(caller.expiresAt())) {
      callers.put(token, caller);
    }
  }

  public synchronized int size() {
    return callers.size();
  }
}
