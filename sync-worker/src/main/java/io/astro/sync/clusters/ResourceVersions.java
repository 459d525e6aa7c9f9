package io.astro.sync.clusters;

/**
 * Orders resource versions of one resource, as Kubernetes allows since 1.35 (KEP-5504, "Comparable
 * Resource Version"): a well-formed version is a positive integer without leading zeros, and a
 * larger one is later. Every etcd-backed API server wrote such versions before that too (etcd's
 * revision); the scheduler's assume cache compared them the same way to skip an object older than
 * its own write. A version that is not well-formed is only ever equal to itself.
 */
final class ResourceVersions {

  private ResourceVersions() {}

  /** Whether {@code version} is {@code other} or later; false when either is not comparable. */
  static boolean atLeast(String version, String other) {
    if (version == null || other == null) {
      return false;
    }
    if (version.equals(other)) {
      return true;
    }
    if (!wellFormed(version) || !wellFormed(other)) {
      return false;
    }
    // as client-go's CompareResourceVersion: more digits is later, else digit by digit
    return version.length() != other.length()
        ? version.length() > other.length()
        : version.compareTo(other) > 0;
  }

  private static boolean wellFormed(String version) {
    if (version.isEmpty() || version.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < version.length(); i++) {
      char c = version.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
