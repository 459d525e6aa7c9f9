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
 * namespace and the default requests and limits of a container.
 *
 * <ul>
 *   <li>{@code ASTRO_NAMESPACE_QUOTA_CPU} / {@code _MEMORY} / {@code _PODS} — default 4 / 8Gi / 20
 *   <li>{@code ASTRO_CONTAINER_REQUEST_CPU} / {@code _MEMORY} — default 100m / 128Mi
 *   <li>{@code ASTRO_CONTAINER_LIMIT_CPU} / {@code _MEMORY} — default 500m / 512Mi
 *   <li>{@code ASTRO_CONTAINER_CAPABILITIES} — the Linux capabilities added back after {@code drop:
 *       [ALL]}; default {@link #BASELINE_CAPABILITIES}
 * </ul>
 */
public record TenantPolicy(
    Quantity quotaCpu,
    Quantity quotaMemory,
    int quotaPods,
    Quantity requestCpu,
    Quantity requestMemory,
    Quantity limitCpu,
    Quantity limitMemory,
    List<String> capabilities) {

  /**
   * What official images that start as root and then drop privileges (nginx, httpd, postgres,
   * mysql, redis) need: chown/chmod of their directories, switching user, binding port 80. All are
   * in the Pod Security Standards' baseline level, which user namespaces enforce. A future {@code
   * restricted} level would allow only NET_BIND_SERVICE (with runAsNonRoot): that is where this
   * list would be narrowed per namespace.
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
    return new TenantPolicy(
        quantity(env, "ASTRO_NAMESPACE_QUOTA_CPU", "4"),
        quantity(env, "ASTRO_NAMESPACE_QUOTA_MEMORY", "8Gi"),
        env.integer("ASTRO_NAMESPACE_QUOTA_PODS", 20, 1, 10_000),
        quantity(env, "ASTRO_CONTAINER_REQUEST_CPU", "100m"),
        quantity(env, "ASTRO_CONTAINER_REQUEST_MEMORY", "128Mi"),
        quantity(env, "ASTRO_CONTAINER_LIMIT_CPU", "500m"),
        quantity(env, "ASTRO_CONTAINER_LIMIT_MEMORY", "512Mi"),
        capabilities(env));
  }

  /**
   * Comma list, {@code CAP_} prefix optional, case-insensitive; {@code none} adds nothing back (an
   * empty value means the default, as for every variable).
   */
  private static List<String> capabilities(Env env) {
    String name = "ASTRO_CONTAINER_CAPABILITIES";
    String text = env.string(name, String.join(",", BASELINE_CAPABILITIES));
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
      if (!BASELINE_ALLOWED.contains(cap)) {
        throw new ConfigException(
            name
                + ": "
                + part.trim()
                + " is not a capability the Pod Security baseline level allows adding (one of "
                + new TreeSet<>(BASELINE_ALLOWED)
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
