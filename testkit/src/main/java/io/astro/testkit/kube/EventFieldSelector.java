package io.astro.testkit.kube;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code fieldSelector} on Event lists and watches, with exactly the fields a real server supports
 * for Events (pkg/apis/core/v1/conversion.go, {@code AddFieldLabelConversionFunc} for Event):
 * {@code involvedObject.*}, {@code reason}, {@code reportingComponent}, {@code source}, {@code
 * type}, {@code metadata.name} and {@code metadata.namespace}; operators {@code =}, {@code ==} and
 * {@code !=}, requirements joined by commas. Any other field answers 400 {@code field label not
 * supported: <field>}, as a real server does. The mock does not filter by field, so the proxy sends
 * it the request without the selector and filters what comes back.
 */
final class EventFieldSelector {

  private static final Pattern EVENTS = Pattern.compile("/api/v1/(namespaces/[^/]+/)?events");
  private static final Pattern PODS = Pattern.compile("/api/v1/(namespaces/[^/]+/)?pods");

  /**
   * The fields a real server selects Pods by (pkg/registry/core/pod/strategy.go {@code
   * PodToSelectableFields}).
   */
  private static final Map<String, Function<JsonObject, String>> POD_FIELDS =
      Map.ofEntries(
          Map.entry("metadata.name", e -> meta(e, "name")),
          Map.entry("metadata.namespace", e -> meta(e, "namespace")),
          Map.entry("spec.nodeName", e -> child(e, "spec", "nodeName")),
          Map.entry("spec.restartPolicy", e -> child(e, "spec", "restartPolicy")),
          Map.entry("spec.schedulerName", e -> child(e, "spec", "schedulerName")),
          Map.entry("spec.serviceAccountName", e -> child(e, "spec", "serviceAccountName")),
          Map.entry(
              "spec.hostNetwork",
              e ->
                  String.valueOf(
                      e.getJsonObject("spec", new JsonObject()).getBoolean("hostNetwork", false))),
          Map.entry("status.phase", e -> child(e, "status", "phase")),
          Map.entry("status.podIP", e -> child(e, "status", "podIP")),
          Map.entry("status.nominatedNodeName", e -> child(e, "status", "nominatedNodeName")));

  private static final Map<String, Function<JsonObject, String>> FIELDS =
      Map.ofEntries(
          Map.entry("involvedObject.kind", e -> involved(e, "kind")),
          Map.entry("involvedObject.namespace", e -> involved(e, "namespace")),
          Map.entry("involvedObject.name", e -> involved(e, "name")),
          Map.entry("involvedObject.uid", e -> involved(e, "uid")),
          Map.entry("involvedObject.apiVersion", e -> involved(e, "apiVersion")),
          Map.entry("involvedObject.resourceVersion", e -> involved(e, "resourceVersion")),
          Map.entry("involvedObject.fieldPath", e -> involved(e, "fieldPath")),
          Map.entry("reason", e -> e.getString("reason", "")),
          Map.entry("reportingComponent", e -> e.getString("reportingComponent", "")),
          Map.entry(
              "source",
              e -> e.getJsonObject("source", new JsonObject()).getString("component", "")),
          Map.entry("type", e -> e.getString("type", "")),
          Map.entry(
              "metadata.name",
              e -> e.getJsonObject("metadata", new JsonObject()).getString("name", "")),
          Map.entry(
              "metadata.namespace",
              e -> e.getJsonObject("metadata", new JsonObject()).getString("namespace", "")));

  private record Requirement(Function<JsonObject, String> field, boolean equals, String value) {
    boolean matches(JsonObject object) {
      return field.apply(object).equals(value) == equals;
    }
  }

  private final List<Requirement> requirements;

  private EventFieldSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** Whether this GET is an Event or Pod list or watch with a field selector. */
  static boolean applies(String path, String fieldSelector) {
    return fieldSelector != null
        && !fieldSelector.isEmpty()
        && (EVENTS.matcher(path).matches() || PODS.matcher(path).matches());
  }

  /**
   * The selector, or the message of a 400 for a field a real server does not support.
   *
   * @throws IllegalArgumentException with the real server's message
   */
  static EventFieldSelector parse(String path, String selector) {
    Map<String, Function<JsonObject, String>> fields =
        PODS.matcher(path).matches() ? POD_FIELDS : FIELDS;
    List<Requirement> requirements = new ArrayList<>();
    for (String part : selector.split(",")) {
      String term = part.strip();
      if (term.isEmpty()) {
        continue;
      }
      int ne = term.indexOf("!=");
      int eq = term.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(
            "invalid field selector: invalid selector: '"
                + selector
                + "'; can't understand '"
                + term
                + "'");
      }
      String field;
      String value;
      boolean equals;
      if (ne >= 0 && ne < eq) {
        field = term.substring(0, ne);
        value = term.substring(ne + 2);
        equals = false;
      } else {
        field = term.substring(0, eq);
        value = term.substring(term.startsWith("==", eq) ? eq + 2 : eq + 1);
        equals = true;
      }
      if (!fields.containsKey(field)) {
        throw new IllegalArgumentException("field label not supported: " + field);
      }
      requirements.add(new Requirement(fields.get(field), equals, value));
    }
    return new EventFieldSelector(List.copyOf(requirements));
  }

  boolean matches(JsonObject event) {
    return requirements.stream().allMatch(r -> r.matches(event));
  }

  /** The request's query without {@code fieldSelector}, for the mock. */
  static String withoutSelector(String query) {
    if (query == null) {
      return "";
    }
    return String.join(
        "&",
        java.util.Arrays.stream(query.split("&"))
            .filter(p -> !p.startsWith("fieldSelector="))
            .toList());
  }

  /** A list answer with only the matching items. */
  Buffer filterList(Buffer body) {
    try {
      JsonObject list = body.toJsonObject();
      JsonArray items = list.getJsonArray("items");
      if (items == null) {
        return body;
      }
      JsonArray kept = new JsonArray();
      for (Object item : items) {
        if (item instanceof JsonObject event && matches(event)) {
          kept.add(event);
        }
      }
      return list.put("items", kept).toBuffer();
    } catch (DecodeException | ClassCastException notAList) {
      return body;
    }
  }

  /** Whether a watch event line is passed on: only objects that match (ERROR, BOOKMARK pass). */
  boolean passes(String watchEvent) {
    try {
      JsonObject json = new JsonObject(watchEvent);
      Optional<JsonObject> object = Optional.ofNullable(json.getJsonObject("object"));
      String type = json.getString("type", "");
      if (type.equals("ERROR") || type.equals("BOOKMARK") || object.isEmpty()) {
        return true;
      }
      return matches(object.get());
    } catch (DecodeException | ClassCastException notJson) {
      return true;
    }
  }

  private static String meta(JsonObject object, String field) {
    return child(object, "metadata", field);
  }

  private static String child(JsonObject object, String parent, String field) {
    return object.getJsonObject(parent, new JsonObject()).getString(field, "");
  }

  private static String involved(JsonObject event, String field) {
    return event.getJsonObject("involvedObject", new JsonObject()).getString(field, "");
  }
}
