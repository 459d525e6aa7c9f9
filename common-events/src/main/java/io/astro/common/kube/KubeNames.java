package io.astro.common.kube;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How Astro names and marks what it creates in a cluster: one namespace per user, one Deployment
 * (and Service) per app named after the app and its user, and the labels and annotations by which
 * the sync-worker finds its objects again. app-service decides the names when an app is created;
 * the sync-worker writes and watches the objects.
 */
public final class KubeNames {

  /** A DNS-1123 label: what Kubernetes accepts as a namespace or object name. */
  public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /**
   * An RFC 1035 label, what a Service name must be: like {@link #DNS_LABEL} but starting with a
   * letter (the API server's {@code IsDNS1035Label}).
   */
  public static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  public static final int MAX_NAME = 63;

  /**
   * A host an Ingress rule may name: a DNS-1123 subdomain of at least two labels, no wildcard (the
   * API server's {@code IsDNS1123Subdomain} on {@code spec.rules[].host}, at most {@link
   * #MAX_HOST}); what a custom domain must be.
   */
  public static final Pattern HOST =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+");

  public static final int MAX_HOST = 253;

  private static final String NAMESPACE_PREFIX = "astro-user-";

  /** How messages and docs write a user namespace's name: {@code astro-user-{userId}}. */
  public static final String NAMESPACE_FORM = NAMESPACE_PREFIX + "{userId}";

  /** How rights and checks name all user namespaces at once: {@code astro-user-*}. */
  public static final String NAMESPACE_GLOB = NAMESPACE_PREFIX + "*";

  /** Every user namespace matches this, and nothing else Astro manages does. */
  public static final Pattern NAMESPACE = Pattern.compile(NAMESPACE_PREFIX + "[0-9]+");

  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "astro";

  /** Selects everything Astro manages (label selector syntax). */
  public static final String MANAGED_SELECTOR = MANAGED_BY_LABEL + "=" + MANAGER;

  public static final String NAME_LABEL = "app.kubernetes.io/name";
  public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

  /** Names the app an object (Deployment, its ReplicaSets and Pods, Service) belongs to. */
  public static final String APP_ID_LABEL = "astro.io/app-id";

  public static final String USER_ID_LABEL = "astro.io/user-id";

  /** The hash of what an object was built from; unchanged hash, unchanged object. */
  public static final String SPEC_HASH_ANNOTATION = "astro.io/spec-hash";

  /** The app generation a Deployment was built for. */
  public static final String GENERATION_ANNOTATION = "astro.io/generation";

  /** Kubernetes' own rolling-restart stamp on a pod template (what {@code kubectl} sets). */
  public static final String RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";

  /**
   * The release an app's pod template runs ({@code io.astro.app.command.v2}); a new release rolls
   * the pods, and the pods' value says which release is available.
   */
  public static final String RELEASE_ANNOTATION = "astro.io/release";

  /** The container of an app's pods (the one its logs come from unless another is asked for). */
  public static final String APP_CONTAINER = "app";

  /** The ResourceQuota and LimitRange of each user namespace. */
  public static final String QUOTA = "astro-quota";

  public static final String LIMITS = "astro-limits";

  private KubeNames() {}

  /** The namespace of a user's apps: {@code astro-user-{userId}}. */
  public static String namespace(long userId) {
    return NAMESPACE_PREFIX + userId;
  }

  public static boolean isUserNamespace(String namespace) {
    return namespace != null && NAMESPACE.matcher(namespace).matches();
  }

  /**
   * The Deployment and Service of an app: {@code {name}-u{userId}}, unique in the cluster even if
   * namespaces were shared, and recognisable to an operator.
   */
  public static String objectName(String appName, long userId) {
    return appName + "-u" + userId;
  }

  /**
   * The Secret holding an app's secret variables. Secrets are DNS-1123 subdomains (up to 253), so
   * the suffix fits after any object name.
   */
  public static String envSecret(String k8sName) {
    return k8sName + "-env";
  }

  /** The {@code kubernetes.io/dockerconfigjson} Secret an app's image is pulled with. */
  public static String pullSecret(String k8sName) {
    return k8sName + "-pull";
  }

  /**
   * The Ingress of a public app: named as its Deployment and Service (Ingresses are DNS-1123
   * subdomains, so any object name fits).
   */
  public static String ingress(String k8sName) {
    return k8sName;
  }

  /** The host of a public app under the operator's apps domain: one DNS label per app. */
  public static String publicHost(String k8sName, String appsDomain) {
    return k8sName + "." + appsDomain;
  }

  /** The Secret cert-manager keeps a public app's certificate in. */
  public static String tlsSecret(String k8sName) {
    return k8sName + "-tls";
  }

  /**
   * The Secret cert-manager keeps the certificate of one custom domain of a public app in (one per
   * domain, so a domain whose certificate cannot be issued holds no other back): the app's name and
   * the first 10 hex digits of the domain's SHA-256, which keeps it a valid name whatever the
   * domain's length.
   */
  public static String domainTlsSecret(String k8sName, String domain) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(domain.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return k8sName + "-" + java.util.HexFormat.of().formatHex(digest).substring(0, 10) + "-tls";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * On the pods of a public app (value {@code "true"}): the namespace's NetworkPolicy lets the
   * ingress controller reach exactly these.
   */
  public static final String PUBLIC_LABEL = "astro.io/public";

  /** The NetworkPolicy that lets the ingress controller in to the public apps of a namespace. */
  public static final String ALLOW_INGRESS_CONTROLLER = "astro-allow-ingress-controller";

  /** Labels of an app's Deployment, its pod template and its Service. */
  public static Map<String, String> appLabels(
      String appName, String objectName, String appId, long userId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME_LABEL, appName);
    labels.put(INSTANCE_LABEL, objectName);
    labels.put(MANAGED_BY_LABEL, MANAGER);
    labels.put(APP_ID_LABEL, appId);
    labels.put(USER_ID_LABEL, Long.toString(userId));
    return labels;
  }

  /** Labels of a user namespace. */
  public static Map<String, String> namespaceLabels(long userId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY_LABEL, MANAGER);
    labels.put(USER_ID_LABEL, Long.toString(userId));
    return labels;
  }

  /** Only the managed-by label: objects of a namespace that belong to no one app. */
  public static Map<String, String> managedLabels() {
    return Map.of(MANAGED_BY_LABEL, MANAGER);
  }
}
