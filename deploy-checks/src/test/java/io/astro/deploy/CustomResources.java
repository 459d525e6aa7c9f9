package io.astro.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The custom resources k8s/ may hold (no model class in the official client), each with the fields
 * it may use: an unknown field or kind fails, as a model class would. The schemas are the subset of
 * the operators' CRDs that Astro uses (Prometheus Operator monitoring.coreos.com/v1, Strimzi
 * kafka.strimzi.io/v1beta2); a new field means reading the CRD and adding it here.
 */
final class CustomResources {

  /** Any value at all (free-form maps such as labels or Kafka configuration). */
  private static final Object ANY = new Object();

  private static final Map<String, Object> METADATA =
      obj("name", ANY, "namespace", ANY, "labels", ANY, "annotations", ANY);
  private static final Map<String, Object> LABEL_SELECTOR =
      obj(
          "matchLabels",
          ANY,
          "matchExpressions",
          List.of(obj("key", ANY, "operator", ANY, "values", ANY)));

  private static final Map<String, Map<String, Object>> SCHEMAS =
      Map.of(
          "monitoring.coreos.com/v1 ServiceMonitor",
              resource(
                  obj(
                      "namespaceSelector",
                      obj("matchNames", ANY, "any", ANY),
                      "selector",
                      LABEL_SELECTOR,
                      "jobLabel",
                      ANY,
                      "endpoints",
                      List.of(
                          obj(
                              "port",
                              ANY,
                              "path",
                              ANY,
                              "interval",
                              ANY,
                              "scrapeTimeout",
                              ANY,
                              "scheme",
                              ANY,
                              "honorLabels",
                              ANY,
                              "relabelings",
                              ANY,
                              "metricRelabelings",
                              ANY)))),
          "kafka.strimzi.io/v1beta2 Kafka",
              resource(
                  obj(
                      "kafka",
                          obj(
                              "version",
                              ANY,
                              "metadataVersion",
                              ANY,
                              "config",
                              ANY,
                              "authorization",
                              ANY,
                              "rack",
                              ANY,
                              "resources",
                              ANY,
                              "template",
                              ANY,
                              "listeners",
                              List.of(
                                  obj(
                                      "name",
                                      ANY,
                                      "port",
                                      ANY,
                                      "type",
                                      ANY,
                                      "tls",
                                      ANY,
                                      "authentication",
                                      ANY,
                                      "configuration",
                                      ANY,
                                      "networkPolicyPeers",
                                      List.of(
                                          obj(
                                              "podSelector",
                                              LABEL_SELECTOR,
                                              "namespaceSelector",
                                              LABEL_SELECTOR))))),
                      "entityOperator", obj("topicOperator", ANY, "userOperator", ANY),
                      "cruiseControl", ANY)),
          "kafka.strimzi.io/v1beta2 KafkaNodePool",
              resource(
                  obj(
                      "replicas",
                      ANY,
                      "roles",
                      ANY,
                      "resources",
                      ANY,
                      "jvmOptions",
                      ANY,
                      "template",
                      ANY,
                      "storage",
                      obj(
                          "type",
                          ANY,
                          "volumes",
                          List.of(
                              obj(
                                  "id",
                                  ANY,
                                  "type",
                                  ANY,
                                  "size",
                                  ANY,
                                  "class",
                                  ANY,
                                  "deleteClaim",
                                  ANY,
                                  "kraftMetadata",
                                  ANY))))),
          "kafka.strimzi.io/v1beta2 KafkaTopic",
              resource(obj("topicName", ANY, "partitions", ANY, "replicas", ANY, "config", ANY)),
          "kafka.strimzi.io/v1beta2 KafkaUser",
              resource(
                  obj(
                      "authentication",
                      obj("type", ANY),
                      "authorization",
                      obj(
                          "type",
                          ANY,
                          "acls",
                          List.of(
                              obj(
                                  "resource",
                                  obj("type", ANY, "name", ANY, "patternType", ANY),
                                  "operations",
                                  ANY,
                                  "host",
                                  ANY,
                                  "type",
                                  ANY))),
                      "quotas",
                      ANY,
                      "template",
                      ANY)));

  private CustomResources() {}

  static boolean known(Map<String, Object> raw) {
    return SCHEMAS.containsKey(raw.get("apiVersion") + " " + raw.get("kind"));
  }

  static void check(Map<String, Object> raw) {
    String type = raw.get("apiVersion") + " " + raw.get("kind");
    Map<String, Object> schema = SCHEMAS.get(type);
    if (schema == null) {
      throw new AssertionError(
          type
              + " ("
              + Kustomize.metadata(raw).get("name")
              + ") is neither a built-in kind "
              + "nor a custom resource these checks know (CustomResources.java)");
    }
    check(raw, schema, raw.get("kind") + "/" + Kustomize.metadata(raw).get("name"));
  }

  private static void check(Object value, Object schema, String path) {
    if (schema == ANY) {
      return;
    }
    if (schema instanceof Map<?, ?> fields) {
      if (!(value instanceof Map<?, ?> map)) {
        throw new AssertionError(path + ": expected a mapping, got " + value);
      }
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!fields.containsKey(e.getKey())) {
          throw new AssertionError(
              path + "." + e.getKey() + ": unknown field (CustomResources.java)");
        }
        check(e.getValue(), fields.get(e.getKey()), path + "." + e.getKey());
      }
    } else if (schema instanceof List<?> item) {
      if (!(value instanceof List<?> list)) {
        throw new AssertionError(path + ": expected a list, got " + value);
      }
      for (int i = 0; i < list.size(); i++) {
        check(list.get(i), item.get(0), path + "[" + i + "]");
      }
    }
  }

  private static Map<String, Object> resource(Map<String, Object> spec) {
    return obj("apiVersion", ANY, "kind", ANY, "metadata", METADATA, "spec", spec);
  }

  private static Map<String, Object> obj(Object... keysAndSchemas) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < keysAndSchemas.length; i += 2) {
      fields.put((String) keysAndSchemas[i], keysAndSchemas[i + 1]);
    }
    return fields;
  }
}
