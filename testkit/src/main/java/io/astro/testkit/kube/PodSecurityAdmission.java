package io.astro.testkit.kube;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The PodSecurity admission plugin's enforcement on pod create, from the namespace's {@code
 * pod-security.kubernetes.io/enforce} label (k8s.io/pod-security-admission: {@code
 * admission/admission.go}, the checks in {@code policy/check_*.go}). Only pods are refused; a
 * Deployment is admitted and its ReplicaSet's pod creates fail, as on a real server.
 *
 * <p>The checks kept are those Astro's pods can meet or fail: baseline {@code hostNamespaces},
 * {@code hostPorts}, {@code privileged}, {@code capabilities_baseline}, {@code hostPathVolumes},
 * {@code seccompProfile_baseline}; restricted adds {@code allowPrivilegeEscalation}, {@code
 * capabilities_restricted}, {@code restrictedVolumes}, {@code runAsNonRoot}, {@code runAsUser},
 * {@code seccompProfile_restricted} (which replace the overlapping baseline ones). AppArmor,
 * SELinux, procMount, sysctls, Windows host process and the user-namespace relaxation are not
 * checked. The results are in the plugin's order (its checks by file name, baseline first).
 */
final class PodSecurityAdmission {

  static final String ENFORCE = "pod-security.kubernetes.io/enforce";
  static final String ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";

  /** check_capabilities_baseline.go {@code capabilities_allowed_1_0}. */
  private static final Set<String> BASELINE_CAPABILITIES =
      Set.of(
          "AUDIT_WRITE",
          "CHOWN",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT");

  /** check_restrictedVolumes.go: the volume sources restricted allows. */
  private static final Set<String> RESTRICTED_VOLUME_SOURCES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");

  /** One failed check: its reason and detail, printed {@code reason (detail)}. */
  private record Failure(String reason, String detail) {
    @Override
    public String toString() {
      return reason + " (" + detail + ")";
    }
  }

  private PodSecurityAdmission() {}

  /**
   * The refusal (message after {@code pods "name" is forbidden: }) of this pod in a namespace with
   * these labels, if any. No label or {@code privileged}: everything passes; a value that is not a
   * level is enforced as {@code restricted}, as the plugin fails closed.
   */
  static Optional<String> admit(JsonObject pod, Map<String, Object> namespaceLabels) {
    Object level = namespaceLabels.get(ENFORCE);
    if (level == null || "privileged".equals(level)) {
      return Optional.empty();
    }
    boolean restricted = !"baseline".equals(level);
    Object version = namespaceLabels.getOrDefault(ENFORCE_VERSION, "latest");
    List<Failure> failures = evaluate(pod.getJsonObject("spec", new JsonObject()), restricted);
    if (failures.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "violates PodSecurity \""
            + (restricted ? "restricted" : "baseline")
            + ":"
            + version
            + "\": "
            + failures.stream().map(Failure::toString).collect(Collectors.joining(", ")));
  }

  private static List<Failure> evaluate(JsonObject spec, boolean restricted) {
    List<Failure> out = new ArrayList<>();
    List<JsonObject> containers = allContainers(spec);
    JsonObject podSecurity = spec.getJsonObject("securityContext", new JsonObject());
    // baseline, not overlapped by restricted checks (file order)
    hostNamespaces(spec).ifPresent(out::add);
    hostPorts(containers).ifPresent(out::add);
    privileged(containers).ifPresent(out::add);
    if (!restricted) {
      capabilitiesBaseline(containers).ifPresent(out::add);
      hostPathVolumes(spec).ifPresent(out::add);
      seccompBaseline(podSecurity, containers).ifPresent(out::add);
      return out;
    }
    allowPrivilegeEscalation(containers).ifPresent(out::add);
    capabilitiesRestricted(containers).ifPresent(out::add);
    restrictedVolumes(spec).ifPresent(out::add);
    runAsNonRoot(podSecurity, containers).ifPresent(out::add);
    runAsUser(podSecurity, containers).ifPresent(out::add);
    seccompRestricted(podSecurity, containers).ifPresent(out::add);
    return out;
  }

  private static Optional<Failure> hostNamespaces(JsonObject spec) {
    Set<String> host = new TreeSet<>();
    for (String field : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (Boolean.TRUE.equals(spec.getValue(field))) {
        host.add(field);
      }
    }
    return host.isEmpty()
        ? Optional.empty()
        : Optional.of(new Failure("host namespaces", String.join(", ", host)));
  }

  private static Optional<Failure> hostPorts(List<JsonObject> containers) {
    List<String> bad = new ArrayList<>();
    Set<Integer> ports = new TreeSet<>();
    for (JsonObject c : containers) {
      boolean uses = false;
      for (JsonObject port : ObjectValidation.objects(c.getJsonArray("ports"))) {
        Object hostPort = port.getValue("hostPort");
        if (hostPort instanceof Number n && n.intValue() != 0) {
          uses = true;
          ports.add(n.intValue());
        }
      }
      if (uses) {
        bad.add(name(c));
      }
    }
    if (bad.isEmpty()) {
      return Optional.empty();
    }
    // sets.NewString sorts the ports as strings
    List<String> sorted = ports.stream().map(String::valueOf).sorted().collect(Collectors.toList());
    return Optional.of(
        new Failure(
            "hostPort",
            containersWord(bad)
                + " "
                + joinQuote(bad)
                + " "
                + (bad.size() == 1 ? "uses" : "use")
                + " "
                + (sorted.size() == 1 ? "hostPort" : "hostPorts")
                + " "
                + String.join(", ", sorted)));
  }

  private static Optional<Failure> privileged(List<JsonObject> containers) {
    List<String> bad =
        containers.stream()
            .filter(c -> Boolean.TRUE.equals(security(c).getValue("privileged")))
            .map(PodSecurityAdmission::name)
            .toList();
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Failure(
                "privileged",
                containersWord(bad)
                    + " "
                    + joinQuote(bad)
                    + " must not set securityContext.privileged=true"));
  }

