package io.astro.common.http;

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

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
  private static final int MAX_LENGTH = 128;

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
    return fromClient != null && accepted(fromClient) ? fromClient : generate();
  }

  /**
   * What we accept from clients, {@code [A-Za-z0-9._:-]{1,128}}: enough for UUIDs and common trace
   * ids, nothing that could forge log lines. A loop, not a regex: it runs on every request of every
   * service.
   */
  static boolean accepted(String id) {
    int length = id.length();
    if (length == 0 || length > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == ':'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * A random (version 4) UUID from the thread's own generator. A request id only has to tell one
   * request from another in logs and events, not be unguessable; {@code UUID.randomUUID()} draws
   * from the shared {@code SecureRandom} (a lock and a SHA-1 per id) on every request the gateway
   * receives without one.
   */
  static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }
}
