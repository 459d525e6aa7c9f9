package io.astro.sync.clusters;

import io.astro.common.crypto.KeyRing;
import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.events.cluster.ClusterEvent;
import io.astro.common.events.cluster.SealedKubeconfig;
import io.astro.common.net.ClusterAddressGuard;
import io.astro.sync.reconcile.ClusterUrls;
import io.astro.sync.reconcile.PublicUrls;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the records of {@code astro.clusters} mean for the {@link ClusterRegistry}. A record newer
 * (by revision) than the one held is opened with the kubeconfig keys (bound to its cluster id, name
 * and revision: {@link SealedKubeconfig}); when its kubeconfig differs from the one connected, the
 * cluster is put (replacing a static one of the same name, or itself with rotated credentials);
 * when only {@code syncRequestedAt} changed, a health check is asked for. A tombstone removes a
 * cluster that came from the topic. A record's public-URL settings ({@code publicUrls}) are taken
 * before its cluster is put, so its apps' first manifests have them; when they change on a cluster
 * held, its apps are written again. Used by one thread, the topic consumer's.
 */
public final class PublishedClusters {

  private static final Logger LOG = LoggerFactory.getLogger(PublishedClusters.class);

  /**
   * What is known of a cluster from the topic: a digest of its kubeconfig, never the kubeconfig.
   */
  private record Held(long revision, String kubeconfigDigest, String syncRequestedAt) {}

  /** A record the registry cannot take; {@code getMessage()} is the reason, free of secrets. */
  public static final class RejectedRecord extends RuntimeException {
    RejectedRecord(String reason) {
      super(reason, null, false, false);
    }
  }

  private final ClusterRegistry registry;
  private final KeyRing cipher;
  private final Consumer<String> healthCheck;
  private final ClusterAddressGuard guard;
  private final boolean acceptLegacySeals;
  private final ClusterUrls urls;
  private final Consumer<String> urlsChanged;
  private final Map<String, Held> held = new HashMap<>();
  private boolean warnedNoKeys;

  /**
   * @param cipher the kubeconfig keys, or null when none are configured (every record is then
   *     rejected)
   * @param healthCheck asks for a health check of the named cluster
   * @param guard the addresses the clusters' API servers may have, checked as each socket connects
   * @param acceptLegacySeals whether kubeconfigs sealed with the cluster name alone still open
   *     ({@link SealedKubeconfig})
   */
  public PublishedClusters(
      ClusterRegistry registry,
      KeyRing cipher,
      Consumer<String> healthCheck,
      ClusterAddressGuard guard,
      boolean acceptLegacySeals) {
    this(
        registry,
        cipher,
        healthCheck,
        guard,
        acceptLegacySeals,
        new ClusterUrls(PublicUrls.NONE),
        cluster -> {});
  }

  /**
   * @param urls each cluster's public-URL settings, kept to its records
   * @param urlsChanged asks for the apps of the named cluster to be written again
   */
  public PublishedClusters(
      ClusterRegistry registry,
      KeyRing cipher,
      Consumer<String> healthCheck,
      ClusterAddressGuard guard,
      boolean acceptLegacySeals,
      ClusterUrls urls,
      Consumer<String> urlsChanged) {
    this.urls = urls;
    this.urlsChanged = urlsChanged;
    this.registry = registry;
    this.cipher = cipher;
    this.healthCheck = healthCheck;
    this.guard = guard;
    this.acceptLegacySeals = acceptLegacySeals;
  }

  /**
   * Applies one record ({@code value} null = tombstone); throws {@link RejectedRecord} for the
   * dead-letter topic.
   */
  public void apply(String key, String value) {
    if (key == null) {
      throw new RejectedRecord("record without a key");
    }
    if (value == null) {
      if (held.remove(key) != null) {
        registry.remove(key);
        urls.remove(key);
      }
      return;
    }
    ClusterEvent record;
    try {
      record = ClusterEvent.decode(key, value);
    } catch (InvalidEventException e) {
      throw new RejectedRecord(KubeErrors.scrub(e.getMessage()));
    }
    Held before = held.get(record.name());
    if (before != null && record.revision() <= before.revision()) {
      return; // a replay or an older record: what is connected is at least as new
    }
    String kubeconfig = open(record);
    String digest = digest(kubeconfig);
    boolean urlsDiffer = urls.put(record.name(), record.urls());
    if (before == null || !before.kubeconfigDigest().equals(digest)) {
      try {
        registry.put(
            new ClusterSource(
                record.name(), kubeconfig, guard)); // its health is checked when it is put
      } catch (IllegalArgumentException | IllegalStateException e) {
        if (before == null) {
          urls.remove(record.name());
        }
        throw new RejectedRecord(e.getMessage()); // the registry's messages name no credentials
      }
      LOG.info("cluster {} revision {} connected from the topic", record.name(), record.revision());
    } else if (!Objects.equals(before.syncRequestedAt(), record.syncRequestedAt())) {
      healthCheck.accept(record.name());
    }
    if (before != null && urlsDiffer) {
      urlsChanged.accept(record.name());
    }
    held.put(record.name(), new Held(record.revision(), digest, record.syncRequestedAt()));
  }

  private String open(ClusterEvent record) {
    if (cipher == null) {
      if (!warnedNoKeys) {
        warnedNoKeys = true;
        LOG.warn(
            "ASTRO_KUBECONFIG_KEYS is not set: clusters on the topic cannot be opened and go to the "
                + "dead-letter topic");
      }
      throw new RejectedRecord("no kubeconfig keys configured");
    }
    try {
      return SealedKubeconfig.open(
          cipher,
          record.clusterId(),
          record.name(),
          record.revision(),
          record.kubeconfig(),
          acceptLegacySeals);
    } catch (IllegalArgumentException e) {
      throw new RejectedRecord(
          e.getMessage()); // "… cannot be decrypted with key k1": names the key id only
    }
  }

  private static String digest(String kubeconfig) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(kubeconfig.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
