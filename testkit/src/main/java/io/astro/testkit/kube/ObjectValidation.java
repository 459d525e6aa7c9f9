package io.astro.testkit.kube;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the API server's per-kind validation refuses (pkg/apis/core/validation/validation.go,
 * pkg/apis/apps/validation, pkg/apis/networking/validation), for the kinds Astro writes and the
 * ones the simulator writes. Each rule is listed, with its source, in docs/testkit-kube.md.
 */
final class ObjectValidation {

  /** TotalAnnotationSizeLimitB in apimachinery/pkg/api/validation/objectmeta.go. */
  static final long ANNOTATIONS_MAX_BYTES = 256 * 1024;

  /** MaxSecretSize in pkg/apis/core/types.go. */
  static final long SECRET_MAX_BYTES = 1024 * 1024;

  private static final Set<String> LIMIT_TYPES =
      Set.of("Container", "Pod", "PersistentVolumeClaim");

  /** Kinds validated here; any other kind passes untouched. */
  static final Set<String> KINDS =
      Set.of(
          "Namespace",
          "Deployment",
          "ReplicaSet",
          "Pod",
          "Service",
          "NetworkPolicy",
          "ResourceQuota",
          "LimitRange",
          "Secret");

  private ObjectValidation() {}

  /**
   * The decoder's refusal (400 BadRequest) of a body whose quantities do not parse; the object
   * never reaches validation on a real server.
   */
  static Optional<String> decodeError(JsonObject object) {
    List<Object> quantities = new ArrayList<>();
    String kind = object.getString("kind", "");
    JsonObject spec = object.getJsonObject("spec", new JsonObject());
    switch (kind) {
      case "Deployment", "ReplicaSet" ->
          containers(podSpec(spec.getJsonObject("template")))
              .forEach(c -> collectResources(c, quantities));
      case "Pod" -> containers(spec).forEach(c -> collectResources(c, quantities));
      case "ResourceQuota" -> quantities.addAll(map(spec, "hard").values());
      case "LimitRange" -> {
        for (JsonObject limit : objects(spec.getJsonArray("limits"))) {
          for (String key :
              List.of("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")) {
            quantities.addAll(map(limit, key).values());
          }
        }
      }
      default -> {}
    }
    for (Object q : quantities) {
      if (!Quantities.valid(q)) {
        return Optional.of(
            kind
                + " in version \""
                + version(object)
                + "\" cannot be handled as a "
                + kind
                + ": "
                + Quantities.FORMAT_WRONG);
      }
    }
    return Optional.empty();
  }

  /** Validation of a create ({@code old == null}) or an update. */
  static List<FieldError> validate(JsonObject object, JsonObject old) {
    String kind = object.getString("kind", "");
    List<FieldError> errs = new ArrayList<>();
    if (!KINDS.contains(kind)) {
      return errs;
    }
    JsonObject meta = object.getJsonObject("metadata", new JsonObject());
    Function<String, List<String>> nameRule =
        switch (kind) {
          case "Namespace" -> Names::dns1123Label;
          case "Service" -> Names::dns1035Label;
          default -> Names::dns1123Subdomain;
        };
    objectMeta(meta, nameRule, errs);
    JsonObject spec = object.getJsonObject("spec", new JsonObject());
    switch (kind) {
      case "Deployment", "ReplicaSet" -> workload(spec, old, kind, errs);
      case "Pod" -> podSpec(spec, "spec", errs);
      case "Service" -> service(spec, old, errs);
      case "NetworkPolicy" -> networkPolicy(spec, errs);
      case "ResourceQuota" -> resourceQuota(spec, errs);
      case "LimitRange" -> limitRange(spec, errs);
      case "Secret" -> secret(object, errs);
      default -> {}
    }
    return errs;
  }

  // ---- metadata (apimachinery/pkg/api/validation/objectmeta.go ValidateObjectMeta) ----

