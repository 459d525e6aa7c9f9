package io.astro.sync.reconcile;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.kubernetes.client.custom.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What each user namespace is allowed, from operator configuration: a ResourceQuota for the
 * namespace, the default requests and limits of a container, and the Pod Security level its pods
 * are held to.
 *
 * <ul>
 *   <li>{@code ASTRO_NAMESPACE_QUOTA_CPU} / {@code _MEMORY} / {@code _PODS} — default 4 / 8Gi / 20
 *   <li>{@code ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE} — default 20Gi, both {@code
 *       requests.ephemeral-storage} and {@code limits.ephemeral-storage}
 *   <li>{@code ASTRO_CONTAINER_REQUEST_CPU} / {@code _MEMORY} — default 100m / 128Mi
 *   <li>{@code ASTRO_CONTAINER_LIMIT_CPU} / {@code _MEMORY} — default 500m / 512Mi
 *   <li>{@code ASTRO_CONTAINER_REQUEST_EPHEMERAL_STORAGE} / {@code
 *       ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE} — default 256Mi / 1Gi, given to every container by
 *       the LimitRange (a container writing past its limit is evicted by the kubelet)
 *   <li>{@code ASTRO_POD_SECURITY} — {@code baseline} (default) or {@code restricted}
 *   <li>{@code ASTRO_CONTAINER_CAPABILITIES} — the Linux capabilities added back after {@code drop:
 *       [ALL]}; default {@link #BASELINE_CAPABILITIES}, or {@code NET_BIND_SERVICE} under {@code
 *       restricted}
 *   <li>the public URLs of apps: {@link PublicUrls}
 * </ul>
 */
