package io.astro.sync;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;
import io.astro.common.crypto.KubeconfigCipher;
import io.astro.common.events.Topics;
import io.astro.sync.clusters.ClusterSource;
import io.astro.sync.reconcile.TenantPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * Everything sync-worker reads from its environment, in one place.
 *
 * <ul>
 *   <li>{@code ASTRO_SYNC_WORKER_PORT} — HTTP port, default 8083
 *   <li>{@code ASTRO_HTTP_HOST}, {@code ASTRO_HTTP_BODY_LIMIT} — see {@link HttpSettings}
 *   <li>{@code ASTRO_LOG_FORMAT} ({@code json}|{@code text}), {@code ASTRO_LOG_LEVEL} — logging
 *   <li>{@code ASTRO_KAFKA_BOOTSTRAP} — default {@code localhost:9092}
 *   <li>{@code ASTRO_APP_COMMANDS_TOPIC} / {@code ASTRO_APP_STATUS_TOPIC} — default {@code
 *       astro.app.commands} / {@code astro.app.status}; {@code ASTRO_APP_COMMANDS_GROUP} — consumer
 *       group, default {@code sync-worker}
 *   <li>{@code ASTRO_CLUSTERS_TOPIC} / {@code ASTRO_CLUSTER_STATUS_TOPIC} — the cluster registry
 *       and cluster health, default {@code astro.clusters} / {@code astro.cluster.status}
 *   <li>{@code ASTRO_CLUSTERS} — static clusters, {@code id=source,...}, a source being {@code
 *       in-cluster}, a kubeconfig path or {@code base64:<kubeconfig>} (see {@link ClusterSource});
 *       default none
 *   <li>{@code ASTRO_KUBECONFIG_KEYS} (or {@code _FILE}) — {@code kid:base64key,...} to open the
 *       kubeconfigs on the cluster topic (see {@link KubeconfigCipher}); unset = that topic's
 *       clusters go to its dead-letter topic
 *   <li>{@code ASTRO_CLUSTER_HEALTH_INTERVAL} / {@code _CONCURRENCY} / {@code _TIMEOUT} — every
 *       cluster's health is checked this often (default 5m), this many at a time (10), each within
 *       this time, retries included (10s)
 *   <li>{@code ASTRO_MAX_CLUSTERS} — clusters connected at most, default 50
 *   <li>{@code ASTRO_KUBE_REQUEST_TIMEOUT} — read timeout of cluster API calls (not watches),
 *       default 10s
 *   <li>{@code ASTRO_INFORMER_RESYNC} — how often informers replay their cache (every app is
 *       reconciled again, writing nothing when nothing drifted), default 10m
 *   <li>{@code ASTRO_RECONCILE_WORKERS} — apps reconciled in parallel, default 4
 *   <li>{@code ASTRO_RECONCILE_RETRY_BASE} / {@code ASTRO_RECONCILE_RETRY_MAX} — back-off of a
 *       failing app, default 200ms doubling to 1m
 *   <li>{@code ASTRO_INTERNAL_TOKEN} or {@code ASTRO_INTERNAL_TOKEN_FILE} — bearer token (≥ 16
 *       characters) app-service presents on the internal logs endpoint; unset = that endpoint
 *       answers 503
 *   <li>namespace quota and container defaults — see {@link TenantPolicy}
 * </ul>
 */
public record SyncWorkerConfig(
    HttpSettings http,
    Kafka kafka,
    Map<String, ClusterSource> clusters,
    KubeconfigCipher kubeconfigKeys,
    int maxClusters,
    Duration kubeRequestTimeout,
    Duration informerResync,
    Health health,
    int workers,
    Duration retryBase,
    Duration retryMax,
    String internalToken,
    TenantPolicy tenantPolicy) {

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
      String clusterStatusTopic) {}

  /** How cluster health is checked. */
  public record Health(Duration interval, int concurrency, Duration timeout) {
    public Health {
      if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
        throw new ConfigException(
            "ASTRO_CLUSTER_HEALTH_INTERVAL and ASTRO_CLUSTER_HEALTH_TIMEOUT must be positive");
      }
    }
  }

  public static SyncWorkerConfig from(Env env) {
    return new SyncWorkerConfig(
        HttpSettings.from(env, "ASTRO_SYNC_WORKER_PORT", 8083),
        new Kafka(
            env.string("ASTRO_KAFKA_BOOTSTRAP", "localhost:9092"),
            env.string("ASTRO_APP_COMMANDS_TOPIC", Topics.APP_COMMANDS),
            env.string("ASTRO_APP_STATUS_TOPIC", Topics.APP_STATUS),
            env.string("ASTRO_APP_COMMANDS_GROUP", "sync-worker"),
            env.string("ASTRO_CLUSTERS_TOPIC", Topics.CLUSTERS),
            env.string("ASTRO_CLUSTER_STATUS_TOPIC", Topics.CLUSTER_STATUS)),
        ClusterSource.parseAll(env.string("ASTRO_CLUSTERS", "")),
        kubeconfigKeys(env),
        env.integer("ASTRO_MAX_CLUSTERS", 50, 1, 10_000),
        env.duration("ASTRO_KUBE_REQUEST_TIMEOUT", Duration.ofSeconds(10)),
        env.duration("ASTRO_INFORMER_RESYNC", Duration.ofMinutes(10)),
        new Health(
            env.duration("ASTRO_CLUSTER_HEALTH_INTERVAL", Duration.ofMinutes(5)),
            env.integer("ASTRO_CLUSTER_HEALTH_CONCURRENCY", 10, 1, 256),
            env.duration("ASTRO_CLUSTER_HEALTH_TIMEOUT", Duration.ofSeconds(10))),
        env.integer("ASTRO_RECONCILE_WORKERS", 4, 1, 256),
        env.duration("ASTRO_RECONCILE_RETRY_BASE", Duration.ofMillis(200)),
        env.duration("ASTRO_RECONCILE_RETRY_MAX", Duration.ofMinutes(1)),
        env.internalToken(),
        TenantPolicy.from(env));
  }

  // unset is allowed (static clusters only); a malformed value stops the start, as any bad setting
  // does
  private static KubeconfigCipher kubeconfigKeys(Env env) {
    String spec = env.secret("ASTRO_KUBECONFIG_KEYS");
    return spec == null || spec.isBlank() ? null : KubeconfigCipher.fromSpec(spec);
  }
}