  private static void objectMeta(
      JsonObject meta, Function<String, List<String>> nameRule, List<FieldError> errs) {
    String name = meta.getString("name");
    String generateName = meta.getString("generateName");
    if (name == null || name.isEmpty()) {
      if (generateName == null || generateName.isEmpty()) {
        errs.add(FieldError.required("metadata.name", "name or generateName is required"));
      }
    } else {
      for (String msg : nameRule.apply(name)) {
        errs.add(FieldError.invalid("metadata.name", name, msg));
      }
    }
    labels(map(meta, "labels"), "metadata.labels", errs);
    annotations(map(meta, "annotations"), errs);
  }

  /** ValidateLabels (apimachinery/pkg/apis/meta/v1/validation/validation.go). */
  static void labels(Map<String, Object> labels, String field, List<FieldError> errs) {
    for (Map.Entry<String, Object> e : labels.entrySet()) {
      for (String msg : Names.qualifiedName(e.getKey())) {
        errs.add(FieldError.invalid(field, e.getKey(), msg));
      }
      String value = e.getValue() == null ? "" : String.valueOf(e.getValue());
      for (String msg : Names.labelValue(value)) {
        errs.add(FieldError.invalid(field, value, msg));
      }
    }
  }

  /** ValidateAnnotations: keys are qualified names (lower-cased), total size capped. */
  private static void annotations(Map<String, Object> annotations, List<FieldError> errs) {
    long total = 0;
    for (Map.Entry<String, Object> e : annotations.entrySet()) {
      for (String msg : Names.qualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
        errs.add(FieldError.invalid("metadata.annotations", e.getKey(), msg));
      }
      total += Names.utf8Length(e.getKey());
      total += e.getValue() == null ? 0 : Names.utf8Length(String.valueOf(e.getValue()));
    }
    if (total > ANNOTATIONS_MAX_BYTES) {
      errs.add(FieldError.tooLong("metadata.annotations", ANNOTATIONS_MAX_BYTES));
    }
  }

  // ---- workloads (pkg/apis/apps/validation/validation.go) ----

  private static void workload(
      JsonObject spec, JsonObject old, String kind, List<FieldError> errs) {
    Object replicas = spec.getValue("replicas");
    if (replicas instanceof Number n && n.longValue() < 0) {
      errs.add(FieldError.invalid("spec.replicas", n, "must be greater than or equal to 0"));
    }
    JsonObject selector = spec.getJsonObject("selector");
    JsonObject template = spec.getJsonObject("template");
    if (selector == null) {
      errs.add(FieldError.required("spec.selector", ""));
    } else {
      labels(map(selector, "matchLabels"), "spec.selector.matchLabels", errs);
      if (map(selector, "matchLabels").isEmpty()
          && selector.getJsonArray("matchExpressions") == null) {
        errs.add(
            FieldError.invalid(
                "spec.selector", selector.getMap(), "empty selector is invalid for deployment"));
      }
    }
    if (template == null) {
      errs.add(FieldError.required("spec.template", ""));
    } else {
      JsonObject templateMeta = template.getJsonObject("metadata", new JsonObject());
      Map<String, Object> templateLabels = map(templateMeta, "labels");
      labels(templateLabels, "spec.template.metadata.labels", errs);
      if (selector != null) {
        for (Map.Entry<String, Object> e : map(selector, "matchLabels").entrySet()) {
          if (!Objects.equals(e.getValue(), templateLabels.get(e.getKey()))) {
            errs.add(
                FieldError.invalid(
                    "spec.template.metadata.labels",
                    templateLabels,
                    "`selector` does not match template `labels`"));
            break;
          }
        }
      }
      podSpec(template.getJsonObject("spec", new JsonObject()), "spec.template.spec", errs);
    }
    // ValidateDeploymentUpdate / ValidateReplicaSetUpdate: the selector is immutable in apps/v1
    if (old != null && selector != null) {
      JsonObject oldSelector =
          old.getJsonObject("spec", new JsonObject()).getJsonObject("selector");
      if (oldSelector != null && !normalized(oldSelector).equals(normalized(selector))) {
        errs.add(FieldError.invalid("spec.selector", selector.getMap(), "field is immutable"));
      }
    }
    if ("Deployment".equals(kind)) {
      Object deadline = spec.getValue("progressDeadlineSeconds");
      Object minReady = spec.getValue("minReadySeconds");
      if (deadline instanceof Number d
          && minReady instanceof Number m
          && d.longValue() <= m.longValue()) {
        errs.add(
            FieldError.invalid(
                "spec.progressDeadlineSeconds", d, "must be greater than minReadySeconds"));
      }
    }
  }

