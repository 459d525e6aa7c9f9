package io.astro.sync.reconcile;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.events.cluster.ClusterPublicUrls;
import io.astro.common.kube.KubeNames;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How apps are reached from outside their cluster, from operator configuration: one Ingress per
 * public app with a port, host {@code {k8sName}.{appsDomain}}. A cluster can carry its own domain,
 * class, issuer and controller namespace ({@link #overriddenBy}, {@link ClusterUrls}); the
 * annotations are the worker's for every cluster.
 *
 * <ul>
 *   <li>{@code ASTRO_APPS_DOMAIN} — e.g. {@code apps.example.com}; unset: no public URLs
 *   <li>{@code ASTRO_INGRESS_CLASS} — {@code spec.ingressClassName}; unset: the cluster's default
 *   <li>{@code ASTRO_INGRESS_ANNOTATIONS} — {@code k=v,k2=v2}, for the operator's controller
 *   <li>{@code ASTRO_TLS_ISSUER} — a cert-manager ClusterIssuer; unset: no TLS, {@code http://}
 *   <li>{@code ASTRO_INGRESS_NAMESPACE_SELECTOR} — {@code k=v,...}, labels of the controller's
 *       namespace, let in to public apps by the namespaces' NetworkPolicy; unset: no one is let in
 *       from outside the namespace (the controller then needs host networking)
 * </ul>
 */
public record PublicUrls(
    String appsDomain,
    String ingressClass,
    Map<String, String> annotations,
    String tlsIssuer,
    Map<String, String> controllerNamespace) {

  /** The annotation cert-manager's ingress-shim reads to issue the Ingress's certificate. */
  public static final String CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

  // a DNS-1123 subdomain with at least two labels: apps get one label in front of it
  private static final Pattern DOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+");

  public static final PublicUrls NONE = new PublicUrls(null, null, Map.of(), null, Map.of());

  public PublicUrls {
    annotations = new TreeMap<>(annotations);
    controllerNamespace = new TreeMap<>(controllerNamespace);
  }

  public static PublicUrls from(Env env) {
    String domain = env.string("ASTRO_APPS_DOMAIN", null);
    if (domain != null) {
      // the longest object name, a dot and the domain must stay a host name (253)
      if (!DOMAIN.matcher(domain).matches() || domain.length() > 253 - KubeNames.MAX_NAME - 1) {
        throw new ConfigException(
            "ASTRO_APPS_DOMAIN must be a lowercase DNS name of at least two labels, at most "
                + (253 - KubeNames.MAX_NAME - 1)
                + " characters, e.g. apps.example.com");
      }
    }
    return new PublicUrls(
        domain,
        env.string("ASTRO_INGRESS_CLASS", null),
        pairs(env, "ASTRO_INGRESS_ANNOTATIONS"),
        env.string("ASTRO_TLS_ISSUER", null),
        pairs(env, "ASTRO_INGRESS_NAMESPACE_SELECTOR"));
  }

  /** These settings with each field {@code own} sets taken from it. */
  public PublicUrls overriddenBy(ClusterPublicUrls own) {
    return new PublicUrls(
        own.appsDomain() != null ? own.appsDomain() : appsDomain,
        own.ingressClass() != null ? own.ingressClass() : ingressClass,
        annotations,
        own.tlsIssuer() != null ? own.tlsIssuer() : tlsIssuer,
        own.ingressNamespaceSelector() != null ? own.selectorLabels() : controllerNamespace);
  }

  /** Whether apps get public URLs at all. */
  public boolean enabled() {
    return appsDomain != null;
  }

  /** The host of the app's Ingress. */
  public String host(String k8sName) {
    return KubeNames.publicHost(k8sName, appsDomain);
  }

  /** Where the app answers: https with a TLS issuer, http without. */
  public String url(String k8sName) {
    return (tlsIssuer == null ? "http://" : "https://") + host(k8sName);
  }

  private static Map<String, String> pairs(Env env, String name) {
    String text = env.string(name, null);
    Map<String, String> pairs = new TreeMap<>();
    if (text == null) {
      return pairs;
    }
    for (String pair : text.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(name + " must be key=value pairs separated by commas");
      }
      pairs.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return pairs;
  }
}
