package io.astro.app;

import io.astro.app.apps.WriteLimits;
import io.astro.app.domains.DomainSettings;
import io.astro.app.quota.AppSizes;
import io.astro.app.quota.NamespaceQuota;
import io.astro.common.auth.JwtSettings;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;
import io.astro.common.crypto.KeyRing;
import io.astro.common.db.DbSettings;
import io.astro.common.events.KafkaSecurity;
import io.astro.common.events.Topics;
import io.astro.common.net.ClusterAddressGuard;
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
 * Everything app-service reads from its environment, in one place. What each variable means and its
 * default are described once, in the README's app-service table (and the "Every service" one);
 * deploy-checks' ReadmeConfigurationTest fails when a name read here is missing there or the other
 * way round.
 */
public record AppServiceConfig(
    HttpSettings http,
    DbSettings db,
    Duration requestDeadline,
    JwtSettings jwt,
    JsonObject publicJwk,
    String jwksUrl,
    Kafka kafka,
    List<String> imageAllowlist,
    int maxAppsPerUser,
    String defaultCluster,
    SyncWorker syncWorker,
    Clusters clusters,
    Cleanup cleanup,
    AppSizes sizes,
    NamespaceQuota namespaceQuota,
    WriteLimits writeLimits,
    DisabledUsersSource disabledUsers,
    Streams streams,
    DomainSettings domains) {

  /** Where the disabled accounts are read from, and how often. */
  public record DisabledUsersSource(URI url, Duration every) {}

  /**
   * Long-lived streams (log follows, the status stream): at most {@code perUser} open per user on
   * this instance, each ended after {@code lifetime} (the client reconnects); a status stream
   * writes a keep-alive comment every {@code keepAlive}.
   */
  public record Streams(int perUser, Duration lifetime, Duration keepAlive) {}

  /** How long finished rows are kept. */
  public record Cleanup(
      Duration every,
      Duration outboxRetention,
      Duration idempotencyKeyLifetime,
      Duration appEventsRetention,
      Duration auditRetention) {}

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
      KeyRing cipher,
      boolean acceptLegacySeals,
      String topic,
      String statusTopic,
      String statusGroup,
      Map<String, String> placementLabels,
      Duration healthInterval,
      Duration checkTimeout,
      double coresPerReplica,
      ClusterAddressGuard addressGuard) {

    // never printed: the cipher holds keys
    @Override
    public String toString() {
      return "Clusters[" + topic + ", " + statusTopic + ", placement " + placementLabels + "]";
    }
  }

  /** Where commands go, status events and account events come from. */
  public record Kafka(
      String bootstrap,
      String commandsTopic,
      String statusTopic,
      String statusGroup,
      Duration outboxPollInterval,
      KafkaSecurity security,
      String usersTopic,
      String usersGroup,
      String auditTopic) {

    public String statusDeadLetterTopic() {
      return Topics.deadLetter(statusTopic);
    }
  }

  public static AppServiceConfig from(Env env) {
    return new AppServiceConfig(
        HttpSettings.from(
            env, "ASTRO_APP_SERVICE_PORT", 8082, "ASTRO_APP_SERVICE_MANAGEMENT_PORT", 9082),
        DbSettings.from(env, "astro_apps"),
        // below the gateway's ASTRO_GATEWAY_UPSTREAM_TIMEOUT (3s), which answers for a request past
        // it
        env.duration("ASTRO_DB_REQUEST_DEADLINE", Duration.ofSeconds(2)),
        JwtSettings.from(env),
        publicJwk(env.string("ASTRO_JWT_PUBLIC_JWK", null)),
        env.string("ASTRO_JWKS_URL", "http://localhost:8081/.well-known/jwks.json"),
        new Kafka(
            env.string("ASTRO_KAFKA_BOOTSTRAP", "localhost:9092"),
            env.string("ASTRO_APP_COMMANDS_TOPIC", Topics.APP_COMMANDS),
            env.string("ASTRO_APP_STATUS_TOPIC", Topics.APP_STATUS),
            env.string("ASTRO_APP_STATUS_GROUP", "app-service"),
            env.duration("ASTRO_OUTBOX_POLL_INTERVAL", Duration.ofSeconds(1)),
            KafkaSecurity.fromEnv(env),
            env.string("ASTRO_USERS_TOPIC", Topics.USERS),
            env.string("ASTRO_USERS_GROUP", "app-service-users"),
            env.string("ASTRO_AUDIT_TOPIC", Topics.AUDIT)),
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
            KeyRing.fromEnv(env),
            env.bool("ASTRO_KUBECONFIG_LEGACY_AAD", true),
            env.string("ASTRO_CLUSTERS_TOPIC", Topics.CLUSTERS),
            env.string("ASTRO_CLUSTER_STATUS_TOPIC", Topics.CLUSTER_STATUS),
            env.string("ASTRO_CLUSTER_STATUS_GROUP", "app-service-clusters"),
            labels(env.string("ASTRO_PLACEMENT_LABELS", "")),
            env.duration("ASTRO_CLUSTER_HEALTH_INTERVAL", Duration.ofMinutes(5)),
            env.duration("ASTRO_KUBECONFIG_CHECK_TIMEOUT", Duration.ofSeconds(5)),
            cores(env.string("ASTRO_CONTAINER_REQUEST_CPU", "100m")),
            ClusterAddressGuard.fromEnv(env)),
        new Cleanup(
            env.duration("ASTRO_HOUSEKEEPING_INTERVAL", Duration.ofHours(1)),
            env.duration("ASTRO_OUTBOX_RETENTION", Duration.ofDays(7)),
            env.duration("ASTRO_IDEMPOTENCY_KEY_TTL", Duration.ofHours(24)),
            appEventsRetention(env),
            auditRetention(env)),
        AppSizes.from(env),
        NamespaceQuota.from(env),
        writeLimits(env),
        new DisabledUsersSource(
            httpUrl(
                    "ASTRO_USER_SERVICE_URL",
                    env.string("ASTRO_USER_SERVICE_URL", "http://localhost:8081"))
                .resolve("/internal/v1/users/disabled"),
            disabledPoll(env)),
        new Streams(
            env.integer("ASTRO_APP_SERVICE_STREAMS_PER_USER", 10, 1, 10_000),
            positive(env, "ASTRO_APP_SERVICE_STREAM_LIFETIME", Duration.ofMinutes(30)),
            positive(env, "ASTRO_APP_SERVICE_STREAM_KEEPALIVE", Duration.ofSeconds(15))),
        DomainSettings.from(env));
  }

  private static WriteLimits writeLimits(Env env) {
    Duration window = env.duration("ASTRO_WRITE_LIMIT_WINDOW", Duration.ofMinutes(1));
    // the changes are counted from app_events, which keeps at least a day (appEventsRetention)
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException(
          "ASTRO_WRITE_LIMIT_WINDOW must be between 1s and 1h, got " + window);
    }
    return new WriteLimits(
        env.integer("ASTRO_WRITE_LIMIT_PER_APP_ACTION", 10, 1, 100_000),
        env.integer("ASTRO_WRITE_LIMIT_PER_USER", 60, 1, 1_000_000),
        window);
  }

  private static Duration appEventsRetention(Env env) {
    Duration retention = env.duration("ASTRO_APP_EVENTS_RETENTION", Duration.ofDays(30));
    if (retention.compareTo(Duration.ofDays(1)) < 0) {
      throw new ConfigException(
          "ASTRO_APP_EVENTS_RETENTION must be at least 1d (the write limits count recent"
              + " history), got "
              + retention);
    }
    return retention;
  }

  private static Duration auditRetention(Env env) {
    Duration retention = env.duration("ASTRO_AUDIT_RETENTION", Duration.ofDays(365));
    if (retention.compareTo(Duration.ofDays(1)) < 0) {
      throw new ConfigException("ASTRO_AUDIT_RETENTION must be at least 1d, got " + retention);
    }
    return retention;
  }

  // a disabled account, or a revoked personal token, keeps working here for at most about this
  // long: 10 s by default, so a revocation holds everywhere within 15 s
  private static Duration disabledPoll(Env env) {
    Duration every = env.duration("ASTRO_DISABLED_USERS_POLL", Duration.ofSeconds(10));
    if (every.isZero() || every.isNegative() || every.compareTo(Duration.ofSeconds(45)) > 0) {
      throw new ConfigException(
          "ASTRO_DISABLED_USERS_POLL must be positive and at most 45s, got " + every);
    }
    return every;
  }

  private static Duration positive(Env env, String name, Duration defaultValue) {
    Duration value = env.duration(name, defaultValue);
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException(name + " must be positive, got " + value);
    }
    return value;
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
