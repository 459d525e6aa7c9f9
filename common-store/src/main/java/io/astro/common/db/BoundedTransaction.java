package io.astro.common.db;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.RequestDeadline;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One transaction that commits only before its deadline. Past the deadline the caller is answered
 * at once that nothing was changed, and that stays true: a connection handed out later is given
 * back unused, work still running is abandoned (its connection closed, so the server rolls the open
 * transaction back whenever it reads on), and work that finishes late is rolled back instead of
 * committed. A commit already sent before the deadline is waited for — its outcome is the answer.
 *
 * <p>Everything runs on the request's context (timer, pool and connection callbacks), so the fields
 * need no locking.
 */
final class BoundedTransaction<T> {

  private final Context context;
  private final long deadlineNanos;
  private final Function<SqlConnection, Future<T>> work;
  private final Promise<T> answer = Promise.promise();
  private boolean committing;
  private boolean expired;

  BoundedTransaction(Context context, long deadlineNanos, Function<SqlConnection, Future<T>> work) {
    this.context = context;
    this.deadlineNanos = deadlineNanos;
    this.work = work;
  }

  Future<T> run(Pool pool) {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      return Future.failedFuture(expiredFailure());
    }
    long timer =
        context.owner().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), t -> expire());
    pool.getConnection()
        .onComplete(
            acquired -> {
              if (acquired.failed()) {
                context.owner().cancelTimer(timer);
                answer.tryFail(acquired.cause());
                return;
              }
              SqlConnection conn = acquired.result();
              if (expired || passed()) {
                // waited in the pool's queue past the deadline: given back without any work
                conn.close();
                expire();
                return;
              }
              conn.begin()
                  .compose(
                      tx ->
                          work.apply(conn)
                              .transform(
                                  done ->
                                      finish(
                                          tx,
                                          done.succeeded()
                                              ? Future.succeededFuture(done.result())
                                              : Future.failedFuture(done.cause()))))
                  .onComplete(
                      outcome -> {
                        context.owner().cancelTimer(timer);
                        conn.close();
                        if (outcome.succeeded()) {
                          answer.tryComplete(outcome.result());
                        } else {
                          answer.tryFail(outcome.cause());
                        }
                      });
            });
    return answer.future();
  }

  private Future<T> finish(Transaction tx, Future<T> done) {
    if (done.failed()) {
      return tx.rollback().transform(r -> Future.failedFuture(done.cause()));
    }
    if (expired || passed()) {
      expired = true;
      return tx.rollback().transform(r -> Future.failedFuture(expiredFailure()));
    }
    committing = true;
    RequestDeadline.committing();
    return tx.commit().map(done.result());
  }

  private void expire() {
    if (committing) {
      // sent in time: whether it took effect is only known from its answer, so that is awaited
      return;
    }
    expired = true;
    answer.tryFail(expiredFailure());
  }

  private boolean passed() {
    return System.nanoTime() - deadlineNanos >= 0;
  }

  private static ApiException expiredFailure() {
    return new ApiException(ErrorCode.DATABASE, RequestDeadline.EXPIRED);
  }
}
