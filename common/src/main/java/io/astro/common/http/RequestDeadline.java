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

  private static final ContextLocal<Long> LOCAL = ContextLocal.registerLocal(Long.class);

  @Override
  public void init(VertxBootstrap bootstrap) {
    // registering LOCAL in the static initializer is all that is needed
  }

  /** Gives every request of a router {@code budget} from its arrival ({@link System#nanoTime}). */
  public static Handler<RoutingContext> handler(Duration budget) {
    long nanos = budget.toNanos();
    return ctx -> {
      bind(Vertx.currentContext(), System.nanoTime() + nanos);
      ctx.next();
    };
  }

  /** Binds a deadline to a (duplicated, per request) context. */
  public static void bind(Context context, long deadlineNanos) {
    context.putLocal(LOCAL, deadlineNanos);
  }

  /** The current request's deadline on the {@link System#nanoTime} scale, if it has one. */
  public static OptionalLong current() {
    Context context = Vertx.currentContext();
    Long deadline = context == null ? null : context.getLocal(LOCAL);
    return deadline == null ? OptionalLong.empty() : OptionalLong.of(deadline);
  }
}
