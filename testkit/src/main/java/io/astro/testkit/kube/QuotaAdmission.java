package io.astro.testkit.kube;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pod admission by the LimitRanger and ResourceQuota plugins, computed from what is stored: the
 * LimitRange defaults and per-container min/max (plugin/pkg/admission/limitranger/admission.go),
 * then every quota of the namespace against the sum over its non-terminal pods
 * (k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go, with pod usage as
 * pkg/quota/v1/evaluator/core/pods.go counts it); Secret creates against the quotas that count
 * Secrets (pkg/quota/v1/evaluator/core/registry.go: the object count {@code count/secrets} and its
 * legacy name {@code secrets}). Pure functions: the proxy fetches and stores.
 */
final class QuotaAdmission {

  /**
   * The pod resources quota tracks here (podResources in pods.go); {@code cpu}/{@code
   * memory}/{@code ephemeral-storage} mean the requests.
   */
  static final Set<String> TRACKED =
      Set.of(
          "pods",
          "cpu",
          "memory",
          "ephemeral-storage",
          "requests.cpu",
          "requests.memory",
          "requests.ephemeral-storage",
          "limits.cpu",
          "limits.memory",
          "limits.ephemeral-storage");

  /**
   * What a container must set when a quota tracks it (validationSet in pods.go): CPU and memory
   * only. A pod without ephemeral-storage is admitted under a quota that tracks it and counts zero
   * — Kubernetes keeps that rule for cpu/memory only, for compatibility.
   */
  static final Set<String> MUST_SPECIFY =
      Set.of("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory");

  /** The names a quota counts the namespace's Secrets by. */
  static final Set<String> SECRET_COUNTS = Set.of("secrets", "count/secrets");

  /** The compute resources a container's requests and limits are counted for. */
  private static final List<String> COMPUTE = List.of("cpu", "memory", "ephemeral-storage");

  private QuotaAdmission() {}

  /**
   * The pod as stored after defaulting: requests default to limits (SetDefaults_Pod), then the
   * LimitRange's {@code default}/{@code defaultRequest} fill what is still missing.
   */
  static JsonObject withDefaults(JsonObject pod, List<JsonObject> limitRanges) {
    JsonObject out = pod.copy();
    JsonObject spec = out.getJsonObject("spec", new JsonObject());
    for (String list : List.of("containers", "initContainers")) {
      for (JsonObject c : ObjectValidation.objects(spec.getJsonArray(list))) {
        JsonObject resources = c.getJsonObject("resources");
        if (resources == null) {
          resources = new JsonObject();
          c.put("resources", resources);
        }
        JsonObject limits = child(resources, "limits");
        JsonObject requests = child(resources, "requests");
        for (String r : limits.fieldNames()) {
          if (!requests.containsKey(r)) {
            requests.put(r, limits.getValue(r));
          }
        }
        for (JsonObject item : containerItems(limitRanges)) {
          JsonObject dflt = item.getJsonObject("default", new JsonObject());
          JsonObject dfltRequest = item.getJsonObject("defaultRequest", dflt);
          dflt.forEach(e -> limits.getMap().putIfAbsent(e.getKey(), e.getValue()));
          dfltRequest.forEach(e -> requests.getMap().putIfAbsent(e.getKey(), e.getValue()));
        }
        if (limits.isEmpty()) {
          resources.remove("limits");
        }
        if (requests.isEmpty()) {
          resources.remove("requests");
        }
      }
    }
    return out;
  }

  /** LimitRanger's per-container min/max: the refusal's reason, if any. */
  static Optional<String> limitRangeViolation(JsonObject pod, List<JsonObject> limitRanges) {
    JsonObject spec = pod.getJsonObject("spec", new JsonObject());
    for (JsonObject item : containerItems(limitRanges)) {
      for (JsonObject c : ObjectValidation.containers(spec)) {
        JsonObject resources = c.getJsonObject("resources", new JsonObject());
        Map<String, Object> requests = ObjectValidation.map(resources, "requests");
        Map<String, Object> limits = ObjectValidation.map(resources, "limits");
        for (Map.Entry<String, Object> min : ObjectValidation.map(item, "min").entrySet()) {
          Optional<BigDecimal> request = Quantities.parse(requests.get(min.getKey()));
          Optional<BigDecimal> floor = Quantities.parse(min.getValue());
          if (floor.isPresent()
              && request.isPresent()
              && request.get().compareTo(floor.get()) < 0) {
            return Optional.of(
                "minimum "
                    + min.getKey()
                    + " usage per Container is "
                    + Quantities.canonical(min.getValue())
                    + ", but request is "
                    + Quantities.canonical(requests.get(min.getKey())));
          }
        }
        for (Map.Entry<String, Object> max : ObjectValidation.map(item, "max").entrySet()) {
          Optional<BigDecimal> limit = Quantities.parse(limits.get(max.getKey()));
          Optional<BigDecimal> ceiling = Quantities.parse(max.getValue());
          if (ceiling.isPresent() && limit.isEmpty()) {
            return Optional.of(
                "maximum "
                    + max.getKey()
                    + " usage per Container is "
                    + Quantities.canonical(max.getValue())
                    + ".  No limit is specified");
          }
          if (ceiling.isPresent() && limit.get().compareTo(ceiling.get()) > 0) {
            return Optional.of(
                "maximum "
                    + max.getKey()
                    + " usage per Container is "
                    + Quantities.canonical(max.getValue())
                    + ", but limit is "
                    + Quantities.canonical(limits.get(max.getKey())));
          }
        }
      }
    }
    return Optional.empty();
  }

