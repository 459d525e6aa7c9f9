package io.astro.sync.views;

import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.kubernetes.client.openapi.models.V1Taint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code PATCH} of a node's labels and taints, checked by the API server's rules before the
 * cluster is asked (pkg/apis/core/validation {@code ValidateNode}, {@code validateNodeTaints};
 * apimachinery {@code IsQualifiedName}, {@code IsValidLabelValue}, {@code IsDNS1123Subdomain}), so
 * a refusal is a 422 naming the field ({@code labels.<key>}, {@code taints[i].effect}) rather than
 * the cluster's message.
 *
 * <p>{@code labels}: an object, a string value sets the label, {@code null} removes it. {@code
 * taints}: the node's taints as a whole, each {@code {key, value?, effect}}; taints under {@code
 * node.kubernetes.io/} and {@code node.cloudprovider.kubernetes.io/} belong to Kubernetes' own
 * controllers (not-ready, unreachable, unschedulable, uninitialized), are kept as they are and may
 * not be sent.
 */
record NodeChange(Map<String, String> labels, List<V1Taint> taints) {

  static final List<String> EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");

  private static final List<String> SYSTEM_TAINT_PREFIXES =
      List.of("node.kubernetes.io/", "node.cloudprovider.kubernetes.io/");
  private static final Pattern QUALIFIED_NAME =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final int MAX_NAME = 63;
  private static final int MAX_PREFIX = 253;
  private static final int MAX_TAINTS = 64;
  private static final int MAX_LABELS = 128;

  static NodeChange parse(JsonObject body) {
    // a field that is not there to change is a malformed request (400), not a refused change
    FieldErrors.acceptingOnly(body, "labels", "taints").throwIfAny();
    Map<String, String> problems = new LinkedHashMap<>();
    if (!body.containsKey("labels") && !body.containsKey("taints")) {
      problems.put("labels", "send labels, taints or both");
    }
    Map<String, String> labels = null;
    if (body.containsKey("labels")) {
      labels = labels(body.getValue("labels"), problems);
    }
    List<V1Taint> taints = null;
    if (body.containsKey("taints")) {
      taints = taints(body.getValue("taints"), problems);
    }
    if (!problems.isEmpty()) {
      FieldErrors errors = new FieldErrors();
      problems.forEach(errors::add);
      throw errors.toException(ErrorCode.UNPROCESSABLE);
    }
    return new NodeChange(labels, taints);
  }

  private static Map<String, String> labels(Object value, Map<String, String> problems) {
    if (!(value instanceof JsonObject object)) {
      problems.put("labels", "must be an object of label keys to values (null removes a label)");
      return null;
    }
    if (object.size() > MAX_LABELS) {
      problems.put("labels", "at most " + MAX_LABELS + " labels at once");
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : object.fieldNames()) {
      String field = "labels." + key;
      String keyProblem = qualifiedName(key);
      if (keyProblem != null) {
        problems.put(field, "key " + keyProblem);
        continue;
      }
      Object v = object.getValue(key);
      if (v == null) {
        out.put(key, null);
      } else if (!(v instanceof String s)) {
        problems.put(field, "must be a string, or null to remove the label");
      } else {
        String valueProblem = labelValue(s);
        if (valueProblem != null) {
          problems.put(field, "value " + valueProblem);
        } else {
          out.put(key, s);
        }
      }
    }
    return out;
  }

  private static List<V1Taint> taints(Object value, Map<String, String> problems) {
    if (!(value instanceof JsonArray array)) {
      problems.put("taints", "must be an array of {key, value, effect}");
      return null;
    }
    if (array.size() > MAX_TAINTS) {
      problems.put("taints", "at most " + MAX_TAINTS + " taints");
      return null;
    }
    List<V1Taint> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String at = "taints[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject taint)) {
        problems.put(at, "must be an object {key, value, effect}");
        continue;
      }
      for (String f : taint.fieldNames()) {
        if (!Set.of("key", "value", "effect").contains(f)) {
          problems.put(at + "." + f, "unknown field; a taint has key, value and effect");
        }
      }
      Object key = taint.getValue("key");
      Object val = taint.getValue("value");
      Object effect = taint.getValue("effect");
      boolean ok = true;
      if (!(key instanceof String k) || k.isEmpty()) {
        problems.put(at + ".key", "required");
        ok = false;
      } else if (qualifiedName(k) != null) {
        problems.put(at + ".key", qualifiedName(k));
        ok = false;
      } else if (SYSTEM_TAINT_PREFIXES.stream().anyMatch(k::startsWith)) {
        problems.put(
            at + ".key", "taints under node.kubernetes.io/ are managed by Kubernetes itself");
        ok = false;
      }
      if (val != null && !(val instanceof String)) {
        problems.put(at + ".value", "must be a string");
        ok = false;
      } else if (val != null && labelValue((String) val) != null) {
        problems.put(at + ".value", labelValue((String) val));
        ok = false;
      }
      if (!(effect instanceof String e) || e.isEmpty()) {
        problems.put(at + ".effect", "required: one of " + EFFECTS);
        ok = false;
      } else if (!EFFECTS.contains(e)) {
        problems.put(at + ".effect", "must be one of " + EFFECTS);
        ok = false;
      }
      if (!ok) {
        continue;
      }
      if (!seen.add(effect + " " + key)) {
        problems.put(at, "taints must be unique by key and effect pair");
        continue;
      }
      out.add(
          new V1Taint()
              .key((String) key)
              .value(val == null || ((String) val).isEmpty() ? null : (String) val)
              .effect((String) effect));
    }
    return out;
  }

  /** apimachinery {@code IsQualifiedName}: an optional DNS subdomain prefix and a name. */
  static String qualifiedName(String value) {
    String name = value;
    int slash = value.indexOf('/');
    if (slash >= 0) {
      String prefix = value.substring(0, slash);
      name = value.substring(slash + 1);
      if (prefix.isEmpty()) {
        return "prefix part must be non-empty";
      }
      if (prefix.length() > MAX_PREFIX || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
        return "prefix part must be a lowercase DNS subdomain of at most 253 characters";
      }
      if (name.contains("/")) {
        return "must be a qualified name with at most one '/'";
      }
    }
    if (name.isEmpty()) {
      return "name part must be non-empty";
    }
    if (name.length() > MAX_NAME) {
      return "name part must be no more than 63 characters";
    }
    if (!QUALIFIED_NAME.matcher(name).matches()) {
      return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start"
          + " and end with an alphanumeric character";
    }
    return null;
  }

  /** apimachinery {@code IsValidLabelValue}: empty, or a name part. */
  static String labelValue(String value) {
    if (value.isEmpty()) {
      return null;
    }
    if (value.length() > MAX_NAME) {
      return "must be no more than 63 characters";
    }
    if (!QUALIFIED_NAME.matcher(value).matches()) {
      return "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start"
          + " and end with an alphanumeric character";
    }
    return null;
  }

  /** The node's taints after this change: the system taints it has, then the ones sent. */
  List<V1Taint> mergedTaints(List<V1Taint> current) {
    List<V1Taint> out = new ArrayList<>();
    if (current != null) {
      for (V1Taint t : current) {
        if (t.getKey() != null && SYSTEM_TAINT_PREFIXES.stream().anyMatch(t.getKey()::startsWith)) {
          out.add(t);
        }
      }
    }
    out.addAll(taints);
    return out;
  }
}
