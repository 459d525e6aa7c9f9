package io.astro.user.accounts;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * Slows password guessing without handing anyone a way to lock others out. Failed logins are
 * counted three ways, and any one over its bound refuses further attempts until its window closes:
 *
 * <ul>
 *   <li>per account and client IP ({@code ASTRO_LOGIN_MAX_FAILURES}, 5 in 15 min): the guesser is
 *       stopped, the account's owner logging in from elsewhere is not;
 *   <li>per account from any IP ({@code ASTRO_LOGIN_MAX_FAILURES_PER_USER}, 100 in the same
 *       window): the bound on guesses spread over many addresses; set high because reaching it does
 *       lock the owner out;
 *   <li>per client IP across accounts ({@code ASTRO_LOGIN_IP_MAX_FAILURES}, 10 a minute): stops one
 *       address trying a password on many accounts. Only failures count, so a team behind one NAT
 *       logs in freely.
 * </ul>
 *
 * A success clears only its own account-and-IP count: an attacker who owns an account must not
 * reset their IP's count by logging in to it, nor the owner of the attacked one the global count.
 * Keyed by what the client typed, whether or not such a user exists, so being throttled reveals
 * nothing. Per instance; the gateway's per-IP flood limit sits in front.
 */
public final class LoginThrottle {

  /** The bounds, as configured. */
  public record Limits(
      int perUserAndIp, int perUser, Duration window, int perIp, Duration ipWindow) {}

  private final WindowedCounter userAndIp;
  private final WindowedCounter user;
  private final WindowedCounter ip;

  public LoginThrottle(Limits limits, int maxTracked, Clock clock) {
    this.userAndIp = new WindowedCounter(limits.perUserAndIp(), limits.window(), maxTracked, clock);
    this.user = new WindowedCounter(limits.perUser(), limits.window(), maxTracked, clock);
    this.ip = new WindowedCounter(limits.perIp(), limits.ipWindow(), maxTracked, clock);
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  public long retryAfterSeconds(String identifier, String clientIp) {
    String account = account(identifier);
    return Math.max(
        userAndIp.retryAfterSeconds(pair(account, clientIp)),
        Math.max(user.retryAfterSeconds(account), ip.retryAfterSeconds(clientIp)));
  }

  public void failed(String identifier, String clientIp) {
    String account = account(identifier);
    userAndIp.add(pair(account, clientIp));
    user.add(account);
    ip.add(clientIp);
  }

  public void succeeded(String identifier, String clientIp) {
    userAndIp.clear(pair(account(identifier), clientIp));
  }

  private static String account(String identifier) {
    return identifier.toLowerCase(Locale.ROOT);
  }

  // an address never holds a NUL, so the pair is unambiguous
  private static String pair(String account, String clientIp) {
    return account + '\0' + clientIp;
  }
}