public record TenantPolicy(
    Quantity quotaCpu,
    Quantity quotaMemory,
    int quotaPods,
    Quantity quotaEphemeralStorage,
    Quantity requestCpu,
    Quantity requestMemory,
    Quantity limitCpu,
    Quantity limitMemory,
    Quantity requestEphemeralStorage,
    Quantity limitEphemeralStorage,
    PodSecurity podSecurity,
    List<String> capabilities,
    PublicUrls publicUrls) {

  /**
   * The Pod Security Standards level user namespaces enforce
   * (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
   */
  public enum PodSecurity {
    /**
     * Official images that start as root and drop privileges run; no privileged containers, host
     * namespaces, host paths or capabilities beyond the baseline set.
     */
    BASELINE,
    /**
     * Containers must run as a non-root user ({@code runAsNonRoot}) and may add only
     * NET_BIND_SERVICE: images that start as root (most official ones: nginx, httpd, postgres,
     * mysql, redis) do not start ({@code CreateContainerConfigError}).
     */
    RESTRICTED;

    /** The value of the namespace's {@code pod-security.kubernetes.io/enforce} label. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What official images that start as root and then drop privileges (nginx, httpd, postgres,
   * mysql, redis) need: chown/chmod of their directories, switching user, binding port 80. All are
   * in the Pod Security Standards' baseline level, which user namespaces enforce by default.
   */
  public static final List<String> BASELINE_CAPABILITIES =
      List.of(
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "SETGID",
          "SETUID",
          "NET_BIND_SERVICE");

  /** The one capability the restricted level allows adding, and its default there. */
  public static final List<String> RESTRICTED_CAPABILITIES = List.of("NET_BIND_SERVICE");

  /**
   * The capabilities the Pod Security baseline level allows adding; anything else would be refused
   * by the namespace's admission, so it is refused at start-up instead.
   * https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
   */
  static final Set<String> BASELINE_ALLOWED =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");

  public TenantPolicy {
    capabilities = List.copyOf(capabilities);
  }

  public static TenantPolicy defaults() {
    return from(Env.of(Map.of()));
  }

  public static TenantPolicy from(Env env) {
    PodSecurity level = podSecurity(env);
    Quantity requestStorage =
        quantity(env, "ASTRO_CONTAINER_REQUEST_EPHEMERAL_STORAGE", DEFAULT_REQUEST_STORAGE);
    Quantity limitStorage =
        quantity(env, "ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE", DEFAULT_LIMIT_STORAGE);
    // the LimitRange would be refused (defaultRequest above default) and no namespace set up
    if (requestStorage.getNumber().compareTo(limitStorage.getNumber()) > 0) {
      throw new ConfigException(
          "ASTRO_CONTAINER_REQUEST_EPHEMERAL_STORAGE ("
              + requestStorage.toSuffixedString()
              + ") must not exceed ASTRO_CONTAINER_LIMIT_EPHEMERAL_STORAGE ("
              + limitStorage.toSuffixedString()
              + ")");
    }
    return new TenantPolicy(
        quantity(env, "ASTRO_NAMESPACE_QUOTA_CPU", "4"),
        quantity(env, "ASTRO_NAMESPACE_QUOTA_MEMORY", "8Gi"),
        env.integer("ASTRO_NAMESPACE_QUOTA_PODS", 20, 1, 10_000),
        quantity(env, "ASTRO_NAMESPACE_QUOTA_EPHEMERAL_STORAGE", DEFAULT_QUOTA_STORAGE),
        quantity(env, "ASTRO_CONTAINER_REQUEST_CPU", "100m"),
        quantity(env, "ASTRO_CONTAINER_REQUEST_MEMORY", "128Mi"),
        quantity(env, "ASTRO_CONTAINER_LIMIT_CPU", "500m"),
        quantity(env, "ASTRO_CONTAINER_LIMIT_MEMORY", "512Mi"),
        requestStorage,
        limitStorage,
        level,
        capabilities(env, level),
        PublicUrls.from(env));
  }

  /** Defaults of the ephemeral-storage settings (app-service reads the same names). */
  public static final String DEFAULT_REQUEST_STORAGE = "256Mi";

  public static final String DEFAULT_LIMIT_STORAGE = "1Gi";
  public static final String DEFAULT_QUOTA_STORAGE = "20Gi";

  private static PodSecurity podSecurity(Env env) {
    String text = env.string("ASTRO_POD_SECURITY", "baseline");
    for (PodSecurity level : PodSecurity.values()) {
      if (level.label().equalsIgnoreCase(text.trim())) {
        return level;
      }
    }
    throw new ConfigException(
        "ASTRO_POD_SECURITY must be baseline or restricted, got '" + text + "'");
  }

  /**
   * Comma list, {@code CAP_} prefix optional, case-insensitive; {@code none} adds nothing back (an
   * empty value means the default, as for every variable).
   */
  private static List<String> capabilities(Env env, PodSecurity level) {
    String name = "ASTRO_CONTAINER_CAPABILITIES";
    boolean restricted = level == PodSecurity.RESTRICTED;
    Set<String> allowed = restricted ? Set.copyOf(RESTRICTED_CAPABILITIES) : BASELINE_ALLOWED;
    String text =
        env.string(
            name, String.join(",", restricted ? RESTRICTED_CAPABILITIES : BASELINE_CAPABILITIES));
    List<String> out = new ArrayList<>();
    if (text.equalsIgnoreCase("none")) {
      return out;
    }
    for (String part : text.split(",", -1)) {
      String cap = part.trim().toUpperCase(Locale.ROOT);
      if (cap.startsWith("CAP_")) {
        cap = cap.substring(4);
      }
      if (cap.isEmpty()) {
        continue;
      }
      if (!allowed.contains(cap)) {
        throw new ConfigException(
            name
                + ": "
                + part.trim()
                + " is not a capability the Pod Security "
                + level.label()
                + " level allows adding (one of "
                + new TreeSet<>(allowed)
                + ")");
      }
      if (!out.contains(cap)) {
        out.add(cap);
      }
    }
    return out;
  }

  private static Quantity quantity(Env env, String name, String defaultValue) {
    String text = env.string(name, defaultValue);
    try {
      return Quantity.fromString(text);
    } catch (RuntimeException e) {
      throw new ConfigException(name + ": not a Kubernetes quantity: " + text);
    }
  }
}
