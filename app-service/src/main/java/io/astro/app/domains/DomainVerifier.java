package io.astro.app.domains;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies pending custom domains: every {@code every}, the domains whose next check has come are
 * looked up ({@link DnsTxtCheck}, asynchronous, so the event loop never waits on DNS); the token
 * found makes a domain {@code verified} (and part of its app's desired state), anything else is
 * looked at again after a back-off that doubles from {@code firstRetry} up to {@code maxRetry},
 * until {@code attempts} looks have failed: then it is {@code failed} with what the last look
 * found. Several instances checking at once is harmless: a result is recorded only while the domain
 * is still pending with the token that was looked for.
 */
public final class DomainVerifier extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DomainVerifier.class);
  private static final int BATCH = 50;

  /** How often, and how long, a domain is looked at. */
  public record Schedule(Duration every, Duration firstRetry, Duration maxRetry, int attempts) {

    /** When to look again after {@code failedLooks} failed looks; null: give up. */
    Instant next(Instant now, int failedLooks) {
      if (failedLooks >= attempts) {
        return null;
      }
      long doublings = Math.min(failedLooks - 1, 30);
      Duration wait = firstRetry.multipliedBy(1L << doublings);
      return now.plus(wait.compareTo(maxRetry) > 0 ? maxRetry : wait);
    }
  }

  private final DomainStore store;
  private final DnsTxtCheck dns;
  private final Schedule schedule;
  private final Clock clock;
  private final AtomicBoolean running = new AtomicBoolean();
  private long timer = -1;

  public DomainVerifier(DomainStore store, DnsTxtCheck dns, Schedule schedule, Clock clock) {
    this.store = store;
    this.dns = dns;
    this.schedule = schedule;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    timer =
        vertx.setPeriodic(
            schedule.every().toMillis(),
            t -> {
              // one pass at a time: a slow resolver must not pile passes up
              if (running.compareAndSet(false, true)) {
                runOnce()
                    .onComplete(
                        done -> {
                          running.set(false);
                          if (done.failed()) {
                            LOG.warn(
                                "domain verification pass failed: {}", done.cause().getMessage());
                          }
                        });
              }
            });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Looks at every domain due now; answers how many became verified. */
  public Future<Integer> runOnce() {
    return store
        .due(clock.instant(), BATCH)
        .compose(
            due -> {
              Future<Integer> verified = Future.succeededFuture(0);
              for (Domain domain : due) {
                verified = verified.compose(n -> verify(domain).map(ok -> ok ? n + 1 : n));
              }
              return verified;
            });
  }

  private Future<Boolean> verify(Domain domain) {
    return Future.fromCompletionStage(
            dns.check(domain.challengeName(), domain.token()), vertx.getOrCreateContext())
        .compose(
            result -> {
              Instant now = clock.instant();
              Instant next = result.verified() ? null : schedule.next(now, domain.attempts() + 1);
              if (result.verified()) {
                LOG.info("domain {} of app {} verified", domain.domain(), domain.appId());
              } else if (next == null) {
                LOG.info(
                    "domain {} of app {} failed verification: {}",
                    domain.domain(),
                    domain.appId(),
                    result.reason());
              }
              return store
                  .checked(domain, result.verified(), result.reason(), next, now)
                  .map(recorded -> recorded && result.verified());
            });
  }
}
