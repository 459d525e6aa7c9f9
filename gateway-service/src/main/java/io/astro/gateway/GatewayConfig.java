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
 * Everything gateway-service reads from its environment, in one place. What each variable means and
 * its default are described once, in the README's gateway-service table (and the "Every service"
 * one); deploy-checks' ReadmeConfigurationTest fails when a name read here is missing there or the
 * other way round.
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
    List<String> corsOrigins,
    Streams streams,
    int tokenCache) {

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

  /**
   * Long-lived streams (log follows, status streams): at most {@code perUser} open per user, each
   * ended after {@code lifetime} (the client reconnects), all of them together bounded per upstream
   * by {@code bulkhead}, apart from the bulkhead of ordinary calls.
   */
  public record Streams(int perUser, Duration lifetime, int bulkhead) {}

  public static GatewayConfig from(Env env) {
    URI userService = url(env, "ASTRO_USER_SERVICE_URL", "http://localhost:8081");
    // 10 s by default: a revoked personal token's access tokens stop working within 15 s
    Duration disabledPoll = env.duration("ASTRO_GATEWAY_DISABLED_POLL", Duration.ofSeconds(10));
    if (disabledPoll.compareTo(Duration.ofSeconds(45)) > 0
        || disabledPoll.isZero()
        || disabledPoll.isNegative()) {
      throw new ConfigException(
          "ASTRO_GATEWAY_DISABLED_POLL must be positive and at most 45s, got " + disabledPoll);
    }
    return new GatewayConfig(
        HttpSettings.from(env, "ASTRO_GATEWAY_PORT", 8080, "ASTRO_GATEWAY_MANAGEMENT_PORT", 9080),
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
            env.integer("ASTRO_GATEWAY_AUTH_RATE", 120, 1, 1_000_000),
            positive(env, "ASTRO_GATEWAY_AUTH_RATE_WINDOW", Duration.ofMinutes(1))),
        new RateLimit(
            env.integer("ASTRO_GATEWAY_USER_RATE", 50, 1, 1_000_000),
            positive(env, "ASTRO_GATEWAY_USER_RATE_WINDOW", Duration.ofSeconds(1))),
        env.integer("ASTRO_GATEWAY_RATE_LIMIT_KEYS", 100_000, 1, 10_000_000),
        env.bool("ASTRO_GATEWAY_TRUST_FORWARDED", false),
        Arrays.stream(env.string("ASTRO_CORS_ORIGINS", "").split(","))
            .map(String::trim)
            .filter(o -> !o.isEmpty())
            .toList(),
        new Streams(
            env.integer("ASTRO_GATEWAY_STREAMS_PER_USER", 10, 1, 10_000),
            positive(env, "ASTRO_GATEWAY_STREAM_LIFETIME", Duration.ofMinutes(30)),
            env.integer("ASTRO_GATEWAY_STREAM_BULKHEAD", 500, 1, 100_000)),
        env.integer("ASTRO_GATEWAY_TOKEN_CACHE", 10_000, 1, 1_000_000));
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