  /** What one pod counts against a quota, per tracked resource. */
  static Map<String, BigDecimal> usage(JsonObject pod) {
    JsonObject spec = pod.getJsonObject("spec", new JsonObject());
    Map<String, BigDecimal> sum = new TreeMap<>();
    for (JsonObject c : ObjectValidation.containers(spec)) {
      containerUsage(c).forEach((k, v) -> sum.merge(k, v, BigDecimal::add));
    }
    // init containers run one at a time, before the others: the pod needs the larger of the two
    for (JsonObject c : ObjectValidation.objects(spec.getJsonArray("initContainers"))) {
      containerUsage(c).forEach((k, v) -> sum.merge(k, v, BigDecimal::max));
    }
    sum.put("pods", BigDecimal.ONE);
    if (sum.containsKey("requests.cpu")) {
      sum.put("cpu", sum.get("requests.cpu"));
    }
    if (sum.containsKey("requests.memory")) {
      sum.put("memory", sum.get("requests.memory"));
    }
    if (sum.containsKey("requests.ephemeral-storage")) {
      sum.put("ephemeral-storage", sum.get("requests.ephemeral-storage"));
    }
    return sum;
  }

  private static Map<String, BigDecimal> containerUsage(JsonObject c) {
    Map<String, BigDecimal> out = new TreeMap<>();
    JsonObject resources = c.getJsonObject("resources", new JsonObject());
    for (String kind : List.of("requests", "limits")) {
      for (String r : COMPUTE) {
        Quantities.parse(ObjectValidation.map(resources, kind).get(r))
            .ifPresent(q -> out.put(kind + "." + r, q));
      }
    }
    return out;
  }

