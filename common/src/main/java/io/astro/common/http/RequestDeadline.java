package io.astro.common.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * When the request in progress must have finished its database work: the gateway gives up on an
 * upstream after its timeout and answers for it, so work that commits later would change what the
 * caller was told had not happened. Like {@link RequestIds} it lives in a context-local of the
 * request's duplicated context, so the store finds it without every call passing it on.
 *
 * <p>Registered as a {@link VertxServiceProvider} because context locals must exist before the
 * first Vertx instance is built.
 */
public final class RequestDeadline implements VertxServiceProvider {

  /** What "nothing changed" answers say. */
  public static final String EXPIRED =
      "the database did not answer in time; nothing was changed, retry";

  private static final ContextLocal<State> LOCAL = ContextLocal.registerLocal(State.class);

  /** A request's deadline ({@link System#nanoTime} scale) and whether it has sent a commit. */
  private static final class State {
    final long deadlineNanos;
    volatile boolean committing;

    State(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
    }
  }

  @Override
  public void init(VertxBootstrap bootstrap) {
    // registering LOCAL in the static initializer is all that is needed
  }

  /** Gives every request of a route {@code budget} from its arrival for its transactions. */
  public static Handler<RoutingContext> handler(Duration budget) {
    long nanos = budget.toNanos();
    return ctx -> {
      attach(Vertx.currentContext(), System.nanoTime() + nanos);
      ctx.next();
    };
  }

  /**
   * As {@link #handler}, and a request still unanswered at its deadline that has not sent a commit
   * is answered then: 503 (30002), nothing changed — whatever it waits for (a read, the pool). Only
   * for routes whose every write goes through a bounded transaction: a plain statement still
   * waiting might yet take effect.
   */
  public static Handler<RoutingContext> answering(Duration budget) {
    long nanos = budget.toNanos();
    return ctx -> {
      Context context = Vertx.currentContext();
      State state = attach(context, System.nanoTime() + nanos);
      long timer =
          context
              .owner()
              .setTimer(
                  Math.max(1, budget.toMillis()),
                  t -> {
                    if (!ctx.response().ended() && !ctx.failed() && !state.committing) {
                      ctx.fail(new ApiException(ErrorCode.DATABASE, EXPIRED));
                    }
                  });
      ctx.addEndHandler(done -> context.owner().cancelTimer(timer));
      ctx.next();
    };
  }

  /** Binds a deadline to a (duplicated, per request) context. */
  public static void bind(Context context, long deadlineNanos) {
    attach(context, deadlineNanos);
  }

  private static State attach(Context context, long deadlineNanos) {
    State state = new State(deadlineNanos);
    context.putLocal(LOCAL, state);
    return state;
  }

  /** The current request's deadline on the {@link System#nanoTime} scale, if it has one. */
  public static OptionalLong current() {
    State state = state();
    return state == null ? OptionalLong.empty() : OptionalLong.of(state.deadlineNanos);
  }

  /**
   * Marks the current request as having sent a commit: from now on only the commit's answer says
   * whether it took effect, so it is not answered "nothing changed" at its deadline.
   */
  public static void committing() {
    State state = state();
    if (state != null) {
      state.committing = true;
    }
  }

  private static State state() {
    Context context = Vertx.currentContext();
    return context == null ? null : context.getLocal(LOCAL);
  }
}
