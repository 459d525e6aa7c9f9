package io.astro.user;

import io.astro.common.auth.JwtSettings;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;
import io.astro.common.db.DbSettings;
import io.astro.common.events.KafkaSecurity;
import io.astro.common.events.Topics;
import io.astro.user.accounts.LoginThrottle;
import io.astro.user.accounts.RegistrationRules;
import java.net.URI;
import java.time.Duration;

/**
 * Everything user-service reads from its environment, in one place. What each variable means and
 * its default are described once, in the README's user-service table (and the "Every service" one);
 * deploy-checks' ReadmeConfigurationTest fails when a name read here is missing there or the other
 * way round.
 */
public record UserServiceConfig(
    HttpSettings http,
    DbSettings db,
    JwtSettings jwt,
    Duration tokenTtl,
    int bcryptCost,
    int bcryptThreads,
    int bcryptMaxQueued,
    LoginThrottle.Limits login,
    int signupsPerIp,
    Duration signupWindow,
    int apiTokensPerUser,
    Admin admin,
    Kafka kafka,
    Lifecycle lifecycle,
    URI appServiceUrl) {

  /** Where user events go (through the outbox). */
  public record Kafka(
      String bootstrap,
      KafkaSecurity security,
      String usersTopic,
      String auditTopic,
      Duration outboxPollInterval) {}

  /**
   * How long a deleted account's username and email stay reserved, and how often housekeeping frees
   * them and removes published outbox rows older than {@code outboxRetention}.
   */
  public record Lifecycle(
      Duration usernameReservation, Duration housekeepingInterval, Duration outboxRetention) {}

  /** The bootstrap admin; null fields when not configured. */
  public record Admin(String username, String email, String password) {
    public boolean configured() {
      return username != null;
    }

    @Override
    public String toString() {
      return "Admin[" + username + "]";
    }
  }

  public static UserServiceConfig from(Env env) {
    String adminUser = env.string("ASTRO_ADMIN_USERNAME", null);
    String adminPassword = env.string("ASTRO_ADMIN_PASSWORD", null);
    if ((adminUser == null) != (adminPassword == null)) {
      throw new ConfigException(
          "ASTRO_ADMIN_USERNAME and ASTRO_ADMIN_PASSWORD must be set together");
    }
    if (adminPassword != null && RegistrationRules.tooLong(adminPassword)) {
      throw new ConfigException(
          "ASTRO_ADMIN_PASSWORD must be at most "
              + RegistrationRules.MAX_PASSWORD_BYTES
              + " bytes in UTF-8 (bcrypt's bound)");
    }
    return new UserServiceConfig(
        HttpSettings.from(
            env, "ASTRO_USER_SERVICE_PORT", 8081, "ASTRO_USER_SERVICE_MANAGEMENT_PORT", 9081),
        DbSettings.from(env, "astro_users"),
        JwtSettings.from(env),
        env.duration("ASTRO_JWT_TTL", Duration.ofHours(24)),
        env.integer("ASTRO_BCRYPT_COST", 10, 10, 14),
        env.integer("ASTRO_BCRYPT_THREADS", Runtime.getRuntime().availableProcessors(), 1, 64),
        env.integer("ASTRO_BCRYPT_MAX_QUEUED", 64, 1, 10_000),
        new LoginThrottle.Limits(
            env.integer("ASTRO_LOGIN_MAX_FAILURES", 5, 1, 1_000_000),
            env.integer("ASTRO_LOGIN_MAX_FAILURES_PER_USER", 100, 1, 1_000_000),
            positive(env, "ASTRO_LOGIN_FAILURE_WINDOW", Duration.ofMinutes(15)),
            env.integer("ASTRO_LOGIN_IP_MAX_FAILURES", 10, 1, 1_000_000),
            positive(env, "ASTRO_LOGIN_IP_WINDOW", Duration.ofMinutes(1))),
        env.integer("ASTRO_SIGNUP_MAX_PER_IP", 20, 1, 1_000_000),
        positive(env, "ASTRO_SIGNUP_WINDOW", Duration.ofHours(1)),
        env.integer("ASTRO_API_TOKENS_PER_USER", 20, 1, 1000),
        new Admin(
            adminUser,
            env.string("ASTRO_ADMIN_EMAIL", adminUser == null ? null : adminUser + "@astro.local"),
            adminPassword),
        new Kafka(
            env.string("ASTRO_KAFKA_BOOTSTRAP", "localhost:9092"),
            KafkaSecurity.fromEnv(env),
            env.string("ASTRO_USERS_TOPIC", Topics.USERS),
            env.string("ASTRO_AUDIT_TOPIC", Topics.AUDIT),
            positive(env, "ASTRO_OUTBOX_POLL_INTERVAL", Duration.ofSeconds(1))),
        new Lifecycle(
            notNegative(env, "ASTRO_USERNAME_RESERVATION", Duration.ofDays(30)),
            positive(env, "ASTRO_HOUSEKEEPING_INTERVAL", Duration.ofHours(1)),
            positive(env, "ASTRO_OUTBOX_RETENTION", Duration.ofDays(7))),
        appServiceUrl(env.string("ASTRO_APP_SERVICE_URL", "http://localhost:8082")));
  }

  // the operators' accounts list asks app-service for each account's apps; plain http inside
  private static URI appServiceUrl(String raw) {
    URI uri;
    try {
      uri = URI.create(raw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("ASTRO_APP_SERVICE_URL must be a URL, got '" + raw + "'");
    }
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new ConfigException("ASTRO_APP_SERVICE_URL must be an http:// URL, got '" + raw + "'");
    }
    return uri;
  }

  private static Duration notNegative(Env env, String name, Duration defaultValue) {
    Duration value = env.duration(name, defaultValue);
    if (value.isNegative()) {
      throw new ConfigException(name + " must not be negative, got " + value);
    }
    return value;
  }

  private static Duration positive(Env env, String name, Duration defaultValue) {
    Duration value = env.duration(name, defaultValue);
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException(name + " must be positive, got " + value);
    }
    return value;
  }
}
