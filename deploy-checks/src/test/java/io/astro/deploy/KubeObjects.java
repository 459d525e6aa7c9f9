package io.astro.deploy;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Rendered documents turned into the official client's model classes ({@code
 * io.kubernetes.client.util.Yaml}). Strict: a field the model does not have fails the load
 * (SnakeYAML's bean constructor refuses unknown properties), a field the model dropped on the way
 * fails the round trip, and values the API server wants as strings (labels, annotations, ConfigMap
 * data, env values) must be strings in the YAML — the model's {@code Map<String, String>} would
 * take an unquoted number silently, {@code kubectl apply} would not. Custom resources (no model
 * class) are checked against {@link CustomResources}.
 */
final class KubeObjects {

  // SnakeYAML logs every model field it cannot map while building the bean descriptions (not our
  // documents)
  private static final Logger SNAKEYAML_LOG = Logger.getLogger("org.yaml.snakeyaml");

  static {
    SNAKEYAML_LOG.setLevel(Level.SEVERE);
  }

  /** One rendered document: the plain map and the typed object. */
  record Doc(Map<String, Object> raw, Object model) {
    String kind() {
      return (String) raw.get("kind");
    }

    String name() {
      return (String) Kustomize.metadata(raw).get("name");
    }

    String namespace() {
      return (String) Kustomize.metadata(raw).get("namespace");
    }

    <T> T as(Class<T> type) {
      return type.cast(model);
    }

    @Override
    public String toString() {
      return kind() + "/" + name();
    }
  }

  private KubeObjects() {}

  static List<Doc> parse(List<Map<String, Object>> rendered) {
    List<Doc> docs = new ArrayList<>();
    for (Map<String, Object> raw : rendered) {
      docs.add(parse(raw));
    }
    return docs;
  }

  static Doc parse(Map<String, Object> raw) {
    String where = raw.get("kind") + "/" + Kustomize.metadata(raw).get("name");
    if (CustomResources.known(raw)) {
      CustomResources.check(raw);
      return new Doc(raw, raw);
    }
    Object model;
    try {
      model = io.kubernetes.client.util.Yaml.load(dump(raw));
    } catch (IOException | RuntimeException e) {
      if (!CustomResources.known(raw)
          && String.valueOf(e.getMessage()).contains("DynamicKubernetesObject")) {
        CustomResources.check(raw); // an unknown kind: says so
      }
      throw new AssertionError(
          where + " does not load into the official client's model: " + firstLine(e), e);
    }
    if (model instanceof DynamicKubernetesObject) {
      CustomResources.check(raw); // fails: neither built in nor known
    }
    if (!(model instanceof KubernetesObject)) {
      throw new AssertionError(where + ": loaded as " + (model == null ? null : model.getClass()));
    }
    Map<String, Object> back = Kustomize.cast(Kustomize.yaml().load(JSON.serialize(model)));
    sameKeys(raw, back, where);
    strings(raw, where, false);
    return new Doc(raw, model);
  }

  static String dump(Object value) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(value);
  }

  // every key of the YAML survives the trip through the model
  private static void sameKeys(Object raw, Object back, String path) {
    if (raw instanceof Map<?, ?> r) {
      if (!(back instanceof Map<?, ?> b)) {
        throw new AssertionError(path + ": the model turned a mapping into " + back);
      }
      for (Map.Entry<?, ?> e : r.entrySet()) {
        if (!b.containsKey(e.getKey())) {
          throw new AssertionError(
              path + "." + e.getKey() + ": not a field of the model (dropped)");
        }
        sameKeys(e.getValue(), b.get(e.getKey()), path + "." + e.getKey());
      }
    } else if (raw instanceof List<?> r && back instanceof List<?> b) {
      if (r.size() != b.size()) {
        throw new AssertionError(path + ": list length changed through the model");
      }
      for (int i = 0; i < r.size(); i++) {
        sameKeys(r.get(i), b.get(i), path + "[" + i + "]");
      }
    }
  }

  // labels, annotations, ConfigMap data and env values are strings for the API server
  private static void strings(Object node, String path, boolean mustBeStrings) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (mustBeStrings) {
          if (!(e.getValue() instanceof String)) {
            throw new AssertionError(
                path + "." + key + ": must be a string (quote it), is " + e.getValue());
          }
          continue;
        }
        boolean stringMap =
            key.equals("labels")
                || key.equals("annotations")
                || key.equals("matchLabels")
                || (key.equals("data") && "ConfigMap".equals(map.get("kind")));
        strings(e.getValue(), path + "." + key, stringMap);
      }
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        if (path.endsWith(".env")
            && item instanceof Map<?, ?> env
            && env.containsKey("value")
            && !(env.get("value") instanceof String)) {
          throw new AssertionError(
              path + "[" + env.get("name") + "].value: must be a string (quote it)");
        }
        strings(item, path + "[" + i + "]", false);
      }
    }
  }

  static boolean matches(V1LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!Objects.equals(have.get(e.getKey()), e.getValue())) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (V1LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String value = have.get(r.getKey());
        boolean ok =
            switch (r.getOperator()) {
              case "In" -> value != null && r.getValues().contains(value);
              case "NotIn" -> value == null || !r.getValues().contains(value);
              case "Exists" -> value != null;
              case "DoesNotExist" -> value == null;
              default -> throw new AssertionError("unknown selector operator " + r.getOperator());
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector != null
        && !selector.isEmpty()
        && matches(new V1LabelSelector().matchLabels(selector), labels);
  }

  static Map<String, String> labels(V1PodTemplateSpec template) {
    return template.getMetadata() == null || template.getMetadata().getLabels() == null
        ? Map.of()
        : template.getMetadata().getLabels();
  }

  private static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    java.util.regex.Matcher unknown =
        java.util.regex.Pattern.compile("Unable to find property '([^']+)' on class: (\\S+)")
            .matcher(message);
    if (unknown.find()) {
      return "unknown field '" + unknown.group(1) + "' in " + unknown.group(2);
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl) + " …";
  }

  static RuntimeException unchecked(IOException e) {
    return new UncheckedIOException(e);
  }
}
