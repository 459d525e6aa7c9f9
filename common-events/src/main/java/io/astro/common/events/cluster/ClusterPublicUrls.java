package io.astro.common.events.cluster;

import io.astro.common.events.EventCodec.InvalidEventException;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A cluster's own public-URL settings, each null when the sync-worker's setting of the same name
 * applies ({@code ASTRO_APPS_DOMAIN}, {@code ASTRO_INGRESS_CLASS}, {@code ASTRO_TLS_ISSUER}, {@code
 * ASTRO_INGRESS_NAMESPACE_SELECTOR}): with several clusters, each has its own wildcard DNS name
 * pointing at its ingress controller. The rules are here so app-service refuses what the
 * sync-worker could not use.
 */
public record ClusterPublicUrls(
    String appsDomain, String ingressClass, String tlsIssuer, String ingressNamespaceSelector) {

  /** No override at all. */
  public static final ClusterPublicUrls NONE = new ClusterPublicUrls(null, null, null, null);

  /** A DNS-1123 subdomain (ingress class, issuer names). */
  public static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** The longest apps domain: an object name, a dot and the domain stay a host name. */
  public static final int MAX_APPS_DOMAIN = KubeNames.MAX_HOST - KubeNames.MAX_NAME - 1;

  private static final Pattern LABEL_KEY =
      Pattern.compile(
          "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
              + "[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?");

  /** Whether nothing is overridden. */
  public boolean isEmpty() {
    return appsDomain == null
        && ingressClass == null
        && tlsIssuer == null
        && ingressNamespaceSelector == null;
  }

  /** Why {@code domain} cannot be an apps domain; null when it can. */
  public static String appsDomainProblem(String domain) {
    if (domain.startsWith("*")) {
      return "must be the domain itself, not a wildcard (apps get one label in front of it)";
    }
    if (domain.length() > MAX_APPS_DOMAIN || !KubeNames.HOST.matcher(domain).matches()) {
      return "must be a lowercase DNS name of at least two labels, at most "
          + MAX_APPS_DOMAIN
          + " characters, e.g. apps.example.com";
    }
    return null;
  }

  /** Why {@code name} is no DNS-1123 subdomain; null when it is one. */
  public static String subdomainProblem(String name) {
    return name.length() <= KubeNames.MAX_HOST && SUBDOMAIN.matcher(name).matches()
        ? null
        : "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', at most 253";
  }

  /**
   * The labels of {@code k=v[,k=v]}, in order; throws {@link IllegalArgumentException} naming the
   * broken pair.
   */
  public static Map<String, String> selector(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String pair : text.split(",", -1)) {
      int eq = pair.indexOf('=');
      String key = eq <= 0 ? "" : pair.substring(0, eq);
      String value = eq <= 0 ? "" : pair.substring(eq + 1);
      if (eq <= 0
          || key.length() > KubeNames.MAX_HOST + 1 + KubeNames.MAX_NAME
          || !LABEL_KEY.matcher(key).matches()
          || value.length() > KubeNames.MAX_NAME
          || !LABEL_VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException(
            "must be k=v[,k=v] with label keys and values (" + pair + " is not)");
      }
      labels.put(key, value);
    }
    return labels;
  }

  /** The labels of {@link #ingressNamespaceSelector()}; null when not overridden. */
  public Map<String, String> selectorLabels() {
    return ingressNamespaceSelector == null ? null : selector(ingressNamespaceSelector);
  }

  public JsonObject toData() {
    return new JsonObject()
        .put("appsDomain", appsDomain)
        .put("ingressClass", ingressClass)
        .put("tlsIssuer", tlsIssuer)
        .put("ingressNamespaceSelector", ingressNamespaceSelector);
  }

  /** Reads and checks the event's {@code publicUrls}; anything off the rules is invalid. */
  public static ClusterPublicUrls fromData(JsonObject data) {
    String domain = text(data, "appsDomain");
    String ingressClass = text(data, "ingressClass");
    String issuer = text(data, "tlsIssuer");
    String selector = text(data, "ingressNamespaceSelector");
    if (domain != null && appsDomainProblem(domain) != null) {
      throw new InvalidEventException("publicUrls.appsDomain " + appsDomainProblem(domain));
    }
    if (ingressClass != null && subdomainProblem(ingressClass) != null) {
      throw new InvalidEventException("publicUrls.ingressClass " + subdomainProblem(ingressClass));
    }
    if (issuer != null && subdomainProblem(issuer) != null) {
      throw new InvalidEventException("publicUrls.tlsIssuer " + subdomainProblem(issuer));
    }
    if (selector != null) {
      try {
        selector(selector);
      } catch (IllegalArgumentException e) {
        throw new InvalidEventException("publicUrls.ingressNamespaceSelector " + e.getMessage());
      }
    }
    return new ClusterPublicUrls(domain, ingressClass, issuer, selector);
  }

  private static String text(JsonObject data, String field) {
    Object value = data.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw new InvalidEventException("publicUrls." + field + " is not a string");
    }
    return (String) value;
  }
}