  /** Phase Succeeded or Failed: no longer counted (QuotaV1Pod). */
  static boolean terminal(JsonObject pod) {
    String phase = pod.getJsonObject("status", new JsonObject()).getString("phase");
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /** Usage of the namespace's counted pods, per tracked resource (zero when none). */
  static Map<String, BigDecimal> used(List<JsonObject> pods) {
    Map<String, BigDecimal> used = new TreeMap<>();
    TRACKED.forEach(r -> used.put(r, BigDecimal.ZERO));
    for (JsonObject pod : pods) {
      if (!terminal(pod)) {
        usage(pod).forEach((k, v) -> used.merge(k, v, BigDecimal::add));
      }
    }
    return used;
  }

  /**
   * The refusal (message after {@code pods "name" is forbidden: }) of this pod by the first quota
   * that it would exceed, if any.
   */
  static Optional<String> admit(JsonObject pod, List<JsonObject> quotas, List<JsonObject> pods) {
    Map<String, BigDecimal> requested = usage(pod);
    Map<String, BigDecimal> used = used(pods);
    List<JsonObject> sorted = new ArrayList<>(quotas);
    sorted.sort(Comparator.comparing(QuotaAdmission::name));
    for (JsonObject quota : sorted) {
      Map<String, Object> hard =
          ObjectValidation.map(quota.getJsonObject("spec", new JsonObject()), "hard");
      // PodEvaluator.Constraints: a tracked cpu/memory resource must be set on every container
      Set<String> missing = new TreeSet<>();
      for (String r : hard.keySet()) {
        if (MUST_SPECIFY.contains(r)) {
          String key = r.contains(".") ? r : "requests." + r;
          for (JsonObject c :
              ObjectValidation.containers(pod.getJsonObject("spec", new JsonObject()))) {
            if (!containerUsage(c).containsKey(key)) {
              missing.add(r);
            }
          }
        }
      }
      if (!missing.isEmpty()) {
        return Optional.of(
            "failed quota: " + name(quota) + ": must specify " + String.join(",", missing));
      }
      Optional<String> exceeded = exceeded(quota, requested, used);
      if (exceeded.isPresent()) {
        return exceeded;
      }
    }
    return Optional.empty();
  }

  /**
   * The refusal (message after {@code secrets "name" is forbidden: }) of one more Secret in a
   * namespace holding {@code secrets}, by the first quota counting Secrets that it would exceed.
   */
  static Optional<String> admitSecret(List<JsonObject> quotas, int secrets) {
    List<JsonObject> sorted = new ArrayList<>(quotas);
    sorted.sort(Comparator.comparing(QuotaAdmission::name));
    for (JsonObject quota : sorted) {
      Optional<String> exceeded = exceeded(quota, secretCounts(1), secretCounts(secrets));
      if (exceeded.isPresent()) {
        return exceeded;
      }
    }
    return Optional.empty();
  }

  /** Whether a quota counts Secrets: their creates and deletes change its status. */
  static boolean countsSecrets(JsonObject quota) {
    return ObjectValidation.map(quota.getJsonObject("spec", new JsonObject()), "hard")
        .keySet()
        .stream()
        .anyMatch(SECRET_COUNTS::contains);
  }

  /** The Secrets the quota's status last counted, if it counts them yet. */
  static Optional<Integer> secretsCounted(JsonObject quota) {
    Map<String, Object> used =
        ObjectValidation.map(quota.getJsonObject("status", new JsonObject()), "used");
    return SECRET_COUNTS.stream()
        .map(used::get)
        .flatMap(value -> Quantities.parse(value).stream())
        .map(BigDecimal::intValue)
        .findFirst();
  }

  /**
   * The resources of {@code requested} the quota limits and this request would take past its hard
   * limit, as checkRequest words it ({@code exceeded quota: <quota>, requested: …}).
   */
  private static Optional<String> exceeded(
      JsonObject quota, Map<String, BigDecimal> requested, Map<String, BigDecimal> used) {
    Map<String, Object> hard =
        ObjectValidation.map(quota.getJsonObject("spec", new JsonObject()), "hard");
    Map<String, String> failedRequested = new TreeMap<>();
    Map<String, String> failedUsed = new TreeMap<>();
    Map<String, String> failedHard = new TreeMap<>();
    for (Map.Entry<String, Object> h : hard.entrySet()) {
      String r = h.getKey();
      Optional<BigDecimal> limit = Quantities.parse(h.getValue());
      if (limit.isEmpty() || !requested.containsKey(r)) {
        continue;
      }
      BigDecimal now = used.getOrDefault(r, BigDecimal.ZERO);
      if (now.add(requested.get(r)).compareTo(limit.get()) > 0) {
        failedRequested.put(r, format(r, requested.get(r)));
        failedUsed.put(r, format(r, now));
        failedHard.put(r, Quantities.canonical(h.getValue()));
      }
    }
    if (failedRequested.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "exceeded quota: "
            + name(quota)
            + ", requested: "
            + pretty(failedRequested)
            + ", used: "
            + pretty(failedUsed)
            + ", limited: "
            + pretty(failedHard));
  }

  private static Map<String, BigDecimal> secretCounts(int secrets) {
    BigDecimal n = BigDecimal.valueOf(secrets);
    Map<String, BigDecimal> out = new TreeMap<>();
    SECRET_COUNTS.forEach(r -> out.put(r, n));
    return out;
  }

  /**
   * The quota's status as the quota controller keeps it: hard copied, used summed over the pods and
   * counted over the namespace's {@code secrets}.
   */
  static JsonObject status(JsonObject quota, List<JsonObject> pods, int secrets) {
    Map<String, Object> hard =
        ObjectValidation.map(quota.getJsonObject("spec", new JsonObject()), "hard");
    Map<String, BigDecimal> used = used(pods);
    used.putAll(secretCounts(secrets));
    JsonObject usedJson = new JsonObject();
    JsonObject hardJson = new JsonObject();
    for (Map.Entry<String, Object> h : new TreeMap<>(hard).entrySet()) {
      hardJson.put(h.getKey(), Quantities.canonical(h.getValue()));
      if (used.containsKey(h.getKey())) {
        usedJson.put(h.getKey(), format(h.getKey(), used.get(h.getKey())));
      }
    }
    return new JsonObject().put("hard", hardJson).put("used", usedJson);
  }

  private static String format(String resource, BigDecimal amount) {
    return Quantities.format(
        amount, resource.endsWith("memory") || resource.endsWith("ephemeral-storage"));
  }

  private static String pretty(Map<String, String> values) {
    List<String> parts = new ArrayList<>();
    values.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }

  private static String name(JsonObject object) {
    return object.getJsonObject("metadata", new JsonObject()).getString("name", "");
  }

  private static List<JsonObject> containerItems(List<JsonObject> limitRanges) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject lr : limitRanges) {
      for (JsonObject item :
          ObjectValidation.objects(
              lr.getJsonObject("spec", new JsonObject()).getJsonArray("limits", new JsonArray()))) {
        if ("Container".equals(item.getString("type"))) {
          out.add(item);
        }
      }
    }
    return out;
  }

  private static JsonObject child(JsonObject parent, String key) {
    JsonObject c = parent.getJsonObject(key);
    if (c == null) {
      c = new JsonObject();
      parent.put(key, c);
    }
    return c;
  }
}
