package io.astro.sync;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;
import io.astro.common.crypto.KeyRing;
import io.astro.common.events.KafkaSecurity;
import io.astro.common.events.Topics;
import io.astro.common.net.ClusterAddressGuard;
import io.astro.sync.clusters.ClusterSource;
import io.astro.sync.reconcile.TenantPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * Everything sync-worker reads from its environment, in one place. What each variable means and its
 * default are described once, in the README's sync-worker table (and the "Every service" one);
 * deploy-checks' ReadmeConfigurationTest fails when a name read here is missing there or the other
 * way round.
 */
public record SyncWorkerConfig(
    HttpSettings http,
    Kafka kafka,
    Map<String, ClusterSource> clusters,
    KeyRing kubeconfigKeys,
    boolean acceptLegacySeals,
    ClusterAddressGuard clusterAddresses,
    int maxClusters,
    Duration kubeRequestTimeout,
    Duration informerResync,
    Health health,
    int workers,
    Duration retryBase,
    Duration retryMax,
    String internalToken,
    TenantPolicy tenantPolicy,
    Duration rolloutDeadline) {

  // never printed: the token, the keys and kubeconfigs would otherwise show in logs and exceptions
  @Override
  public String toString() {
    return "SyncWorkerConfig[" + http + ", " + kafka + ", clusters " + clusters.keySet() + "]";
  }

  /** Topics, group and bootstrap servers. */
  public record Kafka(
      String bootstrap,
      String commandsTopic,
      String statusTopic,
      String group,
      String clustersTopic,
      String clusterStatusTopic,
      KafkaSecurity security) {}

  /**
   * How cluster health is checked: every interval, and again after {@code retry} (doubling up to
   * the interval) while a cluster's checks fail.
   */
  public record Health(Duration interval, int concurrency, Duration timeout, Duration retry) {
    public Health {
      if (!positive(interval) || !positive(timeout) || !positive(retry)) {
        throw new ConfigException(
            "ASTRO_CLUSTER_HEALTH_INTERVAL, ASTRO_CLUSTER_HEALTH_TIMEOUT and"
                + " ASTRO_CLUSTER_HEALTH_RETRY must be positive");
      }
    }

    private static boolean positive(Duration d) {
      return !d.isNegative() && !d.isZero();
    }
  }

  public static SyncWorkerConfig from(Env env) {
    return new SyncWorkerConfig(
        HttpSettings.from(
            env, "ASTRO_SYNC_WORKER_PORT", 8083, "ASTRO_SYNC_WORKER_MANAGEMENT_PORT", 9083),
        new Kafka(
            env.string("ASTRO_KAFKA_BOOTSTRAP", "localhost:9092"),
            env.string("ASTRO_APP_COMMANDS_TOPIC", Topics.APP_COMMANDS),
            env.string("ASTRO_APP_STATUS_TOPIC", Topics.APP_STATUS),
            env.string("ASTRO_APP_COMMANDS_GROUP", "sync-worker"),
            env.string("ASTRO_CLUSTERS_TOPIC", Topics.CLUSTERS),
            env.string("ASTRO_CLUSTER_STATUS_TOPIC", Topics.CLUSTER_STATUS),
            KafkaSecurity.fromEnv(env)),
        ClusterSource.parseAll(env.string("ASTRO_CLUSTERS", "")),
        kubeconfigKeys(env),
        env.bool("ASTRO_KUBECONFIG_LEGACY_AAD", true),
        ClusterAddressGuard.fromEnv(env),
        env.integer("ASTRO_MAX_CLUSTERS", 50, 1, 10_000),
        env.duration("ASTRO_KUBE_REQUEST_TIMEOUT", Duration.ofSeconds(10)),
        env.duration("ASTRO_INFORMER_RESYNC", Duration.ofMinutes(10)),
        new Health(
            env.duration("ASTRO_CLUSTER_HEALTH_INTERVAL", Duration.ofMinutes(5)),
            env.integer("ASTRO_CLUSTER_HEALTH_CONCURRENCY", 10, 1, 256),
            env.duration("ASTRO_CLUSTER_HEALTH_TIMEOUT", Duration.ofSeconds(10)),
            env.duration("ASTRO_CLUSTER_HEALTH_RETRY", Duration.ofSeconds(5))),
        env.integer("ASTRO_RECONCILE_WORKERS", 4, 1, 256),
        env.duration("ASTRO_RECONCILE_RETRY_BASE", Duration.ofMillis(200)),
        env.duration("ASTRO_RECONCILE_RETRY_MAX", Duration.ofMinutes(1)),
        env.internalToken(),
        TenantPolicy.from(env),
        rolloutDeadline(env));
  }

  /** Whole seconds: it becomes the Deployments' {@code progressDeadlineSeconds}. */
  private static Duration rolloutDeadline(Env env) {
    int seconds = env.integer("ASTRO_ROLLOUT_DEADLINE", 120, 1, 86_400);
    return Duration.ofSeconds(seconds);
  }

  // unset is allowed (static clusters only); a malformed value stops the start, as any bad setting
  // does
  private static KeyRing kubeconfigKeys(Env env) {
    String spec = env.secret("ASTRO_KUBECONFIG_KEYS");
    return spec == null || spec.isBlank() ? null : KeyRing.fromSpec(spec);
  }
}
