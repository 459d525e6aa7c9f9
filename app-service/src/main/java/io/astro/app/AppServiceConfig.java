package io.astro.app;

import io.astro.common.auth.JwtSettings;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;
import io.astro.common.crypto.KubeconfigCipher;
import io.astro.common.db.DbSettings;
import io.astro.common.events.Topics;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything app-service reads from its environment, in one place.
 *
 * <ul>
 *   <li>{@code ASTRO_APP_SERVICE_PORT} — HTTP port, default 8082; {@code ASTRO_HTTP_HOST}, {@code
 *       ASTRO_HTTP_BODY_LIMIT} — see {@link HttpSettings}
 *   <li>{@code ASTRO_LOG_FORMAT} ({@code json}|{@code text}), {@code ASTRO_LOG_LEVEL} — logging
 *   <li>{@code ASTRO_DB_*} — see {@link DbSettings}; database default {@code astro_apps}. Required
 *       at start (migrations run then)
 *   <li>{@code ASTRO_KAFKA_BOOTSTRAP} — Kafka {@code bootstrap.servers}, default {@code
 *       localhost:9092}. Not needed at start: commands wait in the outbox until Kafka answers
 *   <li>{@code ASTRO_APP_COMMANDS_TOPIC} (default {@code astro.app.commands}), {@code
 *       ASTRO_APP_STATUS_TOPIC} (default {@code astro.app.status}; its dead letters go to {@code
 *       <topic>.dlq}), {@code ASTRO_APP_STATUS_GROUP} — consumer group for status events, default
 *       {@code app-service}
 *   <li>{@code ASTRO_OUTBOX_POLL_INTERVAL} — how often the relay looks for rows committed by other
 *       instances, default 1s (rows committed here wake it at once)
 *   <li>{@code ASTRO_JWT_ISSUER}, {@code ASTRO_JWT_AUDIENCE}, {@code ASTRO_JWT_LEEWAY} — see {@link
 *       JwtSettings}
 *   <li>{@code ASTRO_JWT_PUBLIC_JWK} — a trusted public key as one JWK (JSON text). When set, it is
 *       the only key and no JWKS is fetched
 *   <li>{@code ASTRO_JWKS_URL} — where the keys are fetched from otherwise, default {@code
 *       http://localhost:8081/.well-known/jwks.json} (user-service). Fetched in the background with
 *       retries, and again every 10 minutes; until the first fetch succeeds the apps API answers
 *       503
 *   <li>{@code ASTRO_IMAGE_ALLOWLIST} — comma-separated registries (e.g. {@code
 *       docker.io,ghcr.io/acme}) images must come from; unset = any registry
 *   <li>{@code ASTRO_MAX_APPS_PER_USER} — live apps per user, default 20
 *   <li>{@code ASTRO_DEFAULT_CLUSTER} — the cluster every new app is placed on, default {@code
 *       default}
 *   <li>{@code ASTRO_SYNC_WORKER_URL} — base URL of the sync-worker's internal API (app logs),
 *       default {@code http://localhost:8083}
 *   <li>{@code ASTRO_INTERNAL_TOKEN} or {@code ASTRO_INTERNAL_TOKEN_FILE} (a mounted secret) — the
 *       shared secret sent to the sync-worker, which must hold the same one; at least 16
 *       characters. Unset: app logs answer 503 (a warning at start) — there is no default secret
 *   <li>{@code ASTRO_SYNC_WORKER_TIMEOUT} — connect timeout and longest silence of a logs call,
 *       default 3s (a follow stream may then stay silent up to 10 minutes)
 *   <li>{@code ASTRO_KUBECONFIG_KEYS} (or {@code _FILE}) — {@code kid:base64key,...} AES-256 keys
 *       sealing imported kubeconfigs; the first seals, all open (rotation). Required with {@code
 *       ASTRO_ENV=production}; otherwise a throwaway key with a warning
 *   <li>{@code ASTRO_CLUSTERS_TOPIC} / {@code ASTRO_CLUSTER_STATUS_TOPIC} / {@code
 *       ASTRO_CLUSTER_STATUS_GROUP} — default {@code astro.clusters} / {@code astro.cluster.status}
 *       / {@code app-service-clusters}
 *   <li>{@code ASTRO_PLACEMENT_LABELS} — {@code k=v,...} a cluster must carry to receive new users'
 *       apps
 *   <li>{@code ASTRO_CLUSTER_HEALTH_INTERVAL} — the sync-worker's check interval, default 5m: an
 *       app's status is {@code stale} when its cluster has not answered for two of them
 *   <li>{@code ASTRO_KUBECONFIG_CHECK_TIMEOUT} — how long an import waits for {@code /version},
 *       default 5s
 *   <li>{@code ASTRO_CONTAINER_REQUEST_CPU} — CPU each replica requests (as the sync-worker),
 *       default 100m; placement subtracts it from a cluster's allocatable cores
 *   <li>{@code ASTRO_HOUSEKEEPING_INTERVAL} (default 1h), {@code ASTRO_OUTBOX_RETENTION} (published
 *       outbox rows, default 7d), {@code ASTRO_IDEMPOTENCY_KEY_TTL} (default 24h) — cleanup of rows
 *       that only grow
 *   <li>{@code ASTRO_SYNC_WORKER_BREAKER_OPEN_FOR} — how long the circuit breaker in front of the
 *       sync-worker stays open once half its recent calls failed, default 10s
 * </ul>
 */
public record AppServiceConfig(
    HttpSettings http,
    DbSettings db,
    JwtSettings jwt,
    JsonObject publicJwk,
    String jwksUrl,
    Kafka kafka,
    List<String> imageAllowlist,
    int maxAppsPerUser,
    String defaultCluster,
    SyncWorker syncWorker,
    Clusters clusters,
    Cleanup cleanup) {

  /** How long finished rows are kept. */
  public record Cleanup(
      Duration every, Duration outboxRetention, Duration idempotencyKeyLifetime) {}

  /** Where app logs are read from. {@code internalToken} is null when not configured. */
  public record SyncWorker(
      URI url, String internalToken, Duration timeout, Duration breakerOpenFor) {

    // never printed: records would otherwise show the token in logs and exceptions
    @Override
    public String toString() {
      return "SyncWorker["
          + url
          + ", token "
          + (internalToken == null ? "unset" : "set")
          + ", timeout "
          + timeout
          + "]";
    }
  }

  /** Imported clusters: sealing, their topics, placement and health. */
  public record Clusters(
      KubeconfigCipher cipher,
      String topic,
      String statusTopic,
      String statusGroup,
      Map<String, String> placementLabels,
      Duration healthInterval,
      Duration checkTimeout,
      double coresPerReplica) {

    // never printed: the cipher holds keys
    @Override
    public String toString() {
      return "Clusters[" + topic + ", " + statusTopic + ", placement " + placementLabels + "]";
    }
  }

  /** Where commands go and status events come from. */
  public record Kafka(
      String bootstrap,
      String commandsTopic,
      String statusTopic,
      String statusGroup,
      Duration outboxPollInterval) {

    public String statusDeadLetterTopic() {
      return Topics.deadLetter(statusTopic);
    }
  }

  public static AppServiceConfig from(Env env) {
    return new AppServiceConfig(
        HttpSettings.from(env, "ASTRO_APP_SERVICE_PORT", 8082),
        DbSettings.from(env, "astro_apps"),
        JwtSettings.from(env),
        publicJwk(env.string("ASTRO_JWT_PUBLIC_JWK", null)),
        env.string("ASTRO_JWKS_URL", "http://localhost:8081/.well-known/jwks.json"),
        new Kafka(
            env.string("ASTRO_KAFKA_BOOTSTRAP", "localhost:9092"),
            env.string("ASTRO_APP_COMMANDS_TOPIC", Topics.APP_COMMANDS),
            env.string("ASTRO_APP_STATUS_TOPIC", Topics.APP_STATUS),
            env.string("ASTRO_APP_STATUS_GROUP", "app-service"),
            env.duration("ASTRO_OUTBOX_POLL_INTERVAL", Duration.ofSeconds(1))),
        Arrays.stream(env.string("ASTRO_IMAGE_ALLOWLIST", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList(),
        env.integer("ASTRO_MAX_APPS_PER_USER", 20, 1, 10_000),
        env.string("ASTRO_DEFAULT_CLUSTER", "default"),
        new SyncWorker(
            httpUrl(
                "ASTRO_SYNC_WORKER_URL",
                env.string("ASTRO_SYNC_WORKER_URL", "http://localhost:8083")),
            env.internalToken(),
            env.duration("ASTRO_SYNC_WORKER_TIMEOUT", Duration.ofSeconds(3)),
            env.duration("ASTRO_SYNC_WORKER_BREAKER_OPEN_FOR", Duration.ofSeconds(10))),
        new Clusters(
            KubeconfigCipher.fromEnv(env),
            env.string("ASTRO_CLUSTERS_TOPIC", Topics.CLUSTERS),
            env.string("ASTRO_CLUSTER_STATUS_TOPIC", Topics.CLUSTER_STATUS),
            env.string("ASTRO_CLUSTER_STATUS_GROUP", "app-service-clusters"),
            labels(env.string("ASTRO_PLACEMENT_LABELS", "")),
            env.duration("ASTRO_CLUSTER_HEALTH_INTERVAL", Duration.ofMinutes(5)),
            env.duration("ASTRO_KUBECONFIG_CHECK_TIMEOUT", Duration.ofSeconds(5)),
            cores(env.string("ASTRO_CONTAINER_REQUEST_CPU", "100m"))),
        new Cleanup(
            env.duration("ASTRO_HOUSEKEEPING_INTERVAL", Duration.ofHours(1)),
            env.duration("ASTRO_OUTBOX_RETENTION", Duration.ofDays(7)),
            env.duration("ASTRO_IDEMPOTENCY_KEY_TTL", Duration.ofHours(24))));
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new TreeMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            "ASTRO_PLACEMENT_LABELS must be key=value pairs separated by commas, got '"
                + text
                + "'");
      }
      labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return labels;
  }

  // the CPU each replica requests (the sync-worker's container default), in cores: 100m → 0.1
  private static double cores(String quantity) {
    try {
      return quantity.endsWith("m")
          ? Double.parseDouble(quantity.substring(0, quantity.length() - 1)) / 1000
          : Double.parseDouble(quantity);
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "ASTRO_CONTAINER_REQUEST_CPU must be a CPU quantity such as 100m or 0.5");
    }
  }

  private static URI httpUrl(String name, String text) {
    try {
      URI uri = new URI(text);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new ConfigException(
            name + " must be an http(s) URL such as http://sync-worker:8083, got '" + text + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(
          name + " must be an http(s) URL such as http://sync-worker:8083, got '" + text + "'");
    }
  }

  private static JsonObject publicJwk(String text) {
    if (text == null) {
      return null;
    }
    try {
      JsonObject jwk = new JsonObject(text);
      if (!"EC".equals(jwk.getString("kty"))) {
        throw new ConfigException("ASTRO_JWT_PUBLIC_JWK must be an EC (P-256) JWK");
      }
      return jwk;
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("ASTRO_JWT_PUBLIC_JWK must be a JWK as JSON text");
    }
  }
}
