package io.astro.common.http;

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The request id of the work in progress. Vert.x runs each HTTP request (and each Kafka record) on
 * its own duplicated context, so the id lives in a context-local rather than a thread-local: it
 * follows the request across Future callbacks and executeBlocking hops on any thread.
 *
 * <p>Registered as a {@link VertxServiceProvider} because context locals must exist before the
 * first Vertx instance is built.
 */
public final class RequestIds implements VertxServiceProvider {

  public static final String HEADER = "X-Request-Id";

  private static final ContextLocal<String> LOCAL = ContextLocal.registerLocal(String.class);
  // What we accept from clients: enough for UUIDs and common trace ids, nothing that could forge
  // log lines.
  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  @Override
  public void init(VertxBootstrap bootstrap) {
    // registering LOCAL in the static initializer is all that is needed
  }

  /** The id of the current request, or null outside of one. */
  public static String current() {
    Context context = Vertx.currentContext();
    return context == null ? null : context.getLocal(LOCAL);
  }

  /** Binds an id to a context; the context must be a duplicated (per request or per record) one. */
  public static void bind(Context context, String requestId) {
    context.putLocal(LOCAL, requestId);
  }

  /** Hands the current request id on to an outgoing call (HTTP request headers). */
  public static MultiMap propagate(MultiMap outgoingHeaders) {
    String id = current();
    if (id != null) {
      outgoingHeaders.set(HEADER, id);
    }
    return outgoingHeaders;
  }

  /** The client's id when it is well formed, else a fresh one. */
  public static String acceptOrGenerate(String fromClient) {
    return fromClient != null && ACCEPTED.matcher(fromClient).matches()
        ? fromClient
        : UUID.randomUUID().toString();
  }
}
