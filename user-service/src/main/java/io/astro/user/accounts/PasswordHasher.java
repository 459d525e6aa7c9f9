package io.astro.user.accounts;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * bcrypt on its own bounded pool, never on an event loop. A cost-10 hash takes ~90 ms of a core, so
 * a flood of logins would starve everything else: beyond {@code maxQueued} waiting hashes new ones
 * are refused at once with 503, and other requests keep flowing.
 */
public final class PasswordHasher {

  // the salt and digest of some hash: a verify costs what the hash's cost factor says, whatever
  // the digest, so the dummy takes the configured cost and this tail, and no hash is computed at
  // start (the first one, not yet compiled, takes a good part of a second)
  private static final String DUMMY_TAIL = "1XoYW.e6vBEePhtY3RwbUenoO6Zbg/9TEh6qwYF/3L/DVYuCPu6Ji";

  private final WorkerExecutor pool;
  private final int cost;
  private final int maxQueued;
  private final AtomicInteger pending = new AtomicInteger();
  // verifying against this when the user does not exist makes both paths cost the same
  private final byte[] dummyHash;

  private PasswordHasher(WorkerExecutor pool, int cost, int maxQueued) {
    this.pool = pool;
    this.cost = cost;
    this.maxQueued = maxQueued;
    this.dummyHash = dummyHash(cost);
  }

  public static PasswordHasher create(Vertx vertx, int cost, int threads, int maxQueued) {
    return new PasswordHasher(
        vertx.createSharedWorkerExecutor("bcrypt", threads, 30, TimeUnit.SECONDS), cost, maxQueued);
  }

  /** A well-formed bcrypt hash of {@code cost} that no password is expected to match. */
  static byte[] dummyHash(int cost) {
    return String.format(Locale.ROOT, "$2a$%02d$%s", cost, DUMMY_TAIL)
        .getBytes(StandardCharsets.US_ASCII);
  }

  public Future<String> hash(String password) {
    return run(
        () ->
            new String(
                BCrypt.withDefaults().hash(cost, password.toCharArray()),
                StandardCharsets.US_ASCII));
  }

  public Future<Boolean> verify(String password, String hash) {
    return run(
        () ->
            BCrypt.verifyer()
                .verify(password.toCharArray(), hash.getBytes(StandardCharsets.US_ASCII))
                .verified);
  }

  /** Spends the same work as a real verification and answers false. */
  public Future<Boolean> verifyNobody(String password) {
    return run(
        () -> {
          BCrypt.verifyer().verify(password.toCharArray(), dummyHash);
          return false;
        });
  }

  private <T> Future<T> run(Callable<T> work) {
    if (pending.incrementAndGet() > maxQueued) {
      pending.decrementAndGet();
      return Future.failedFuture(
          new ApiException(ErrorCode.UNAVAILABLE, "too many logins in progress, retry shortly"));
    }
    return pool.executeBlocking(work, false).onComplete(done -> pending.decrementAndGet());
  }

  public Future<Void> close() {
    return pool.close();
  }
}
