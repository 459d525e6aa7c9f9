package io.astro.common.events.cluster;

import io.astro.common.crypto.KeyRing;

/**
 * How a cluster's kubeconfig is sealed, shared by app-service (seals) and the sync-worker (opens):
 * {@link KeyRing} with the cluster's id, name and revision as associated data. A sealed kubeconfig
 * opens only as the revision it was sealed for, so an older one (older credentials) copied into a
 * newer record or row does not open; app-service seals the kubeconfig anew with every revision.
 *
 * <p>Kubeconfigs sealed before the revision was bound carry the cluster name alone as associated
 * data ("legacy"). They open while legacy values are accepted ({@code ASTRO_KUBECONFIG_LEGACY_AAD},
 * default true), and {@code POST /api/v1/clusters/reencrypt} re-seals them bound; once it has run,
 * set it false on app-service and the sync-worker so none opens again.
 */
public final class SealedKubeconfig {

  private SealedKubeconfig() {}

  /** The associated data binding a sealed kubeconfig to one revision of one cluster. */
  static String associatedData(String clusterId, String name, long revision) {
    return "astro.cluster|" + clusterId + "|" + name + "|" + revision;
  }

  public static String seal(
      KeyRing keys, String clusterId, String name, long revision, String kubeconfig) {
    return keys.seal(associatedData(clusterId, name, revision), kubeconfig);
  }

  /**
   * Opens a kubeconfig sealed for this revision of this cluster (or, when {@code acceptLegacy}, one
   * sealed with the name alone).
   *
   * @throws IllegalArgumentException when it does not open; the message names the key id only
   */
  public static String open(
      KeyRing keys,
      String clusterId,
      String name,
      long revision,
      String sealed,
      boolean acceptLegacy) {
    try {
      return keys.open(associatedData(clusterId, name, revision), sealed);
    } catch (IllegalArgumentException bound) {
      if (!acceptLegacy) {
        throw bound;
      }
      try {
        return keys.open(name, sealed);
      } catch (IllegalArgumentException legacy) {
        throw bound;
      }
    }
  }

  /** True when {@code sealed} opens only as a legacy value: re-encrypting binds it. */
  public static boolean isLegacy(
      KeyRing keys, String clusterId, String name, long revision, String sealed) {
    try {
      keys.open(associatedData(clusterId, name, revision), sealed);
      return false;
    } catch (IllegalArgumentException bound) {
      try {
        keys.open(name, sealed);
        return true;
      } catch (IllegalArgumentException neither) {
        return false;
      }
    }
  }
}
