package io.astro.app.clusters;

import io.astro.common.events.cluster.ClusterStatus;
import io.astro.common.http.FieldErrors;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a request about clusters must look like (the README's API reference, Clusters), with every
 * broken field named at once.
 */
public final class ClusterRules {

  /** Import: name, kubeconfig (base64) required; description and labels optional. */
  public record Import(String name, String description, String kubeconfig, JsonObject labels) {}

  /** Patch: each part null when not given. */
  public record Patch(String description, String kubeconfig, JsonObject labels) {}

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
        FieldErrors.acceptingOnly(body, "name", "description", "kubeconfig", "labels");
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
    errors.throwIfAny();
    return new Import((String) name, description, kubeconfig, labels);
  }

  public Patch forPatch(JsonObject body) {
    FieldErrors errors =
        FieldErrors.acceptingOnly(body, "name", "description", "kubeconfig", "labels");
    if (body.containsKey("name")) {
      errors.add("name", "cannot be changed; import the cluster under the new name instead");
    }
    if (body.isEmpty()) {
      errors.add("body", "give at least one of description, labels, kubeconfig");
    }
    String description = description(body, errors);
    String kubeconfig =
        body.containsKey("kubeconfig") ? kubeconfig(body.getValue("kubeconfig"), errors) : null;
    JsonObject labels = body.containsKey("labels") ? labels(body.getValue("labels"), errors) : null;
    errors.throwIfAny();
    return new Patch(description, kubeconfig, labels);
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