  private static Optional<Failure> capabilitiesBaseline(List<JsonObject> containers) {
    List<String> bad = new ArrayList<>();
    Set<String> caps = new TreeSet<>();
    for (JsonObject c : containers) {
      boolean valid = true;
      for (String cap : added(c)) {
        if (!BASELINE_CAPABILITIES.contains(cap)) {
          valid = false;
          caps.add(cap);
        }
      }
      if (!valid) {
        bad.add(name(c));
      }
    }
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Failure(
                "non-default capabilities",
                containersWord(bad)
                    + " "
                    + joinQuote(bad)
                    + " must not include "
                    + joinQuote(List.copyOf(caps))
                    + " in securityContext.capabilities.add"));
  }

  private static Optional<Failure> hostPathVolumes(JsonObject spec) {
    List<String> bad =
        ObjectValidation.objects(spec.getJsonArray("volumes")).stream()
            .filter(v -> v.getValue("hostPath") != null)
            .map(PodSecurityAdmission::name)
            .toList();
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Failure(
                "hostPath volumes",
                (bad.size() == 1 ? "volume" : "volumes") + " " + joinQuote(bad)));
  }

  private static Optional<Failure> seccompBaseline(
      JsonObject podSecurity, List<JsonObject> containers) {
    List<String> setters = new ArrayList<>();
    if ("Unconfined".equals(seccompType(podSecurity))) {
      setters.add("pod");
    }
    List<String> bad =
        containers.stream()
            .filter(c -> "Unconfined".equals(seccompType(security(c))))
            .map(PodSecurityAdmission::name)
            .toList();
    if (!bad.isEmpty()) {
      setters.add(containersWord(bad) + " " + joinQuote(bad));
    }
    return setters.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Failure(
                "seccompProfile",
                String.join(" and ", setters)
                    + " must not set securityContext.seccompProfile.type to \"Unconfined\""));
  }

  private static Optional<Failure> allowPrivilegeEscalation(List<JsonObject> containers) {
    List<String> bad =
        containers.stream()
            .filter(c -> !Boolean.FALSE.equals(security(c).getValue("allowPrivilegeEscalation")))
            .map(PodSecurityAdmission::name)
            .toList();
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Failure(
                "allowPrivilegeEscalation != false",
                containersWord(bad)
                    + " "
                    + joinQuote(bad)
                    + " must set securityContext.allowPrivilegeEscalation=false"));
  }

  private static Optional<Failure> capabilitiesRestricted(List<JsonObject> containers) {
    List<String> missingDropAll = new ArrayList<>();
    List<String> adding = new ArrayList<>();
    Set<String> forbidden = new TreeSet<>();
    for (JsonObject c : containers) {
      JsonObject caps = security(c).getJsonObject("capabilities");
      if (caps == null) {
        missingDropAll.add(name(c));
        continue;
      }
      if (!strings(caps.getJsonArray("drop")).contains("ALL")) {
        missingDropAll.add(name(c));
      }
      boolean bad = false;
      for (String cap : strings(caps.getJsonArray("add"))) {
        if (!"NET_BIND_SERVICE".equals(cap)) {
          bad = true;
          forbidden.add(cap);
        }
      }
      if (bad) {
        adding.add(name(c));
      }
    }
    List<String> details = new ArrayList<>();
    if (!missingDropAll.isEmpty()) {
      details.add(
          containersWord(missingDropAll)
              + " "
              + joinQuote(missingDropAll)
              + " must set securityContext.capabilities.drop=[\"ALL\"]");
    }
    if (!adding.isEmpty()) {
      details.add(
          containersWord(adding)
              + " "
              + joinQuote(adding)
              + " must not include "
              + joinQuote(List.copyOf(forbidden))
              + " in securityContext.capabilities.add");
    }
    return details.isEmpty()
        ? Optional.empty()
        : Optional.of(new Failure("unrestricted capabilities", String.join("; ", details)));
  }

  private static Optional<Failure> restrictedVolumes(JsonObject spec) {
    Set<String> bad = new TreeSet<>();
    for (JsonObject v : ObjectValidation.objects(spec.getJsonArray("volumes"))) {
      if (RESTRICTED_VOLUME_SOURCES.stream().noneMatch(v::containsKey)) {
        bad.add(name(v));
      }
    }
    // fmt %q of a []string: ["a" "b"]
    return bad.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Failure(
                "restricted volume types",
                "volumes ["
                    + bad.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(" "))
                    + "] have restricted types"));
  }

  private static Optional<Failure> runAsNonRoot(
      JsonObject podSecurity, List<JsonObject> containers) {
    List<String> setters = new ArrayList<>();
    boolean podNonRoot = false;
    Object pod = podSecurity.getValue("runAsNonRoot");
    if (Boolean.FALSE.equals(pod)) {
      setters.add("pod");
    } else if (Boolean.TRUE.equals(pod)) {
      podNonRoot = true;
    }
    List<String> explicit = new ArrayList<>();
    List<String> implicit = new ArrayList<>();
    for (JsonObject c : containers) {
      Object value = security(c).getValue("runAsNonRoot");
      if (value != null) {
        if (Boolean.FALSE.equals(value)) {
          explicit.add(name(c));
        }
      } else if (!podNonRoot) {
        implicit.add(name(c));
      }
    }
    if (!explicit.isEmpty()) {
      setters.add(containersWord(explicit) + " " + joinQuote(explicit));
    }
    if (!setters.isEmpty()) {
      return Optional.of(
          new Failure(
              "runAsNonRoot != true",
              String.join(" and ", setters) + " must not set securityContext.runAsNonRoot=false"));
    }
    if (!implicit.isEmpty()) {
      return Optional.of(
          new Failure(
              "runAsNonRoot != true",
              "pod or "
                  + containersWord(implicit)
                  + " "
                  + joinQuote(implicit)
                  + " must set securityContext.runAsNonRoot=true"));
    }
    return Optional.empty();
  }

  private static Optional<Failure> runAsUser(JsonObject podSecurity, List<JsonObject> containers) {
    List<String> setters = new ArrayList<>();
    if (isZero(podSecurity.getValue("runAsUser"))) {
      setters.add("pod");
    }
    List<String> bad =
        containers.stream()
            .filter(c -> isZero(security(c).getValue("runAsUser")))
            .map(PodSecurityAdmission::name)
            .toList();
    if (!bad.isEmpty()) {
      setters.add(containersWord(bad) + " " + joinQuote(bad));
    }
    return setters.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Failure(
                "runAsUser=0", String.join(" and ", setters) + " must not set runAsUser=0"));
  }

  private static Optional<Failure> seccompRestricted(
      JsonObject podSecurity, List<JsonObject> containers) {
    List<String> setters = new ArrayList<>();
    Set<String> badValues = new TreeSet<>();
    boolean podSet = false;
    String podType = seccompType(podSecurity);
    if (podType != null) {
      if (validSeccomp(podType)) {
        podSet = true;
      } else {
        setters.add("pod");
        badValues.add(podType);
      }
    }
    List<String> explicit = new ArrayList<>();
    List<String> implicit = new ArrayList<>();
    for (JsonObject c : containers) {
      JsonObject profile = security(c).getJsonObject("seccompProfile");
      if (profile != null) {
        String type = profile.getString("type", "");
        if (!validSeccomp(type)) {
          explicit.add(name(c));
          badValues.add(type);
        }
      } else if (!podSet) {
        implicit.add(name(c));
      }
    }
    if (!explicit.isEmpty()) {
      setters.add(containersWord(explicit) + " " + joinQuote(explicit));
    }
    if (!setters.isEmpty()) {
      return Optional.of(
          new Failure(
              "seccompProfile",
              String.join(" and ", setters)
                  + " must not set securityContext.seccompProfile.type to "
                  + joinQuote(List.copyOf(badValues))));
    }
    if (!implicit.isEmpty()) {
      return Optional.of(
          new Failure(
              "seccompProfile",
              "pod or "
                  + containersWord(implicit)
                  + " "
                  + joinQuote(implicit)
                  + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or"
                  + " \"Localhost\""));
    }
    return Optional.empty();
  }

  private static boolean validSeccomp(String type) {
    return "RuntimeDefault".equals(type) || "Localhost".equals(type);
  }

  private static String seccompType(JsonObject security) {
    JsonObject profile = security.getJsonObject("seccompProfile");
    return profile == null ? null : profile.getString("type", "");
  }

  private static boolean isZero(Object value) {
    return value instanceof Number n && n.longValue() == 0;
  }

  /** visitContainers: containers, init containers and ephemeral containers. */
  private static List<JsonObject> allContainers(JsonObject spec) {
    List<JsonObject> out = new ArrayList<>();
    for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
      out.addAll(ObjectValidation.objects(spec.getJsonArray(list)));
    }
    return out;
  }

  private static JsonObject security(JsonObject container) {
    return container.getJsonObject("securityContext", new JsonObject());
  }

  private static List<String> added(JsonObject container) {
    JsonObject caps = security(container).getJsonObject("capabilities");
    return caps == null ? List.of() : strings(caps.getJsonArray("add"));
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      for (Object o : array) {
        out.add(String.valueOf(o));
      }
    }
    return out;
  }

  private static String name(JsonObject object) {
    return object.getString("name", "");
  }

  private static String containersWord(List<String> names) {
    return names.size() == 1 ? "container" : "containers";
  }

  /** helpers.go joinQuote: each %q, joined by ", ". */
  private static String joinQuote(List<String> items) {
    return items.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", "));
  }
}
