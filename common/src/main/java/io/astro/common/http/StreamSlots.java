package io.astro.common.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Long-lived streams (log follows, status streams) each user may hold open at once, counted apart
 * from ordinary calls: a stream holds its place for its whole life, so without a bound per user one
 * user's streams could take every connection the ordinary calls of everyone else need. Past the
 * bound a new stream is refused with 429 (code 10008, {@code data.max_streams}); the streams
 * already open go on. Counted in memory, per instance; a user without open streams takes no memory.
 */
public final class StreamSlots {

  private final int perUser;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  public StreamSlots(int perUser) {
    if (perUser < 1) {
      throw new IllegalArgumentException("perUser must be at least 1, got " + perUser);
    }
    this.perUser = perUser;
  }

  public int perUser() {
    return perUser;
  }

  /** Streams open now, all users together. */
  public int total() {
    return total.get();
  }

  /** Streams {@code user} holds open now. */
  public int open(String user) {
    return open.getOrDefault(user, 0);
  }

  /**
   * Takes one of {@code user}'s places until {@code ctx}'s response is over (ended, or the
   * connection closed); when all are taken, fails {@code ctx} with the 429 and answers false.
   */
  public boolean take(RoutingContext ctx, String user) {
    boolean[] taken = {false};
    open.compute(
        user,
        (key, count) -> {
          int now = count == null ? 0 : count;
          if (now >= perUser) {
            return count;
          }
          taken[0] = true;
          return now + 1;
        });
    if (!taken[0]) {
      ctx.fail(refusal());
      return false;
    }
    total.incrementAndGet();
    ctx.addEndHandler(done -> release(user));
    return true;
  }

  private void release(String user) {
    open.computeIfPresent(user, (key, count) -> count <= 1 ? null : count - 1);
    total.decrementAndGet();
  }

  private ApiException refusal() {
    return new ApiException(
        ErrorCode.RATE_LIMITED,
        "too many open streams: at most "
            + perUser
            + " log follows and status streams per user at once; close one first",
        new JsonObject().put("max_streams", perUser));
  }
}
