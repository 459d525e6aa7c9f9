package io.astro.testkit.kube;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
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
          "Certificate",
          "Namespace",
          "Node",
          "Deployment",
          "ReplicaSet",
          "Pod",
          "Service",
          "NetworkPolicy",
          "Ingress",
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
      case "Ingress" -> ingress(spec, errs);
      case "ResourceQuota" -> resourceQuota(spec, errs);
      case "LimitRange" -> limitRange(spec, errs);
      case "Secret" -> secret(object, old, errs);
      case "Node" -> nodeTaints(spec, errs);
      case "Certificate" -> certificate(object, errs);
      default -> {}
    }
    return errs;
  }

  // ---- cert-manager Certificate (a custom resource: its CRD's openAPIV3Schema, checked by the
  // apiextensions-apiserver's structural schema validation; cert-manager's own webhook is not
  // simulated). deploy/crds/cert-manager.io_certificates.yaml: spec requires issuerRef and
  // secretName, issuerRef requires name, dnsNames is a list of strings ----

  private static void certificate(JsonObject object, List<FieldError> errs) {
    Object specValue = object.getValue("spec");
    if (specValue == null) {
      return; // the schema does not require spec
    }
    if (!(specValue instanceof JsonObject spec)) {
      errs.add(mustBe("spec", specValue, "object"));
      return;
    }
    Object secretName = spec.getValue("secretName");
    if (secretName == null) {
      errs.add(FieldError.required("spec.secretName", ""));
    } else if (!(secretName instanceof String)) {
      errs.add(mustBe("spec.secretName", secretName, "string"));
    }
    Object issuerRef = spec.getValue("issuerRef");
    if (issuerRef == null) {
      errs.add(FieldError.required("spec.issuerRef", ""));
    } else if (!(issuerRef instanceof JsonObject ref)) {
      errs.add(mustBe("spec.issuerRef", issuerRef, "object"));
    } else {
      for (String field : List.of("name", "kind", "group")) {
        Object value = ref.getValue(field);
        if (value != null && !(value instanceof String)) {
          errs.add(mustBe("spec.issuerRef." + field, value, "string"));
        }
      }
      if (ref.getValue("name") == null) {
        errs.add(FieldError.required("spec.issuerRef.name", ""));
      }
    }
    Object dnsNames = spec.getValue("dnsNames");
    if (dnsNames != null && !(dnsNames instanceof JsonArray)) {
      errs.add(mustBe("spec.dnsNames", dnsNames, "array"));
    } else if (dnsNames instanceof JsonArray names) {
      for (int i = 0; i < names.size(); i++) {
        if (!(names.getValue(i) instanceof String)) {
          errs.add(mustBe("spec.dnsNames[" + i + "]", names.getValue(i), "string"));
        }
      }
    }
  }

  /** kube-openapi's type error: {@code <path> in body must be of type <type>: "<actual>"}. */
  private static FieldError mustBe(String field, Object value, String type) {
    String actual =
        value instanceof JsonObject
            ? "object"
            : value instanceof JsonArray
                ? "array"
                : value instanceof String
                    ? "string"
                    : value instanceof Boolean
                        ? "boolean"
                        : value instanceof Integer || value instanceof Long ? "integer" : "number";
    return FieldError.invalid(
        field, actual, field + " in body must be of type " + type + ": \"" + actual + "\"");
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

  /**
   * A Node's taints (pkg/apis/core/validation/validation.go validateNodeTaints): the key is a label
   * name, the value a label value, the effect required and one of NoSchedule, PreferNoSchedule,
   * NoExecute (validateTaintEffect), and no two taints share key and effect.
   */
  private static void nodeTaints(JsonObject spec, List<FieldError> errs) {
    JsonArray taints = spec.getJsonArray("taints", new JsonArray());
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < taints.size(); i++) {
      String at = "spec.taints[" + i + "]";
      JsonObject taint = taints.getJsonObject(i);
      String key = taint.getString("key", "");
      for (String msg : Names.qualifiedName(key)) {
        errs.add(FieldError.invalid(at + ".key", key, msg));
      }
      String value = taint.getString("value", "");
      List<String> valueErrors = Names.labelValue(value);
      if (!valueErrors.isEmpty()) {
        errs.add(FieldError.invalid(at + ".value", value, String.join(";", valueErrors)));
      }
      String effect = taint.getString("effect", "");
      if (effect.isEmpty()) {
        errs.add(FieldError.required(at + ".effect", ""));
      } else if (!TAINT_EFFECTS.contains(effect)) {
        errs.add(
            FieldError.notSupported(
                at + ".effect", effect, "NoSchedule", "PreferNoSchedule", "NoExecute"));
      }
      if (!seen.add(effect + " " + key)) {
        errs.add(
            FieldError.duplicate(
                at,
                new FieldError.GoSyntax(
                    "core.Taint{Key:"
                        + io.vertx.core.json.Json.encode(key)
                        + ", Value:"
                        + io.vertx.core.json.Json.encode(value)
                        + ", Effect:"
                        + io.vertx.core.json.Json.encode(effect)
                        + ", TimeAdded:<nil>}"),
                "taints must be unique by key and effect pair"));
      }
    }
  }

  private static final Set<String> TAINT_EFFECTS =
      Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

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
    nonNegativeField(spec.getValue("minReadySeconds"), "spec.minReadySeconds", errs);
    if ("Deployment".equals(kind)) {
      nonNegativeField(spec.getValue("revisionHistoryLimit"), "spec.revisionHistoryLimit", errs);
      strategy(spec.getJsonObject("strategy"), errs);
      // minReadySeconds defaults to 0, so a deadline of 0 is refused on its own
      Object deadline = spec.getValue("progressDeadlineSeconds");
      long minReady = spec.getValue("minReadySeconds") instanceof Number m ? m.longValue() : 0;
      if (deadline instanceof Number d) {
        nonNegativeField(d, "spec.progressDeadlineSeconds", errs);
        if (d.longValue() <= minReady) {
          errs.add(
              FieldError.invalid(
                  "spec.progressDeadlineSeconds", d, "must be greater than minReadySeconds"));
        }
      }
    }
  }

  /**
   * ValidateDeploymentStrategy and ValidateRollingUpdateDeployment, on the strategy as defaulted
   * (apps/v1 SetDefaults_Deployment: type RollingUpdate, maxUnavailable and maxSurge 25%).
   */
  private static void strategy(JsonObject strategy, List<FieldError> errs) {
    JsonObject given = strategy == null ? new JsonObject() : strategy;
    String type = given.getString("type", "");
    Object rollingUpdate = given.getValue("rollingUpdate");
    switch (type) {
      case "Recreate" -> {
        if (rollingUpdate != null) {
          errs.add(
              FieldError.forbidden(
                  "spec.strategy.rollingUpdate",
                  "may not be specified when strategy `type` is 'Recreate'"));
        }
      }
      case "", "RollingUpdate" -> {
        JsonObject ru = rollingUpdate instanceof JsonObject r ? r : new JsonObject();
        Object maxUnavailable = Objects.requireNonNullElse(ru.getValue("maxUnavailable"), "25%");
        Object maxSurge = Objects.requireNonNullElse(ru.getValue("maxSurge"), "25%");
        String at = "spec.strategy.rollingUpdate";
        positiveIntOrPercent(maxUnavailable, at + ".maxUnavailable", errs);
        positiveIntOrPercent(maxSurge, at + ".maxSurge", errs);
        if (intOrPercentValue(maxUnavailable) == 0 && intOrPercentValue(maxSurge) == 0) {
          errs.add(
              FieldError.invalid(
                  at + ".maxUnavailable",
                  FieldError.GoSyntax.intOrString(maxUnavailable),
                  "may not be 0 when `maxSurge` is 0"));
        }
        OptionalInt percent = percentValue(maxUnavailable);
        if (percent.isPresent() && percent.getAsInt() > 100) {
          errs.add(
              FieldError.invalid(
                  at + ".maxUnavailable",
                  FieldError.GoSyntax.intOrString(maxUnavailable),
                  "must not be greater than 100%"));
        }
      }
      default ->
          // %#v of the internal DeploymentStrategy; a set rollingUpdate prints as a pointer
          errs.add(
              FieldError.notSupported(
                  "spec.strategy",
                  new FieldError.GoSyntax(
                      "apps.DeploymentStrategy{Type:"
                          + io.vertx.core.json.Json.encode(type)
                          + ", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}"),
                  "Recreate",
                  "RollingUpdate"));
    }
  }

  /** apps validation ValidatePositiveIntOrPercent. */
  private static void positiveIntOrPercent(Object value, String at, List<FieldError> errs) {
    if (value instanceof Number n) {
      nonNegativeField(n, at, errs);
    } else {
      for (String msg : Names.percent(String.valueOf(value))) {
        errs.add(FieldError.invalid(at, FieldError.GoSyntax.intOrString(value), msg));
      }
    }
  }

  /** getPercentValue: the number of a valid percent string. */
  private static OptionalInt percentValue(Object value) {
    if (value instanceof String s && Names.percent(s).isEmpty()) {
      String digits = s.substring(0, s.length() - 1);
      try {
        return OptionalInt.of(Integer.parseInt(digits));
      } catch (NumberFormatException e) {
        return OptionalInt.of(Integer.MAX_VALUE);
      }
    }
    return OptionalInt.empty();
  }

  /** getIntOrPercentValue: a percentage's number, an int, or a string's Atoi (0 when not one). */
  private static long intOrPercentValue(Object value) {
    OptionalInt percent = percentValue(value);
    if (percent.isPresent()) {
      return percent.getAsInt();
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(value));
    } catch (NumberFormatException e) {
      return 0;
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
          errs.add(FieldError.duplicate(at + ".name", name));
        }
      }
      String image = c.getString("image");
      if (image == null || image.isBlank()) {
        errs.add(FieldError.required(at + ".image", ""));
      }
      containerPorts(objects(c.getJsonArray("ports")), at + ".ports", errs);
      env(objects(c.getJsonArray("env")), at + ".env", errs);
      resources(c.getJsonObject("resources", new JsonObject()), at + ".resources", errs);
      if (path.endsWith(".initContainers")) {
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
          if (c.getJsonObject(probe) != null) {
            errs.add(
                FieldError.forbidden(
                    at + "." + probe,
                    "may not be set for init containers without restartPolicy=Always"));
          }
        }
      } else {
        probe(c.getJsonObject("livenessProbe"), at + ".livenessProbe", true, errs);
        probe(c.getJsonObject("readinessProbe"), at + ".readinessProbe", false, errs);
        probe(c.getJsonObject("startupProbe"), at + ".startupProbe", true, errs);
      }
    }
  }

  /** ValidateEnv, validateEnvVarValueFrom, validateSecretKeySelector. */
  private static void env(List<JsonObject> vars, String path, List<FieldError> errs) {
    for (int i = 0; i < vars.size(); i++) {
      JsonObject ev = vars.get(i);
      String at = path + "[" + i + "]";
      String name = ev.getString("name", "");
      if (name.isEmpty()) {
        errs.add(FieldError.required(at + ".name", ""));
      } else {
        for (String msg : Names.envVarName(name)) {
          errs.add(FieldError.invalid(at + ".name", name, msg));
        }
      }
      JsonObject from = ev.getJsonObject("valueFrom");
      if (from == null) {
        continue;
      }
      String fromAt = at + ".valueFrom";
      int sources = 0;
      for (String source : List.of("fieldRef", "resourceFieldRef")) {
        if (from.getJsonObject(source) != null) {
          sources++;
        }
      }
      for (String source : List.of("configMapKeyRef", "secretKeyRef")) {
        JsonObject ref = from.getJsonObject(source);
        if (ref != null) {
          sources++;
          keySelector(ref, fromAt + "." + source, errs);
        }
      }
      if (sources == 0) {
        errs.add(
            FieldError.invalid(
                fromAt,
                "",
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or"
                    + " `secretKeyRef`"));
      } else if (!ev.getString("value", "").isEmpty()) {
        errs.add(FieldError.invalid(fromAt, "", "may not be specified when `value` is not empty"));
      } else if (sources > 1) {
        errs.add(
            FieldError.invalid(fromAt, "", "may not have more than one field specified at a time"));
      }
    }
  }

  /**
   * The name is checked as a Secret's (an empty one fails the subdomain rule); the key required.
   */
  private static void keySelector(JsonObject ref, String at, List<FieldError> errs) {
    String name = ref.getString("name", "");
    for (String msg : Names.dns1123Subdomain(name)) {
      errs.add(FieldError.invalid(at + ".name", name, msg));
    }
    String key = ref.getString("key", "");
    if (key.isEmpty()) {
      errs.add(FieldError.required(at + ".key", ""));
    } else {
      for (String msg : Names.configKey(key)) {
        errs.add(FieldError.invalid(at + ".key", key, msg));
      }
    }
  }

  /**
   * validateProbe, validateHandler and validateLivenessProbe / validateReadinessProbe /
   * validateStartupProbe, on the probe as defaulted (SetDefaults_Probe: a zero or missing timeout,
   * period, success or failure threshold becomes 1, 10, 1, 3; SetDefaults_HTTPGetAction: path "/",
   * scheme HTTP), so only negative numbers are refused.
   */
  private static void probe(
      JsonObject probe, String at, boolean successMustBeOne, List<FieldError> errs) {
    if (probe == null) {
      return;
    }
    int handlers = 0;
    for (String type : List.of("exec", "httpGet", "tcpSocket", "grpc")) {
      JsonObject handler = probe.getJsonObject(type);
      if (handler == null) {
        continue;
      }
      if (handlers > 0) {
        errs.add(FieldError.forbidden(at + "." + type, "may not specify more than 1 handler type"));
        continue;
      }
      handlers++;
      String hat = at + "." + type;
      switch (type) {
        case "exec" -> {
          JsonArray command = handler.getJsonArray("command");
          if (command == null || command.isEmpty()) {
            errs.add(FieldError.required(hat + ".command", ""));
          }
        }
        case "httpGet" -> {
          portNumOrName(handler.getValue("port"), hat + ".port", errs);
          String scheme = handler.getString("scheme", "HTTP");
          if (!scheme.equals("HTTP") && !scheme.equals("HTTPS")) {
            errs.add(FieldError.notSupported(hat + ".scheme", scheme, "HTTP", "HTTPS"));
          }
          for (JsonObject header : objects(handler.getJsonArray("httpHeaders"))) {
            String name = header.getString("name", "");
            for (String msg : Names.httpHeaderName(name)) {
              errs.add(FieldError.invalid(hat + ".httpHeaders", name, msg));
            }
          }
        }
        case "tcpSocket" -> portNumOrName(handler.getValue("port"), hat + ".port", errs);
        default -> {
          Object port = handler.getValue("port");
          long n = port instanceof Number p ? p.longValue() : 0;
          for (String msg : Names.portNumber(n)) {
            errs.add(FieldError.invalid(hat + ".port", n, msg));
          }
        }
      }
    }
    if (handlers == 0) {
      errs.add(FieldError.required(at, "must specify a handler type"));
    }
    for (String field :
        List.of(
            "initialDelaySeconds",
            "timeoutSeconds",
            "periodSeconds",
            "successThreshold",
            "failureThreshold")) {
      nonNegativeField(probe.getValue(field), at + "." + field, errs);
    }
    Object grace = probe.getValue("terminationGracePeriodSeconds");
    if (grace instanceof Number g && g.longValue() <= 0) {
      errs.add(
          FieldError.invalid(at + ".terminationGracePeriodSeconds", g, "must be greater than 0"));
    }
    if (successMustBeOne) {
      Object success = probe.getValue("successThreshold");
      long value = success instanceof Number n && n.longValue() != 0 ? n.longValue() : 1;
      if (value != 1) {
        errs.add(FieldError.invalid(at + ".successThreshold", value, "must be 1"));
      }
    } else if (grace != null) {
      errs.add(
          FieldError.invalid(
              at + ".terminationGracePeriodSeconds", grace, "must not be set for readinessProbes"));
    }
  }

  /** ValidatePortNumOrName: a number 1–65535 or an IANA_SVC_NAME; missing is the number 0. */
  private static void portNumOrName(Object port, String at, List<FieldError> errs) {
    if (port instanceof String s) {
      for (String msg : Names.portName(s)) {
        errs.add(FieldError.invalid(at, s, msg));
      }
    } else {
      long n = port instanceof Number p ? p.longValue() : 0;
      for (String msg : Names.portNumber(n)) {
        errs.add(FieldError.invalid(at, n, msg));
      }
    }
  }

  /** ValidateNonnegativeField. */
  private static void nonNegativeField(Object value, String at, List<FieldError> errs) {
    if (value instanceof Number n && n.longValue() < 0) {
      errs.add(FieldError.invalid(at, n.longValue(), "must be greater than or equal to 0"));
    }
  }

  private static void containerPorts(List<JsonObject> ports, String path, List<FieldError> errs) {
    Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      JsonObject p = ports.get(i);
      String at = path + "[" + i + "]";
      String name = p.getString("name");
      if (name != null && !name.isEmpty()) {
        List<String> problems = Names.portName(name);
        for (String msg : problems) {
          errs.add(FieldError.invalid(at + ".name", name, msg));
        }
        if (problems.isEmpty() && !names.add(name)) {
          errs.add(FieldError.duplicate(at + ".name", name));
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

  /**
   * ValidateResourceRequirements: standard container resource names, non-negative quantities,
   * requests ≤ limits per resource.
   */
  private static void resources(JsonObject resources, String path, List<FieldError> errs) {
    Map<String, Object> limits = map(resources, "limits");
    Map<String, Object> requests = map(resources, "requests");
    for (Map.Entry<String, Object> e : new TreeMap<>(limits).entrySet()) {
      String at = path + ".limits[" + e.getKey() + "]";
      containerResourceName(e.getKey(), at, errs);
      nonNegative(at, e.getValue(), errs);
    }
    for (Map.Entry<String, Object> e : new TreeMap<>(requests).entrySet()) {
      String at = path + ".requests[" + e.getKey() + "]";
      containerResourceName(e.getKey(), at, errs);
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

  /** The resources a container may request (helper.IsStandardContainerResourceName). */
  static final Set<String> CONTAINER_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");

  /** The resources a ResourceQuota may limit (helper.IsStandardQuotaResourceName). */
  static final Set<String> QUOTA_RESOURCES =
      Set.of(
          "cpu",
          "memory",
          "ephemeral-storage",
          "requests.cpu",
          "requests.memory",
          "requests.storage",
          "requests.ephemeral-storage",
          "limits.cpu",
          "limits.memory",
          "limits.ephemeral-storage",
          "pods",
          "resourcequotas",
          "services",
          "replicationcontrollers",
          "secrets",
          "persistentvolumeclaims",
          "configmaps",
          "services.nodeports",
          "services.loadbalancers");

  /** Counted in whole objects (helper.IsIntegerResourceName, without extended resources). */
  private static final Set<String> INTEGER_RESOURCES =
      Set.of(
          "pods",
          "resourcequotas",
          "services",
          "replicationcontrollers",
          "secrets",
          "configmaps",
          "persistentvolumeclaims",
          "services.nodeports",
          "services.loadbalancers");

  /**
   * validateContainerResourceName: an unqualified name must be cpu, memory, ephemeral-storage or
   * hugepages-*; a qualified one (an extended resource) is not checked here.
   */
  private static void containerResourceName(String name, String at, List<FieldError> errs) {
    if (!name.contains("/")
        && !CONTAINER_RESOURCES.contains(name)
        && !name.startsWith("hugepages-")) {
      errs.add(FieldError.invalid(at, name, "must be a standard resource for containers"));
    }
  }

  /** ValidateResourceQuotaResourceName and ValidateResourceQuantityValue. */
  private static void quotaResource(String name, Object value, String at, List<FieldError> errs) {
    if (!name.contains("/")
        && !QUOTA_RESOURCES.contains(name)
        && !name.startsWith("hugepages-")
        && !name.startsWith("requests.hugepages-")) {
      errs.add(FieldError.invalid(at, name, "must be a standard resource for quota"));
    }
    nonNegative(at, value, errs);
    Optional<BigDecimal> q = Quantities.parse(value);
    if (INTEGER_RESOURCES.contains(name)
        && q.isPresent()
        && q.get().stripTrailingZeros().scale() > 0) {
      errs.add(FieldError.invalid(at, Quantities.canonical(value), "must be an integer"));
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
          errs.add(FieldError.duplicate(at + ".name", name));
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

  // ---- Ingress (pkg/apis/networking/validation ValidateIngressSpec) ----

  private static final List<String> PATH_TYPES =
      List.of("Exact", "ImplementationSpecific", "Prefix");

  private static void ingress(JsonObject spec, List<FieldError> errs) {
    List<JsonObject> rules = objects(spec.getJsonArray("rules"));
    if (rules.isEmpty() && spec.getJsonObject("defaultBackend") == null) {
      errs.add(
          FieldError.invalid(
              "spec", rules, "either `defaultBackend` or `rules` must be specified"));
    }
    if (spec.getJsonObject("defaultBackend") != null) {
      ingressBackend(spec.getJsonObject("defaultBackend"), "spec.defaultBackend", errs);
    }
    List<JsonObject> tls = objects(spec.getJsonArray("tls"));
    for (int t = 0; t < tls.size(); t++) {
      JsonArray hosts = tls.get(t).getJsonArray("hosts", new JsonArray());
      for (int i = 0; i < hosts.size(); i++) {
        String host = String.valueOf(hosts.getValue(i));
        String at = "spec.tls[" + t + "].hosts[" + i + "]";
        List<String> msgs =
            host.contains("*")
                ? Names.wildcardDns1123Subdomain(host)
                : Names.dns1123Subdomain(host);
        msgs.forEach(msg -> errs.add(FieldError.invalid(at, host, msg)));
      }
      String secret = tls.get(t).getString("secretName", "");
      if (!secret.isEmpty()) {
        for (String msg : Names.dns1123Subdomain(secret)) {
          errs.add(FieldError.invalid("spec.tls[" + t + "].secretName", secret, msg));
        }
      }
    }
    for (int i = 0; i < rules.size(); i++) {
      JsonObject rule = rules.get(i);
      String at = "spec.rules[" + i + "]";
      String host = rule.getString("host", "");
      if (!host.isEmpty()) {
        if (Names.isIp(host)) {
          errs.add(FieldError.invalid(at + ".host", host, "must be a DNS name, not an IP address"));
        }
        List<String> msgs =
            host.contains("*")
                ? Names.wildcardDns1123Subdomain(host)
                : Names.dns1123Subdomain(host);
        msgs.forEach(msg -> errs.add(FieldError.invalid(at + ".host", host, msg)));
      }
      JsonObject http = rule.getJsonObject("http");
      if (http != null) {
        List<JsonObject> paths = objects(http.getJsonArray("paths"));
        if (paths.isEmpty()) {
          errs.add(FieldError.required(at + ".http.paths", ""));
        }
        for (int p = 0; p < paths.size(); p++) {
          ingressPath(paths.get(p), at + ".http.paths[" + p + "]", errs);
        }
      }
    }
    String className = spec.getString("ingressClassName");
    if (className != null) {
      for (String msg : Names.dns1123Subdomain(className)) {
        errs.add(FieldError.invalid("spec.ingressClassName", className, msg));
      }
    }
  }

  // validateHTTPIngressPath
  private static void ingressPath(JsonObject path, String at, List<FieldError> errs) {
    String type = path.getString("pathType");
    String value = path.getString("path", "");
    if (type == null) {
      errs.add(FieldError.required(at + ".pathType", "pathType must be specified"));
      return;
    }
    switch (type) {
      case "Exact", "Prefix" -> {
        if (!value.startsWith("/")) {
          errs.add(FieldError.invalid(at + ".path", value, "must be an absolute path"));
        }
        if (!value.isEmpty()) {
          for (String seq : List.of("//", "/./", "/../", "%2f", "%2F")) {
            if (value.contains(seq)) {
              errs.add(FieldError.invalid(at + ".path", value, "must not contain '" + seq + "'"));
            }
          }
          for (String suffix : List.of("/..", "/.")) {
            if (value.endsWith(suffix)) {
              errs.add(FieldError.invalid(at + ".path", value, "cannot end with '" + suffix + "'"));
            }
          }
        }
      }
      case "ImplementationSpecific" -> {
        if (!value.isEmpty() && !value.startsWith("/")) {
          errs.add(FieldError.invalid(at + ".path", value, "must be an absolute path"));
        }
      }
      default -> {
        errs.add(
            FieldError.notSupported(at + ".pathType", type, PATH_TYPES.toArray(String[]::new)));
      }
    }
    ingressBackend(path.getJsonObject("backend", new JsonObject()), at + ".backend", errs);
  }

  // validateIngressBackend
  private static void ingressBackend(JsonObject backend, String at, List<FieldError> errs) {
    JsonObject service = backend.getJsonObject("service");
    boolean resource = backend.getJsonObject("resource") != null;
    if (resource && service != null) {
      errs.add(FieldError.invalid(at, "", "cannot set both resource and service backends"));
      return;
    }
    if (resource) {
      return;
    }
    if (service == null) {
      errs.add(FieldError.invalid(at, "", "resource or service backend is required"));
      return;
    }
    String name = service.getString("name", "");
    if (name.isEmpty()) {
      errs.add(FieldError.required(at + ".service.name", ""));
    } else {
      for (String msg : Names.dns1035Label(name)) {
        errs.add(FieldError.invalid(at + ".service.name", name, msg));
      }
    }
    JsonObject port = service.getJsonObject("port", new JsonObject());
    String portName = port.getString("name", "");
    long number = port.getValue("number") instanceof Number n ? n.longValue() : 0;
    if (!portName.isEmpty() && number != 0) {
      errs.add(FieldError.invalid(at, "", "cannot set both port name & port number"));
    } else if (!portName.isEmpty()) {
      for (String msg : Names.portName(portName)) {
        errs.add(FieldError.invalid(at + ".service.port.name", portName, msg));
      }
    } else if (number != 0) {
      for (String msg : Names.portNumber(number)) {
        errs.add(FieldError.invalid(at + ".service.port.number", number, msg));
      }
    } else {
      errs.add(FieldError.required(at, "port name or number is required"));
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
      quotaResource(e.getKey(), e.getValue(), "spec.hard[" + e.getKey() + "]", errs);
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
      // validateLimitRangeResourceName: Container and Pod limits name container resources
      if ("Container".equals(type) || "Pod".equals(type)) {
        for (String key :
            List.of("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")) {
          for (String r : new java.util.TreeSet<>(map(limit, key).keySet())) {
            containerResourceName(r, at + "." + key + "[" + r + "]", errs);
          }
        }
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

  // ---- Secret (ValidateSecret, ValidateSecretUpdate) ----

  /** SetDefaults_Secret: a Secret without a type is Opaque. */
  private static final String OPAQUE = "Opaque";

  private static void secret(JsonObject secret, JsonObject old, List<FieldError> errs) {
    Map<String, byte[]> data = secretData(secret);
    String type = secretType(secret);
    if (old != null) {
      String oldType = secretType(old);
      if (!type.equals(oldType)) {
        errs.add(FieldError.invalid("type", type, "field is immutable"));
      }
      if (Boolean.TRUE.equals(old.getBoolean("immutable"))) {
        if (!Boolean.TRUE.equals(secret.getBoolean("immutable"))) {
          errs.add(FieldError.forbidden("immutable", "field is immutable when `immutable` is set"));
        }
        if (!sameData(data, secretData(old))) {
          errs.add(FieldError.forbidden("data", "field is immutable when `immutable` is set"));
        }
      }
    }
    long total = 0;
    for (Map.Entry<String, byte[]> e : data.entrySet()) {
      for (String msg : Names.configKey(e.getKey())) {
        errs.add(FieldError.invalid("data[" + e.getKey() + "]", e.getKey(), msg));
      }
      total += e.getValue().length;
    }
    if (total > SECRET_MAX_BYTES) {
      errs.add(FieldError.tooLong("data", SECRET_MAX_BYTES));
    }
    switch (type) {
      case "kubernetes.io/dockerconfigjson" -> dockerConfig(data, ".dockerconfigjson", errs);
      case "kubernetes.io/dockercfg" -> dockerConfig(data, ".dockercfg", errs);
      case "kubernetes.io/service-account-token" -> {
        String account =
            secret
                .getJsonObject("metadata", new JsonObject())
                .getJsonObject("annotations", new JsonObject())
                .getString("kubernetes.io/service-account.name", "");
        if (account.isEmpty()) {
          errs.add(
              FieldError.required("metadata.annotations[kubernetes.io/service-account.name]", ""));
        }
      }
      case "kubernetes.io/basic-auth" -> {
        if (!data.containsKey("username") && !data.containsKey("password")) {
          errs.add(FieldError.required("data[username]", ""));
          errs.add(FieldError.required("data[password]", ""));
        }
      }
      case "kubernetes.io/ssh-auth" -> {
        if (data.getOrDefault("ssh-privatekey", new byte[0]).length == 0) {
          errs.add(FieldError.required("data[ssh-privatekey]", ""));
        }
      }
      case "kubernetes.io/tls" -> {
        for (String key : List.of("tls.crt", "tls.key")) {
          if (!data.containsKey(key)) {
            errs.add(FieldError.required("data[" + key + "]", ""));
          }
        }
      }
      default -> {}
    }
  }

  /** The key must be there and hold JSON that unmarshals into a map; its content is redacted. */
  private static void dockerConfig(Map<String, byte[]> data, String key, List<FieldError> errs) {
    byte[] config = data.get(key);
    if (config == null) {
      errs.add(FieldError.required("data[" + key + "]", ""));
      return;
    }
    GoJson.unmarshalIntoMap(config)
        .ifPresent(
            why ->
                errs.add(
                    FieldError.invalid("data[" + key + "]", "<secret contents redacted>", why)));
  }

  private static String secretType(JsonObject secret) {
    String type = secret.getString("type");
    return type == null || type.isEmpty() ? OPAQUE : type;
  }

  /**
   * The data as the server validates it: {@code data} base64-decoded, then {@code stringData}
   * merged over it (the v1 → internal conversion does this before validation, so a bad key of
   * either is reported on {@code data[key]}). Text that is not base64 is a decode error on a real
   * server; here it is taken as it is.
   */
  static Map<String, byte[]> secretData(JsonObject secret) {
    Map<String, byte[]> data = new TreeMap<>();
    for (Map.Entry<String, Object> e : map(secret, "data").entrySet()) {
      String v = e.getValue() == null ? "" : String.valueOf(e.getValue());
      byte[] bytes;
      try {
        bytes = java.util.Base64.getDecoder().decode(v);
      } catch (IllegalArgumentException notBase64) {
        bytes = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      data.put(e.getKey(), bytes);
    }
    for (Map.Entry<String, Object> e : map(secret, "stringData").entrySet()) {
      String v = e.getValue() == null ? "" : String.valueOf(e.getValue());
      data.put(e.getKey(), v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return data;
  }

  private static boolean sameData(Map<String, byte[]> a, Map<String, byte[]> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : a.entrySet()) {
      if (!java.util.Arrays.equals(e.getValue(), b.get(e.getKey()))) {
        return false;
      }
    }
    return true;
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
