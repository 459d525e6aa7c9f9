package io.astro.gateway.auth;

import io.astro.common.auth.Caller;
import io.astro.common.auth.DisabledUsers;
import io.astro.common.auth.KeySource;
import io.astro.common.auth.PersonalTokenFormat;
import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.gateway.ControlClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Personal API tokens ({@code astro_pat_...}) traded for short-lived access tokens at user-service
 * ({@code POST /internal/v1/tokens/exchange}), which the gateway then forwards upstream in their
 * place: services only ever verify JWTs. Each access token is kept, keyed by the SHA-256 of the
 * personal token (the secret itself is not kept), until {@link #MARGIN} before it expires; in the
 * last {@link #REFRESH_AHEAD} of its life the next request starts a fresh exchange in the
 * background and is served from the cache, so a steady client never waits for user-service.
 * Concurrent exchanges of one token are coalesced. A cached token the disabled list refuses now —
 * its personal token revoked, its user disabled or of a newer token version — is dropped (after
 * each poll, and when met) and exchanged again, which user-service refuses unless only the token
 * version changed. A refusal is remembered for {@link #REFUSAL_TTL}, so a client retrying a revoked
 * token does not make each retry a call. Both caches are bounded: the least recently used go first.
 * When user-service cannot answer, a request that needs an exchange gets 503 / 30005 at once
 * (within the control timeout), not a 401 that would make a client discard a good token.
 */
public final class PersonalTokens {

  /** An access token is not forwarded in the last this much of its life. */
  static final Duration MARGIN = Duration.ofSeconds(30);

  /** In this last stretch of a cached token's life, requests refresh it in the background. */
  static final Duration REFRESH_AHEAD = Duration.ofSeconds(90);

  /** How long a refused personal token is answered 401 without asking user-service again. */
  static final Duration REFUSAL_TTL = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(PersonalTokens.class);
  private static final ApiException INVALID =
      new ApiException(ErrorCode.UNAUTHORIZED, "missing or invalid token");
  private static final ApiException UNAVAILABLE =
      new ApiException(
          ErrorCode.UNAVAILABLE, "personal API tokens cannot be checked now, retry shortly");

  /** An access token for a personal token, with the caller it names. */
  public record Exchanged(String accessToken, Caller caller) {}

  private final ControlClient client;
  private final URI exchangeUri;
  private final KeySource keys;
  private final DisabledUsers disabled;
  private final Clock clock;
  private final Map<String, Exchanged> cache;
  private final Map<String, Instant> refused;
  private final Map<String, Future<Exchanged>> inFlight = new ConcurrentHashMap<>();

  public PersonalTokens(
      ControlClient client,
      URI exchangeUri,
      KeySource keys,
      DisabledUsers disabled,
      int capacity,
      Clock clock) {
    this.client = client;
    this.exchangeUri = exchangeUri;
    this.keys = keys;
    this.disabled = disabled;
    this.clock = clock;
    this.cache = bounded(capacity);
    this.refused = bounded(capacity);
    disabled.onUpdate(this::dropRefused);
  }

  /**
   * The access token for a personal token: from the cache, else exchanged. Fails with 401 for a
   * token user-service refuses (or of the wrong shape), 503 when user-service cannot answer.
   */
  public Future<Exchanged> resolve(String secret) {
    if (!PersonalTokenFormat.wellFormed(secret)) {
      return Future.failedFuture(INVALID);
    }
    String hash = hash(secret);
    Instant now = clock.instant();
    Exchanged cached = cached(hash, now);
    if (cached != null) {
      if (!now.isBefore(cached.caller().expiresAt().minus(REFRESH_AHEAD))) {
        exchange(hash, secret)
            .onFailure(e -> LOG.debug("background exchange failed: {}", e.getMessage()));
      }
      return Future.succeededFuture(cached);
    }
    if (recentlyRefused(hash, now)) {
      return Future.failedFuture(INVALID);
    }
    return exchange(hash, secret);
  }

  /**
   * Whether {@code secret} is answered from the cache: a personal token exchanged before and still
   * good. Anything else costs an exchange at user-service.
   */
  public boolean known(String secret) {
    return PersonalTokenFormat.wellFormed(secret) && cached(hash(secret), clock.instant()) != null;
  }

  /** How many access tokens are cached now. */
  public synchronized int size() {
    return cache.size();
  }

  private synchronized Exchanged cached(String hash, Instant now) {
    Exchanged entry = cache.get(hash);
    if (entry == null) {
      return null;
    }
    if (!now.isBefore(entry.caller().expiresAt().minus(MARGIN))
        || disabled.refuses(entry.caller())) {
      cache.remove(hash);
      return null;
    }
    return entry;
  }

  private synchronized boolean recentlyRefused(String hash, Instant now) {
    Instant until = refused.get(hash);
    if (until != null && now.isBefore(until)) {
      return true;
    }
    refused.remove(hash);
    return false;
  }

  private Future<Exchanged> exchange(String hash, String secret) {
    Future<Exchanged> running = inFlight.get(hash);
    if (running != null) {
      return running;
    }
    Future<Exchanged> started = call(hash, secret);
    Future<Exchanged> raced = inFlight.putIfAbsent(hash, started);
    if (raced != null) {
      return raced;
    }
    started.onComplete(done -> inFlight.remove(hash, started));
    return started;
  }

  private Future<Exchanged> call(String hash, String secret) {
    return client
        .postJson(exchangeUri, new JsonObject().put("token", secret))
        .recover(
            e -> {
              LOG.warn("personal token exchange at user-service failed: {}", e.getMessage());
              return Future.failedFuture(UNAVAILABLE);
            })
        .compose(
            answer -> {
              if (answer.status() == 401) {
                remember(hash);
                return Future.failedFuture(INVALID);
              }
              JsonObject data = answer.body() == null ? null : answer.body().getJsonObject("data");
              String accessToken = data == null ? null : data.getString("token");
              KeySource.TrustedKeys trusted = keys.current();
              if (answer.status() != 200 || accessToken == null || trusted == null) {
                LOG.warn("personal token exchange answered {}", answer.status());
                return Future.failedFuture(UNAVAILABLE);
              }
              return trusted
                  .verifier()
                  .verify(accessToken)
                  .recover(
                      e -> {
                        LOG.warn("user-service exchanged a token this gateway cannot verify");
                        return Future.failedFuture(UNAVAILABLE);
                      })
                  .compose(
                      caller ->
                          caller.viaPersonalToken()
                              ? Future.succeededFuture(new Exchanged(accessToken, caller))
                              : Future.failedFuture(UNAVAILABLE));
            })
        .onSuccess(exchanged -> store(hash, exchanged));
  }

  private synchronized void store(String hash, Exchanged exchanged) {
    cache.put(hash, exchanged);
    refused.remove(hash);
  }

  private synchronized void remember(String hash) {
    cache.remove(hash);
    refused.put(hash, clock.instant().plus(REFUSAL_TTL));
  }

  // after each poll: what the lists refuse now is not served from the cache any more
  private synchronized void dropRefused() {
    cache.values().removeIf(entry -> disabled.refuses(entry.caller()));
  }

  static String hash(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static <V> Map<String, V> bounded(int capacity) {
    return new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > capacity;
      }
    };
  }
}
