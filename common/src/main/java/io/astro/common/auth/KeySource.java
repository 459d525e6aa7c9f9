package io.astro.common.auth;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys tokens are checked against: fixed ones (configured), or user-service's JWKS,
 * fetched at start, again every refresh period, and — where the owner asks, see {@link #refetchFor}
 * — early when a token names a key not seen yet (key rotation), at most once per minimum gap, so
 * tokens with made-up key ids cannot turn a service into a JWKS hammer. Only ES256 keys are kept. A
 * failed fetch keeps the keys already known; until the first fetch succeeds it is retried with
 * back-off (0.5 s doubling to 30 s) in the background, and {@link #current()} is null.
 */
public final class KeySource extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(KeySource.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);
  private static final Duration NEVER_EARLY = Duration.ofNanos(Long.MAX_VALUE);

  /**
   * The keys trusted now: their ids, and the handler and verifier that check bearer tokens against
   * them.
   */
  public record TrustedKeys(Set<String> keyIds, AuthHandler handler, TokenVerifier verifier) {}

  private final JwtSettings jwt;
  private final Supplier<Future<List<JsonObject>>> fetch;
  private final Duration refresh;
  private final long minRefetchNanos;
  private volatile TrustedKeys current;
  private List<JsonObject> trustedJwks;
  private volatile boolean stopped;
  private Future<Void> inFlight;
  private long lastFetchStart;
  private boolean failing;

  private KeySource(
      JwtSettings jwt,
      Supplier<Future<List<JsonObject>>> fetch,
      Duration refresh,
      Duration minRefetch) {
    this.jwt = jwt;
    this.fetch = fetch;
    this.refresh = refresh;
    this.minRefetchNanos = minRefetch.toNanos();
  }

  /** Keys given in the configuration (JWKs); never fetched. */
  public static KeySource fixed(JwtSettings jwt, List<JsonObject> jwks) {
    return new KeySource(jwt, () -> Future.succeededFuture(jwks), null, Duration.ZERO);
  }

  /**
   * Keys served as a JWKS document ({@code {"keys": [...]}}, user-service's), read by {@code
   * document} at start and every {@code refresh}; a token naming an unknown key fetches early, at
   * most once per {@code minRefetch}.
   */
  public static KeySource jwks(
      JwtSettings jwt,
      Supplier<Future<JsonObject>> document,
      Duration refresh,
      Duration minRefetch) {
    return new KeySource(
        jwt, () -> document.get().map(KeySource::signingKeys), refresh, minRefetch);
  }

  /** As {@link #jwks(JwtSettings, Supplier, Duration, Duration)}, never fetching early. */
  public static KeySource jwks(
      JwtSettings jwt, Supplier<Future<JsonObject>> document, Duration refresh) {
    return jwks(jwt, document, refresh, NEVER_EARLY);
  }

  /**
   * Completes after the first attempt, whatever its outcome: a gateway starts while user-service is
   * down. Fixed keys that cannot be used fail the start instead.
   */
  @Override
  public Future<?> start() {
    if (refresh == null) {
      return fetchNow();
    }
    return fetchNow()
        .onComplete(done -> schedule(done.succeeded() ? refresh : FIRST_RETRY))
        .otherwiseEmpty();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return Future.succeededFuture();
  }

  /** Null until keys have been loaded once. */
  public TrustedKeys current() {
    return current;
  }

  /**
   * Completes once keys naming {@code keyId} are known, or when fetching again is not allowed yet
   * (fixed keys, a fetch too recent) — callers then verify with what is known.
   */
  public synchronized Future<Void> refetchFor(String keyId) {
    TrustedKeys keys = current;
    if (refresh == null || (keys != null && keys.keyIds().contains(keyId))) {
      return Future.succeededFuture();
    }
    if (inFlight != null) {
      return inFlight;
    }
    if (minRefetchNanos == Long.MAX_VALUE || System.nanoTime() - lastFetchStart < minRefetchNanos) {
      return Future.succeededFuture();
    }
    return fetchNow().otherwiseEmpty();
  }

  private void schedule(Duration delay) {
    if (stopped) {
      return;
    }
    Duration backoff =
        delay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay.multipliedBy(2);
    vertx.setTimer(
        delay.toMillis(),
        id -> fetchNow().onComplete(done -> schedule(done.succeeded() ? refresh : backoff)));
  }

  private synchronized Future<Void> fetchNow() {
    if (inFlight != null) {
      return inFlight;
    }
    lastFetchStart = System.nanoTime();
    Future<Void> fetched = fetch.get().compose(this::trust);
    inFlight = fetched;
    fetched.onComplete(this::fetched);
    return fetched;
  }

  private synchronized void fetched(AsyncResult<Void> result) {
    inFlight = null;
    if (result.succeeded()) {
      failing = false;
    } else if (!failing) {
      failing = true;
      // once per outage: the background retries would otherwise log every few seconds
      LOG.warn(
          "cannot load token signing keys ({}); {}",
          result.cause().getMessage(),
          current == null
              ? "protected routes answer 503 until they load"
              : "keeping the keys already known");
    }
  }

  private Future<Void> trust(List<JsonObject> jwks) {
    if (jwks.equals(trustedJwks)) {
      return Future.succeededFuture();
    }
    try {
      Set<String> ids =
          jwks.stream()
              .map(k -> k.getString("kid"))
              .filter(id -> id != null)
              .collect(Collectors.toSet());
      TokenVerifier verifier = TokenVerifier.create(vertx, jwt, jwks);
      current = new TrustedKeys(ids, new AuthHandler(verifier), verifier);
      trustedJwks = jwks;
      LOG.info("trusting token signing keys {}", ids);
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("unusable keys: " + e.getMessage()));
    }
  }

  // only ES256 keys can verify an Astro token; anything else in the document is ignored
  private static List<JsonObject> signingKeys(JsonObject document) {
    JsonArray keys = document.getJsonArray("keys");
    List<JsonObject> usable =
        keys == null
            ? List.of()
            : keys.stream()
                .filter(JsonObject.class::isInstance)
                .map(JsonObject.class::cast)
                .filter(k -> "EC".equals(k.getString("kty")) && "P-256".equals(k.getString("crv")))
                .filter(
                    k ->
                        k.getString("alg") == null
                            || JwtSettings.ALGORITHM.equals(k.getString("alg")))
                .map(
                    k ->
                        k.getString("alg") == null ? k.copy().put("alg", JwtSettings.ALGORITHM) : k)
                .toList();
    if (usable.isEmpty()) {
      throw new IllegalStateException("JWKS holds no ES256 key");
    }
    return usable;
  }
}