  /** Empty matchExpressions and a missing one are the same selector. */
  private static JsonObject normalized(JsonObject selector) {
    JsonObject copy = selector.copy();
    if (copy.getJsonArray("matchExpressions") != null
        && copy.getJsonArray("matchExpressions").isEmpty()) {
      copy.remove("matchExpressions");
    }
    if (copy.getJsonObject("matchLabels") != null && copy.getJsonObject("matchLabels").isEmpty()) {
      copy.remove("matchLabels");
    }
    return new JsonObject(new TreeMap<>(copy.getMap()));
  }

  // ---- pods (pkg/apis/core/validation/validation.go ValidatePodSpec, validateContainers) ----

  private static void podSpec(JsonObject spec, String path, List<FieldError> errs) {
    JsonArray containers = spec.getJsonArray("containers");
    if (containers == null || containers.isEmpty()) {
      errs.add(FieldError.required(path + ".containers", ""));
      return;
    }
    containerList(containers, path + ".containers", errs);
    if (spec.getJsonArray("initContainers") != null) {
      containerList(spec.getJsonArray("initContainers"), path + ".initContainers", errs);
    }
  }

  private static void containerList(JsonArray containers, String path, List<FieldError> errs) {
    Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < containers.size(); i++) {
      JsonObject c = containers.getJsonObject(i);
      String at = path + "[" + i + "]";
      String name = c.getString("name");
      if (name == null || name.isEmpty()) {
        errs.add(FieldError.required(at + ".name", ""));
      } else {
        for (String msg : Names.dns1123Label(name)) {
          errs.add(FieldError.invalid(at + ".name", name, msg));
        }
        if (!names.add(name)) {
          errs.add(new FieldError(FieldError.Type.INVALID, at + ".name", name, "Duplicate value"));
        }
      }
      String image = c.getString("image");
      if (image == null || image.isBlank()) {
        errs.add(FieldError.required(at + ".image", ""));
      }
      containerPorts(objects(c.getJsonArray("ports")), at + ".ports", errs);
      resources(c.getJsonObject("resources", new JsonObject()), at + ".resources", errs);
    }
  }

  private static void containerPorts(List<JsonObject> ports, String path, List<FieldError> errs) {
    for (int i = 0; i < ports.size(); i++) {
      JsonObject p = ports.get(i);
      String at = path + "[" + i + "]";
      String name = p.getString("name");
      if (name != null && !name.isEmpty()) {
        for (String msg : Names.portName(name)) {
          errs.add(FieldError.invalid(at + ".name", name, msg));
        }
      }
      Object port = p.getValue("containerPort");
      if (!(port instanceof Number n)) {
        errs.add(FieldError.required(at + ".containerPort", ""));
      } else {
        for (String msg : Names.portNumber(n.longValue())) {
          errs.add(FieldError.invalid(at + ".containerPort", n, msg));
        }
      }
      protocol(p, at, errs);
    }
  }

  private static void protocol(JsonObject port, String at, List<FieldError> errs) {
    String protocol = port.getString("protocol");
    if (protocol != null && !Set.of("TCP", "UDP", "SCTP").contains(protocol)) {
      errs.add(
          new FieldError(
              FieldError.Type.NOT_SUPPORTED,
              at + ".protocol",
              protocol,
              "supported values: \"SCTP\", \"TCP\", \"UDP\""));
    }
  }

  /** ValidateResourceRequirements: non-negative quantities, requests ≤ limits per resource. */
  private static void resources(JsonObject resources, String path, List<FieldError> errs) {
    Map<String, Object> limits = map(resources, "limits");
    Map<String, Object> requests = map(resources, "requests");
    for (Map.Entry<String, Object> e : new TreeMap<>(limits).entrySet()) {
      nonNegative(path + ".limits[" + e.getKey() + "]", e.getValue(), errs);
    }
    for (Map.Entry<String, Object> e : new TreeMap<>(requests).entrySet()) {
      String at = path + ".requests[" + e.getKey() + "]";
      nonNegative(at, e.getValue(), errs);
      Optional<BigDecimal> request = Quantities.parse(e.getValue());
      Optional<BigDecimal> limit = Quantities.parse(limits.get(e.getKey()));
      if (request.isPresent() && limit.isPresent() && request.get().compareTo(limit.get()) > 0) {
        errs.add(
            FieldError.invalid(
                at,
                Quantities.canonical(e.getValue()),
                "must be less than or equal to "
                    + e.getKey()
                    + " limit of "
                    + Quantities.canonical(limits.get(e.getKey()))));
      }
    }
  }

  private static void nonNegative(String at, Object value, List<FieldError> errs) {
    Optional<BigDecimal> q = Quantities.parse(value);
    if (q.isPresent() && q.get().signum() < 0) {
      errs.add(
          FieldError.invalid(
              at, Quantities.canonical(value), "must be greater than or equal to 0"));
    }
  }

  // ---- Service (ValidateService, ValidateServiceUpdate) ----

  private static void service(JsonObject spec, JsonObject old, List<FieldError> errs) {
    String type = spec.getString("type", "ClusterIP");
    List<JsonObject> ports = objects(spec.getJsonArray("ports"));
    if (ports.isEmpty()
        && !"ExternalName".equals(type)
        && !"None".equals(spec.getString("clusterIP"))) {
      errs.add(FieldError.required("spec.ports", ""));
    }
    Set<String> portNames = new java.util.HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      JsonObject p = ports.get(i);
      String at = "spec.ports[" + i + "]";
      String name = p.getString("name");
      if (ports.size() > 1 && (name == null || name.isEmpty())) {
        errs.add(FieldError.required(at + ".name", ""));
      } else if (name != null && !name.isEmpty()) {
        for (String msg : Names.dns1123Label(name)) {
          errs.add(FieldError.invalid(at + ".name", name, msg));
        }
        if (!portNames.add(name)) {
          errs.add(new FieldError(FieldError.Type.INVALID, at + ".name", name, "Duplicate value"));
        }
      }
      Object port = p.getValue("port");
      if (!(port instanceof Number n)) {
        errs.add(FieldError.required(at + ".port", ""));
      } else {
        for (String msg : Names.portNumber(n.longValue())) {
          errs.add(FieldError.invalid(at + ".port", n, msg));
        }
      }
      protocol(p, at, errs);
      Object target = p.getValue("targetPort");
      if (target instanceof Number n) {
        for (String msg : Names.portNumber(n.longValue())) {
          errs.add(FieldError.invalid(at + ".targetPort", n, msg));
        }
      } else if (target instanceof String s && !s.isEmpty()) {
        for (String msg : Names.portName(s)) {
          errs.add(FieldError.invalid(at + ".targetPort", s, msg));
        }
      }
    }
    labels(map(spec, "selector"), "spec.selector", errs);
    if (old != null) {
      String oldIp = old.getJsonObject("spec", new JsonObject()).getString("clusterIP");
      String newIp = spec.getString("clusterIP");
      if (oldIp != null
          && !oldIp.isEmpty()
          && newIp != null
          && !newIp.isEmpty()
          && !oldIp.equals(newIp)) {
        errs.add(
            FieldError.invalid("spec.clusterIPs[0]", List.of(newIp), "may not change once set"));
      }
    }
  }

  // ---- NetworkPolicy (pkg/apis/networking/validation ValidateNetworkPolicySpec) ----

  private static void networkPolicy(JsonObject spec, List<FieldError> errs) {
    JsonObject podSelector = spec.getJsonObject("podSelector");
    labels(
        podSelector == null ? Map.of() : map(podSelector, "matchLabels"),
        "spec.podSelector.matchLabels",
        errs);
    for (String direction : List.of("ingress", "egress")) {
      List<JsonObject> rules = objects(spec.getJsonArray(direction));
      for (int i = 0; i < rules.size(); i++) {
        List<JsonObject> ports = objects(rules.get(i).getJsonArray("ports"));
        for (int j = 0; j < ports.size(); j++) {
          String at = "spec." + direction + "[" + i + "].ports[" + j + "]";
          Object port = ports.get(j).getValue("port");
          if (port instanceof Number n) {
            for (String msg : Names.portNumber(n.longValue())) {
              errs.add(FieldError.invalid(at + ".port", n, msg));
            }
          } else if (port instanceof String s) {
            for (String msg : Names.portName(s)) {
              errs.add(FieldError.invalid(at + ".port", s, msg));
            }
          }
          protocol(ports.get(j), at, errs);
        }
      }
    }
    for (Object type : spec.getJsonArray("policyTypes", new JsonArray())) {
      if (!"Ingress".equals(type) && !"Egress".equals(type)) {
        errs.add(
            new FieldError(
                FieldError.Type.NOT_SUPPORTED,
                "spec.policyTypes",
                type,
                "supported values: \"Egress\", \"Ingress\""));
      }
    }
  }

  // ---- ResourceQuota, LimitRange (ValidateResourceQuota, ValidateLimitRange) ----

  private static void resourceQuota(JsonObject spec, List<FieldError> errs) {
    for (Map.Entry<String, Object> e : new TreeMap<>(map(spec, "hard")).entrySet()) {
      nonNegative("spec.hard[" + e.getKey() + "]", e.getValue(), errs);
    }
  }

  private static void limitRange(JsonObject spec, List<FieldError> errs) {
    List<JsonObject> limits = objects(spec.getJsonArray("limits"));
    for (int i = 0; i < limits.size(); i++) {
      JsonObject limit = limits.get(i);
      String at = "spec.limits[" + i + "]";
      String type = limit.getString("type");
      if (type == null || type.isEmpty()) {
        errs.add(FieldError.required(at + ".type", ""));
      } else if (!LIMIT_TYPES.contains(type) && !type.contains("/")) {
        errs.add(
            FieldError.invalid(
                at + ".type", type, "must be a standard limit type or fully qualified"));
      }
      Map<String, Object> max = map(limit, "max");
      Map<String, Object> min = map(limit, "min");
      Map<String, Object> dflt = map(limit, "default");
      Map<String, Object> dfltRequest = map(limit, "defaultRequest");
      if ("Pod".equals(type) && (!dflt.isEmpty() || !dfltRequest.isEmpty())) {
        errs.add(
            new FieldError(
                FieldError.Type.INVALID,
                at + (dflt.isEmpty() ? ".defaultRequest" : ".default"),
                null,
                "may not be specified when `type` is 'Pod'"));
      }
      Set<String> keys = new java.util.TreeSet<>();
      keys.addAll(max.keySet());
      keys.addAll(min.keySet());
      keys.addAll(dflt.keySet());
      keys.addAll(dfltRequest.keySet());
      for (String k : keys) {
        Optional<BigDecimal> mx = Quantities.parse(max.get(k));
        Optional<BigDecimal> mn = Quantities.parse(min.get(k));
        Optional<BigDecimal> df = Quantities.parse(dflt.get(k));
        Optional<BigDecimal> dr = Quantities.parse(dfltRequest.get(k));
        String mxS = Quantities.canonical(max.get(k));
        String mnS = Quantities.canonical(min.get(k));
        String dfS = Quantities.canonical(dflt.get(k));
        String drS = Quantities.canonical(dfltRequest.get(k));
        if (mn.isPresent() && mx.isPresent() && mn.get().compareTo(mx.get()) > 0) {
          errs.add(
              FieldError.invalid(
                  at + ".min[" + k + "]",
                  mnS,
                  "min value " + mnS + " is greater than max value " + mxS));
        }
        if (dr.isPresent() && mn.isPresent() && mn.get().compareTo(dr.get()) > 0) {
          errs.add(
              FieldError.invalid(
                  at + ".defaultRequest[" + k + "]",
                  drS,
                  "min value " + mnS + " is greater than default request value " + drS));
        }
        if (dr.isPresent() && mx.isPresent() && dr.get().compareTo(mx.get()) > 0) {
          errs.add(
              FieldError.invalid(
                  at + ".defaultRequest[" + k + "]",
                  drS,
                  "default request value " + drS + " is greater than max value " + mxS));
        }
        if (dr.isPresent() && df.isPresent() && dr.get().compareTo(df.get()) > 0) {
          errs.add(
              FieldError.invalid(
                  at + ".defaultRequest[" + k + "]",
                  drS,
                  "default request value " + drS + " is greater than default limit value " + dfS));
        }
        if (df.isPresent() && mn.isPresent() && mn.get().compareTo(df.get()) > 0) {
          errs.add(
              FieldError.invalid(
                  at + ".default[" + k + "]",
                  mnS,
                  "min value " + mnS + " is greater than default value " + dfS));
        }
        if (df.isPresent() && mx.isPresent() && df.get().compareTo(mx.get()) > 0) {
          errs.add(
              FieldError.invalid(
                  at + ".default[" + k + "]",
                  mxS,
                  "default value " + dfS + " is greater than max value " + mxS));
        }
      }
    }
  }

  // ---- Secret (ValidateSecret) ----

  private static void secret(JsonObject secret, List<FieldError> errs) {
    long total = 0;
    for (String field : List.of("data", "stringData")) {
      for (Map.Entry<String, Object> e : map(secret, field).entrySet()) {
        for (String msg : Names.configKey(e.getKey())) {
          errs.add(FieldError.invalid(field + "[" + e.getKey() + "]", e.getKey(), msg));
        }
        String v = e.getValue() == null ? "" : String.valueOf(e.getValue());
        // data is base64: the stored bytes are about 3/4 of the text
        total += "data".equals(field) ? v.length() * 3L / 4 : Names.utf8Length(v);
      }
    }
    if (total > SECRET_MAX_BYTES) {
      errs.add(FieldError.tooLong("data", SECRET_MAX_BYTES));
    }
  }

  // ---- helpers ----

  static JsonObject podSpec(JsonObject template) {
    return template == null ? new JsonObject() : template.getJsonObject("spec", new JsonObject());
  }

  static List<JsonObject> containers(JsonObject podSpec) {
    return objects(podSpec.getJsonArray("containers"));
  }

  private static void collectResources(JsonObject container, List<Object> into) {
    JsonObject resources = container.getJsonObject("resources", new JsonObject());
    into.addAll(map(resources, "limits").values());
    into.addAll(map(resources, "requests").values());
  }

  static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    if (array != null) {
      for (Object o : array) {
        if (o instanceof JsonObject j) {
          out.add(j);
        }
      }
    }
    return out;
  }

  static Map<String, Object> map(JsonObject object, String key) {
    if (object == null) {
      return Map.of();
    }
    JsonObject m = object.getJsonObject(key);
    return m == null ? Map.of() : m.getMap();
  }

  private static String version(JsonObject object) {
    String apiVersion = object.getString("apiVersion", "v1");
    return apiVersion.contains("/")
        ? apiVersion.substring(apiVersion.indexOf('/') + 1)
        : apiVersion;
  }
}
