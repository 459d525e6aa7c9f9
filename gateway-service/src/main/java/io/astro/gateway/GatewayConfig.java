package io.astro.gateway;

import io.astro.common.auth.JwtSettings;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Everything gateway-service reads from its environment, in one place.
 *
 * <p>Server and tokens:
 *
 * <ul>
 *   <li>{@code ASTRO_GATEWAY_PORT} — HTTP port, default 8080
 *   <li>{@code ASTRO_HTTP_HOST}, {@code ASTRO_HTTP_BODY_LIMIT} — see {@link HttpSettings}; the body
 *       limit holds for proxied (streamed) requests too
 *   <li>{@code ASTRO_LOG_FORMAT} ({@code json}|{@code text}), {@code ASTRO_LOG_LEVEL} — logging
 *   <li>{@code ASTRO_JWT_ISSUER}, {@code ASTRO_JWT_AUDIENCE}, {@code ASTRO_JWT_LEEWAY} — see {@link
 *       JwtSettings}
 * </ul>
 *
 * <p>Upstreams:
 *
 * <ul>
 *   <li>{@code ASTRO_USER_SERVICE_URL} — default {@code http://localhost:8081}: register, login,
 *       users, admin/users, and the JWKS and disabled-users lists
 *   <li>{@code ASTRO_APP_SERVICE_URL} — default {@code http://localhost:8082}: apps, clusters
 * </ul>
 *
 * <p>Keys (tokens are verified here; only user-service signs):
 *
 * <ul>
 *   <li>{@code ASTRO_JWT_PUBLIC_KEY} (PEM text) or {@code ASTRO_JWT_PUBLIC_KEY_FILE} (path to a PEM
 *       file) — one or more ES256 public keys (SPKI PEM blocks). When set, these are the only
 *       trusted keys and the JWKS is not fetched. Unset (default): keys come from {@code
 *       {ASTRO_USER_SERVICE_URL}/.well-known/jwks.json}
 *   <li>{@code ASTRO_GATEWAY_JWKS_REFRESH} — how often the JWKS is fetched again, default 5m
 *   <li>{@code ASTRO_GATEWAY_JWKS_MIN_REFETCH} — a token with an unknown {@code kid} triggers a
 *       fetch at most this often, default 30s
 *   <li>{@code ASTRO_GATEWAY_DISABLED_POLL} — how often the disabled-users list is polled, default
 *       15s, at most 45s (tokens of a disabled user must stop working within 60 s)
 * </ul>
 *
 * <p>Resilience, per upstream (each upstream has its own breaker, retry and bulkhead with these
 * settings):
 *
 * <ul>
 *   <li>{@code ASTRO_GATEWAY_UPSTREAM_TIMEOUT} — connect timeout and longest silence from an
 *       upstream (before its response headers or between body chunks), default 3s
 *   <li>{@code ASTRO_GATEWAY_STREAM_TIMEOUT} — the same silence bound for streaming requests
 *       ({@code GET /api/v1/apps/{id}/logs?follow=true}), default 10m
 *   <li>{@code ASTRO_GATEWAY_BREAKER_FAILURE_RATE} — failure percentage that opens the breaker,
 *       default 50
 *   <li>{@code ASTRO_GATEWAY_BREAKER_WINDOW} — calls in the sliding window, default 20
 *   <li>{@code ASTRO_GATEWAY_BREAKER_MIN_CALLS} — calls needed before the rate is judged, default
 *       10
 *   <li>{@code ASTRO_GATEWAY_BREAKER_OPEN_FOR} — how long an open breaker refuses before
 *       half-opening, default 10s
 *   <li>{@code ASTRO_GATEWAY_BREAKER_HALF_OPEN_CALLS} — trial calls let through when half-open,
 *       default 3
 *   <li>{@code ASTRO_GATEWAY_RETRY_ATTEMPTS} — tries of an idempotent request (GET/HEAD without
 *       body), first one included, default 3; other methods are never retried
 *   <li>{@code ASTRO_GATEWAY_RETRY_BACKOFF} — wait before the first retry, doubled for each further
 *       one (±50 % jitter), default 100ms
 *   <li>{@code ASTRO_GATEWAY_BULKHEAD} — concurrent calls per upstream (also its connection pool
 *       size); more are refused with 503 at once, default 100
 * </ul>
 *
 * <p>Edge policies:
 *
 * <ul>
 *   <li>{@code ASTRO_GATEWAY_AUTH_RATE} requests per {@code ASTRO_GATEWAY_AUTH_RATE_WINDOW} per
 *       client IP on register and login, default 10 per 1m
 *   <li>{@code ASTRO_GATEWAY_USER_RATE} requests per {@code ASTRO_GATEWAY_USER_RATE_WINDOW} per
 *       user (token {@code sub}) everywhere else, default 50 per 1s
 *   <li>{@code ASTRO_GATEWAY_RATE_LIMIT_KEYS} — most clients (IPs or users) tracked per limiter,
 *       default 100000; beyond it new clients share one bucket until idle ones are evicted
 *   <li>{@code ASTRO_GATEWAY_TRUST_FORWARDED} — default false: the client's {@code X-Forwarded-*}
 *       headers are replaced. True (only behind a trusted load balancer): they are kept and
 *       extended, and the client IP for rate limits is the last {@code X-Forwarded-For} entry
 *   <li>{@code ASTRO_CORS_ORIGINS} — comma-separated allowed origins (e.g. {@code
 *       https://console.example.com}); unset = no CORS headers at all
 * </ul>
 */
public record GatewayConfig(
    HttpSettings http,
    JwtSettings jwt,
    URI userService,
    URI appService,
    Keys keys,
    Duration disabledPoll,
    Resilience resilience,
    RateLimit authRate,
    RateLimit userRate,
    int rateLimitKeys,
    boolean trustForwarded,
    List<String> corsOrigins) {

  /** Where trusted public keys come from: fixed PEM text (non-null) or the JWKS document. */
  public record Keys(String publicKeyPem, URI jwks, Duration refresh, Duration minRefetch) {
    public boolean fixed() {
      return publicKeyPem != null;
    }

    @Override
    public String toString() {
      return fixed() ? "Keys[fixed PEM]" : "Keys[" + jwks + ", refresh " + refresh + "]";
    }
  }

  public record Resilience(
      Duration timeout,
      Duration streamTimeout,
      int failureRate,
      int window,
      int minCalls,
      Duration openFor,
      int halfOpenCalls,
      int retryAttempts,
      Duration retryBackoff,
      int bulkhead) {}

  public record RateLimit(int requests, Duration window) {}

  public static GatewayConfig from(Env env) {
    URI userService = url(env, "ASTRO_USER_SERVICE_URL", "http://localhost:8081");
    Duration disabledPoll = env.duration("ASTRO_GATEWAY_DISABLED_POLL", Duration.ofSeconds(15));
    if (disabledPoll.compareTo(Duration.ofSeconds(45)) > 0
        || disabledPoll.isZero()
        || disabledPoll.isNegative()) {
      throw new ConfigException(
          "ASTRO_GATEWAY_DISABLED_POLL must be positive and at most 45s, got " + disabledPoll);
    }
    return new GatewayConfig(
        HttpSettings.from(env, "ASTRO_GATEWAY_PORT", 8080),
        JwtSettings.from(env),
        userService,
        url(env, "ASTRO_APP_SERVICE_URL", "http://localhost:8082"),
        new Keys(
            publicKeyPem(env),
            userService.resolve("/.well-known/jwks.json"),
            positive(env, "ASTRO_GATEWAY_JWKS_REFRESH", Duration.ofMinutes(5)),
            env.duration("ASTRO_GATEWAY_JWKS_MIN_REFETCH", Duration.ofSeconds(30))),
        disabledPoll,
        new Resilience(
            positive(env, "ASTRO_GATEWAY_UPSTREAM_TIMEOUT", Duration.ofSeconds(3)),
            positive(env, "ASTRO_GATEWAY_STREAM_TIMEOUT", Duration.ofMinutes(10)),
            env.integer("ASTRO_GATEWAY_BREAKER_FAILURE_RATE", 50, 1, 100),
            env.integer("ASTRO_GATEWAY_BREAKER_WINDOW", 20, 1, 10_000),
            env.integer("ASTRO_GATEWAY_BREAKER_MIN_CALLS", 10, 1, 10_000),
            positive(env, "ASTRO_GATEWAY_BREAKER_OPEN_FOR", Duration.ofSeconds(10)),
            env.integer("ASTRO_GATEWAY_BREAKER_HALF_OPEN_CALLS", 3, 1, 1000),
            env.integer("ASTRO_GATEWAY_RETRY_ATTEMPTS", 3, 1, 10),
            positive(env, "ASTRO_GATEWAY_RETRY_BACKOFF", Duration.ofMillis(100)),
            env.integer("ASTRO_GATEWAY_BULKHEAD", 100, 1, 10_000)),
        new RateLimit(
            env.integer("ASTRO_GATEWAY_AUTH_RATE", 10, 1, 1_000_000),
            positive(env, "ASTRO_GATEWAY_AUTH_RATE_WINDOW", Duration.ofMinutes(1))),
        new RateLimit(
            env.integer("ASTRO_GATEWAY_USER_RATE", 50, 1, 1_000_000),
            positive(env, "ASTRO_GATEWAY_USER_RATE_WINDOW", Duration.ofSeconds(1))),
        env.integer("ASTRO_GATEWAY_RATE_LIMIT_KEYS", 100_000, 1, 10_000_000),
        env.bool("ASTRO_GATEWAY_TRUST_FORWARDED", false),
        Arrays.stream(env.string("ASTRO_CORS_ORIGINS", "").split(","))
            .map(String::trim)
            .filter(o -> !o.isEmpty())
            .toList());
  }

  private static URI url(Env env, String name, String defaultValue) {
    String raw = env.string(name, defaultValue);
    try {
      URI uri = new URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null
          || (uri.getPath() != null && !uri.getPath().isEmpty())) {
        throw new ConfigException(
            name + " must be an http(s) URL without a path, got '" + raw + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(name + " must be an http(s) URL without a path, got '" + raw + "'");
    }
  }

  private static Duration positive(Env env, String name, Duration defaultValue) {
    Duration value = env.duration(name, defaultValue);
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException(name + " must be positive, got " + value);
    }
    return value;
  }

  private static String publicKeyPem(Env env) {
    String inline = env.string("ASTRO_JWT_PUBLIC_KEY", null);
    String file = env.string("ASTRO_JWT_PUBLIC_KEY_FILE", null);
    if (inline != null && file != null) {
      throw new ConfigException("set ASTRO_JWT_PUBLIC_KEY or ASTRO_JWT_PUBLIC_KEY_FILE, not both");
    }
    if (file == null) {
      return inline;
    }
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new ConfigException("ASTRO_JWT_PUBLIC_KEY_FILE cannot be read: " + file);
    }
  }
}
