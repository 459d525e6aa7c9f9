package io.astro.app.clusters;

import io.astro.common.events.cluster.ClusterPublicUrls;
import io.astro.common.events.cluster.ClusterStatus;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a request about clusters must look like (the README's API reference, Clusters), with every
 * broken field named at once.
 */
public final class ClusterRules {

  /**
   * Import: name, kubeconfig (base64) required; description, labels and public_urls optional
   * ({@link ClusterPublicUrls#NONE} when not given).
   */
  public record Import(
      String name,
      String description,
      String kubeconfig,
      JsonObject labels,
      ClusterPublicUrls publicUrls) {}

  /**
   * Patch: each part null when not given; {@code publicUrls} changes the settings it names (a null
   * value clears one: the sync-worker's setting applies again).
   */
  public record Patch(
      String description,
      String kubeconfig,
      JsonObject labels,
      UnaryOperator<ClusterPublicUrls> publicUrls) {}

  /** The fields of {@code public_urls}. */
  static final List<String> PUBLIC_URLS =
      List.of("apps_domain", "ingress_class", "tls_issuer", "ingress_namespace_selector");

  public static final Set<String> STATUSES =
      Arrays.stream(ClusterStatus.values())
          .map(ClusterStatus::value)
          .collect(Collectors.toUnmodifiableSet());
  static final int MAX_KUBECONFIG_BYTES = 256 * 1024;
  private static final Pattern NAME = KubeNames.DNS_LABEL;
  private static final Pattern LABEL_KEY =
      Pattern.compile("([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?");

  public Import forImport(JsonObject body) {
    FieldErrors errors =
        FieldErrors.acceptingOnly(
            body, "name", "description", "kubeconfig", "labels", "public_urls");
    Object name = body.getValue("name");
    if (!(name instanceof String n) || n.isEmpty()) {
      errors.add("name", "is required");
    } else if (n.length() > 63 || !NAME.matcher(n).matches()) {
      errors.add(
          "name",
          "must be at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
    }
    String description = description(body, errors);
    String kubeconfig =
        body.containsKey("kubeconfig") ? kubeconfig(body.getValue("kubeconfig"), errors) : null;
    if (!body.containsKey("kubeconfig")) {
      errors.add("kubeconfig", "is required (the kubeconfig file, base64-encoded)");
    }
    JsonObject labels =
        body.containsKey("labels") ? labels(body.getValue("labels"), errors) : new JsonObject();
    FieldErrors refused = new FieldErrors();
    Map<String, String> urls =
        body.containsKey("public_urls")
            ? publicUrls(body.getValue("public_urls"), errors, refused)
            : null;
    errors.throwIfAny();
    refuseIfAny(refused);
    return new Import(
        (String) name,
        description,
        kubeconfig,
        labels,
        urls == null ? ClusterPublicUrls.NONE : merge(ClusterPublicUrls.NONE, urls));
  }

  public Patch forPatch(JsonObject body) {
    FieldErrors errors =
        FieldErrors.acceptingOnly(
            body, "name", "description", "kubeconfig", "labels", "public_urls");
    if (body.containsKey("name")) {
      errors.add("name", "cannot be changed; import the cluster under the new name instead");
    }
    if (body.isEmpty()) {
      errors.add("body", "give at least one of description, labels, kubeconfig, public_urls");
    }
    String description = description(body, errors);
    String kubeconfig =
        body.containsKey("kubeconfig") ? kubeconfig(body.getValue("kubeconfig"), errors) : null;
    JsonObject labels = body.containsKey("labels") ? labels(body.getValue("labels"), errors) : null;
    FieldErrors refused = new FieldErrors();
    Map<String, String> urls =
        body.containsKey("public_urls")
            ? publicUrls(body.getValue("public_urls"), errors, refused)
            : null;
    errors.throwIfAny();
    refuseIfAny(refused);
    return new Patch(
        description, kubeconfig, labels, urls == null ? null : current -> merge(current, urls));
  }

  // well-formed settings no cluster can use: 422, after the body's shape is right
  private static void refuseIfAny(FieldErrors refused) {
    if (!refused.isEmpty()) {
      throw refused.toException(ErrorCode.UNPROCESSABLE);
    }
  }

  /**
   * The fields of {@code public_urls} given (a null value: the sync-worker's setting applies, so
   * the map holds nulls); a broken shape goes to {@code errors}, values no cluster can use to
   * {@code refused}.
   */
  private static Map<String, String> publicUrls(
      Object value, FieldErrors errors, FieldErrors refused) {
    if (!(value instanceof JsonObject urls)) {
      errors.add("public_urls", "must be an object of " + PUBLIC_URLS);
      return null;
    }
    Map<String, String> given = new HashMap<>();
    for (String key : urls.fieldNames()) {
      if (!PUBLIC_URLS.contains(key)) {
        errors.add("public_urls." + key, "is not a field; the fields are " + PUBLIC_URLS);
      }
    }
    for (String field : PUBLIC_URLS) {
      if (!urls.containsKey(field)) {
        continue;
      }
      Object v = urls.getValue(field);
      if (v == null) {
        given.put(field, null);
        continue;
      }
      if (!(v instanceof String text) || text.isEmpty()) {
        refused.add("public_urls." + field, "must be text, or null for the sync-worker's setting");
        continue;
      }
      String problem =
          switch (field) {
            case "apps_domain" -> ClusterPublicUrls.appsDomainProblem(text);
            case "ingress_namespace_selector" -> selectorProblem(text);
            default -> ClusterPublicUrls.subdomainProblem(text);
          };
      if (problem != null) {
        refused.add("public_urls." + field, problem);
      } else {
        given.put(field, text);
      }
    }
    return given;
  }

  private static String selectorProblem(String text) {
    try {
      ClusterPublicUrls.selector(text);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private static ClusterPublicUrls merge(ClusterPublicUrls current, Map<String, String> given) {
    return new ClusterPublicUrls(
        given.containsKey("apps_domain") ? given.get("apps_domain") : current.appsDomain(),
        given.containsKey("ingress_class") ? given.get("ingress_class") : current.ingressClass(),
        given.containsKey("tls_issuer") ? given.get("tls_issuer") : current.tlsIssuer(),
        given.containsKey("ingress_namespace_selector")
            ? given.get("ingress_namespace_selector")
            : current.ingressNamespaceSelector());
  }

  private static String description(JsonObject body, FieldErrors errors) {
    Object value = body.getValue("description");
    if (value == null) {
      return null;
    }
    if (!(value instanceof String d) || d.length() > 512) {
      errors.add("description", "must be text of at most 512 characters");
      return null;
    }
    return d;
  }

  private static String kubeconfig(Object value, FieldErrors errors) {
    if (!(value instanceof String text) || text.isBlank()) {
      errors.add("kubeconfig", "must be the kubeconfig file, base64-encoded");
      return null;
    }
    byte[] raw;
    try {
      raw = Base64.getMimeDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      errors.add("kubeconfig", "is not valid base64");
      return null;
    }
    if (raw.length == 0 || raw.length > MAX_KUBECONFIG_BYTES) {
      errors.add("kubeconfig", "must decode to 1 byte to " + MAX_KUBECONFIG_BYTES / 1024 + " KiB");
      return null;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      errors.add("kubeconfig", "does not decode to UTF-8 text");
      return null;
    }
  }

  private static JsonObject labels(Object value, FieldErrors errors) {
    if (!(value instanceof JsonObject labels)) {
      errors.add("labels", "must be an object of string values");
      return null;
    }
    if (labels.size() > 32) {
      errors.add("labels", "at most 32 labels");
    }
    for (Map.Entry<String, Object> label : labels) {
      if (!LABEL_KEY.matcher(label.getKey()).matches()) {
        errors.add("labels." + label.getKey(), "is not a valid label key");
      } else if (!(label.getValue() instanceof String v)
          || v.length() > 63
          || !LABEL_VALUE.matcher(v).matches()) {
        errors.add(
            "labels." + label.getKey(), "must be a label value: up to 63 of A-Z a-z 0-9 . _ -");
      }
    }
    return labels;
  }

  /** {@code label=key=value} on lists; null when absent. */
  public static String[] labelFilter(String param, FieldErrors errors) {
    if (param == null) {
      return null;
    }
    int eq = param.indexOf('=');
    if (eq <= 0
        || !LABEL_KEY.matcher(param.substring(0, eq)).matches()
        || !LABEL_VALUE.matcher(param.substring(eq + 1)).matches()) {
      errors.add("label", "must be key=value");
      return null;
    }
    return new String[] {param.substring(0, eq), param.substring(eq + 1)};
  }
}
