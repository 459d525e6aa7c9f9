package io.astro.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.astro.common.kube.ClusterRights;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kustomize overlays, rendered by {@link Kustomize} and loaded into the official client's model
 * classes (unknown fields fail), checked for what the deployment review asked: probes, resources,
 * security context, graceful termination, spreading, PDBs, Services, HPAs, pinned images,
 * placeholder-only Secrets, least-privilege RBAC, NetworkPolicies that select real pods, and
 * settings whose names the services actually read.
 */
class KubernetesManifestsTest {

  static final String NAMESPACE = "astro-system";
  static final String WRITABLE_ROOT = "astro.io/writable-root-filesystem";

  /**
   * What the sync-worker may do (the objects of docs/architecture.md): resource → verbs; anything
   * else fails.
   */
  /** group/resource → the verbs {@link ClusterRights#MATRIX} has for it, whatever the scope. */
  static final Map<String, Set<String>> SYNC_WORKER_MAY =
      ClusterRights.MATRIX.stream()
          .collect(
              Collectors.groupingBy(
                  r -> r.group() + "/" + r.resource(),
                  Collectors.mapping(ClusterRights.Right::verb, Collectors.toSet())));

  static Stream<String> overlays() {
    return Stream.of("overlays/dev", "overlays/prod");
  }

  // ---------------------------------------------------------------- every object

  @ParameterizedTest
  @MethodSource("overlays")
  void everyObjectIsInAstroSystemAndLabelledAsAstros(String name) {
    Overlay overlay = Overlay.of(name);
    assertThat(overlay.docs).isNotEmpty();
    for (KubeObjects.Doc doc : overlay.docs) {
      if (!Kustomize.CLUSTER_SCOPED.contains(doc.kind())) {
        assertThat(doc.namespace()).as(doc + " namespace").isEqualTo(NAMESPACE);
      }
      // k8s/deploy.sh cleanup selects by this label
      Object labels = Kustomize.metadata(doc.raw()).get("labels");
      boolean generated = doc.kind().equals("ConfigMap") && doc.name().startsWith("astro-");
      if (!generated) {
        assertThat(labels).as(doc + " labels").isInstanceOf(Map.class);
        assertThat(Kustomize.cast(labels))
            .as(doc + " labels")
            .containsEntry("app.kubernetes.io/part-of", "astro");
      }
    }
    assertThat(overlay.find("Namespace", NAMESPACE)).as("Namespace " + NAMESPACE).isPresent();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void imagesArePinnedNeverLatest(String name) {
    for (KubeObjects.Doc doc : Overlay.of(name).docs) {
      for (Map<String, Object> c : Kustomize.containers(doc.raw())) {
        String image = (String) c.get("image");
        assertThat(image).as(doc + " image").isNotBlank();
        assertThat(pinned(image))
            .as(doc + ": image " + image + " has a pinned tag or digest")
            .isTrue();
      }
    }
  }

  /** A tag other than latest, or a digest. */
  static boolean pinned(String image) {
    if (image.contains("@sha256:")) {
      return true;
    }
    String name = Kustomize.imageName(image);
    String tag = image.length() > name.length() ? image.substring(name.length() + 1) : "";
    return !tag.isEmpty() && !tag.equals("latest") && !tag.contains("${");
  }

  // ---------------------------------------------------------------- workloads

  @ParameterizedTest
  @MethodSource("overlays")
  void everyLongRunningContainerHasThreeProbesResourcesAndTheSecurityContext(String name) {
    Overlay overlay = Overlay.of(name);
    overlay
        .podTemplates()
        .forEach(
            (workload, pod) -> {
              boolean job = workload.startsWith("Job/");
              V1PodSecurityContext podSecurity = pod.getSpec().getSecurityContext();
              assertThat(podSecurity).as(workload + " pod securityContext").isNotNull();
              assertThat(podSecurity.getRunAsNonRoot()).as(workload + " runAsNonRoot").isTrue();
              if (podSecurity.getRunAsUser() != null) {
                assertThat(podSecurity.getRunAsUser()).as(workload + " runAsUser").isPositive();
              }
              assertThat(podSecurity.getSeccompProfile())
                  .as(workload + " pod seccompProfile")
                  .isNotNull();
              assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
              String writableReason =
                  Optional.ofNullable(pod.getMetadata().getAnnotations())
                      .map(a -> a.get(WRITABLE_ROOT))
                      .orElse(null);
              List<V1Container> containers = new ArrayList<>(pod.getSpec().getContainers());
              Optional.ofNullable(pod.getSpec().getInitContainers()).ifPresent(containers::addAll);
              for (V1Container c : containers) {
                String where = workload + " container " + c.getName();
                V1SecurityContext sc = c.getSecurityContext();
                assertThat(sc).as(where + " securityContext").isNotNull();
                assertThat(sc.getRunAsNonRoot()).as(where + " runAsNonRoot").isTrue();
                assertThat(sc.getAllowPrivilegeEscalation())
                    .as(where + " allowPrivilegeEscalation")
                    .isFalse();
                assertThat(sc.getPrivileged()).as(where + " privileged").isNotEqualTo(true);
                assertThat(sc.getCapabilities()).as(where + " capabilities").isNotNull();
                assertThat(sc.getCapabilities().getDrop())
                    .as(where + " capabilities.drop")
                    .contains("ALL");
                assertThat(sc.getCapabilities().getAdd())
                    .as(where + " capabilities.add")
                    .isNullOrEmpty();
                assertThat(sc.getSeccompProfile()).as(where + " seccompProfile").isNotNull();
                assertThat(sc.getSeccompProfile().getType())
                    .as(where + " seccompProfile")
                    .isEqualTo("RuntimeDefault");
                if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                  // only a backing service's image may need it, with a reason; never one of Astro's
                  // own
                  assertThat(writableReason)
                      .as(
                          where
                              + ": readOnlyRootFilesystem false needs annotation "
                              + WRITABLE_ROOT)
                      .isNotBlank();
                  assertThat(workload).as(where).doesNotStartWith("Deployment/");
                }
                assertThat(c.getResources()).as(where + " resources").isNotNull();
                for (String r : List.of("cpu", "memory")) {
                  assertThat(c.getResources().getRequests()).as(where + " requests").containsKey(r);
                  assertThat(c.getResources().getLimits()).as(where + " limits").containsKey(r);
                  assertThat(c.getResources().getLimits().get(r).getNumber())
                      .as(where + " " + r + " limit ≥ request")
                      .isGreaterThanOrEqualTo(c.getResources().getRequests().get(r).getNumber());
                }
                if (!job) {
                  for (V1Probe probe :
                      new V1Probe[] {
                        c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe()
                      }) {
                    assertThat(probe)
                        .as(where + ": startup, readiness and liveness probes")
                        .isNotNull();
                    portOf(probe)
                        .ifPresent(
                            port ->
                                assertThat(resolves(c, port))
                                    .as(where + " probe port " + port)
                                    .isTrue());
                  }
                }
              }
              // a Secret volume mounted read-only, and every volume mounted by some container
              for (V1Volume volume :
                  Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of())) {
                assertThat(
                        containers.stream()
                            .flatMap(
                                c ->
                                    Optional.ofNullable(c.getVolumeMounts())
                                        .orElse(List.of())
                                        .stream())
                            .anyMatch(m -> m.getName().equals(volume.getName())))
                    .as(workload + " volume " + volume.getName() + " is mounted")
                    .isTrue();
              }
            });
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void astroDeploymentsProbeHealthAndReadyAndStopGracefully(String name) {
    Overlay overlay = Overlay.of(name);
    assertThat(overlay.all("Deployment", V1Deployment.class))
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(Repo.SERVICES);
    for (String service : Repo.SERVICES) {
      V1Deployment d = overlay.deployment(service);
      V1PodTemplateSpec pod = d.getSpec().getTemplate();
      V1Container c = single(pod);
      int port = ConfigNames.port(service).getValue();
      int management = ConfigNames.managementPort(service).getValue();
      assertThat(c.getPorts())
          .as(service + " ports: http, then management (/ready, /metrics)")
          .extracting(p -> p.getName() + ":" + p.getContainerPort())
          .containsExactly("http:" + port, "management:" + management);
      assertThat(http(c.getStartupProbe())).as(service + " startupProbe").isEqualTo("/health");
      assertThat(http(c.getLivenessProbe())).as(service + " livenessProbe").isEqualTo("/health");
      assertThat(http(c.getReadinessProbe())).as(service + " readinessProbe").isEqualTo("/ready");
      assertThat(c.getReadinessProbe().getHttpGet().getPort())
          .as(service + ": /ready is on the management port only")
          .isEqualTo(new IntOrString("management"));
      assertThat(Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem()))
          .as(service)
          .isTrue();
      // graceful termination: 30 s, with a pause first so endpoints forget the pod before SIGTERM
      assertThat(pod.getSpec().getTerminationGracePeriodSeconds())
          .as(service + " grace")
          .isEqualTo(30L);
      assertThat(c.getLifecycle()).as(service + " lifecycle").isNotNull();
      assertThat(c.getLifecycle().getPreStop()).as(service + " preStop").isNotNull();
      // the only writable place is /tmp
      assertThat(c.getVolumeMounts())
          .as(service + " /tmp")
          .anyMatch(
              m ->
                  m.getMountPath().equals("/tmp")
                      && pod.getSpec().getVolumes().stream()
                          .anyMatch(
                              v -> v.getName().equals(m.getName()) && v.getEmptyDir() != null));
      // spread: replicas on different nodes and zones
      Map<String, String> labels = KubeObjects.labels(pod);
      boolean spread =
          Optional.ofNullable(pod.getSpec().getTopologySpreadConstraints())
              .orElse(List.of())
              .stream()
              .anyMatch(
                  t ->
                      KubeObjects.matches(t.getLabelSelector(), labels)
                          && t.getTopologyKey().equals("kubernetes.io/hostname"));
      boolean antiAffinity =
          pod.getSpec().getAffinity() != null
              && pod.getSpec().getAffinity().getPodAntiAffinity() != null;
      assertThat(spread || antiAffinity)
          .as(service + ": topology spread or anti-affinity on hostname")
          .isTrue();
      // Prometheus annotations name the container's port
      Map<String, String> annotations = pod.getMetadata().getAnnotations();
      assertThat(annotations)
          .as(service + " annotations")
          .containsEntry("prometheus.io/scrape", "true")
          .containsEntry("prometheus.io/path", "/metrics")
          .containsEntry("prometheus.io/port", String.valueOf(management));
      assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
          .as(service + " rolls without losing capacity")
          .isEqualTo(new IntOrString(0));
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyWorkloadHasAPdbAndAServiceSelectingItsPods(String name) {
    Overlay overlay = Overlay.of(name);
    List<V1PodDisruptionBudget> pdbs =
        overlay.all("PodDisruptionBudget", V1PodDisruptionBudget.class);
    List<V1Service> services = overlay.services();
    Map<String, V1PodTemplateSpec> longRunning = new TreeMap<>(overlay.podTemplates());
    longRunning.keySet().removeIf(k -> k.startsWith("Job/"));
    longRunning.forEach(
        (workload, pod) -> {
          Map<String, String> labels = KubeObjects.labels(pod);
          assertThat(pdbs)
              .as(workload + " has a PodDisruptionBudget")
              .anyMatch(p -> KubeObjects.matches(p.getSpec().getSelector(), labels));
          List<V1Service> selecting =
              services.stream()
                  .filter(s -> KubeObjects.matches(s.getSpec().getSelector(), labels))
                  .toList();
          assertThat(selecting).as(workload + " has a Service").isNotEmpty();
          for (V1Service s : selecting) {
            for (var port : s.getSpec().getPorts()) {
              assertThat(
                      pod.getSpec().getContainers().stream()
                          .anyMatch(c -> resolves(c, port.getTargetPort())))
                  .as(
                      "Service "
                          + s.getMetadata().getName()
                          + " targetPort "
                          + port.getTargetPort())
                  .isTrue();
            }
          }
        });
    // every PDB and Service selects something
    for (V1PodDisruptionBudget p : pdbs) {
      assertThat(longRunning.values())
          .as("PDB " + p.getMetadata().getName() + " selects pods")
          .anyMatch(t -> KubeObjects.matches(p.getSpec().getSelector(), KubeObjects.labels(t)));
      assertThat(p.getSpec().getMinAvailable() == null || p.getSpec().getMaxUnavailable() == null)
          .isTrue();
    }
    for (V1Service s : services) {
      if (!"ExternalName".equals(s.getSpec().getType())) {
        assertThat(longRunning.values())
            .as("Service " + s.getMetadata().getName() + " selects pods")
            .anyMatch(t -> KubeObjects.matches(s.getSpec().getSelector(), KubeObjects.labels(t)));
      }
    }
    for (V1StatefulSet sts : overlay.all("StatefulSet", V1StatefulSet.class)) {
      V1Service headless =
          services.stream()
              .filter(s -> s.getMetadata().getName().equals(sts.getSpec().getServiceName()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "StatefulSet "
                              + sts.getMetadata().getName()
                              + ": no Service "
                              + sts.getSpec().getServiceName()));
      assertThat(headless.getSpec().getClusterIP())
          .as(headless.getMetadata().getName())
          .isEqualTo("None");
      assertThat(sts.getSpec().getVolumeClaimTemplates())
          .as(sts.getMetadata().getName() + " PVC")
          .isNotEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void gatewayUserAndAppServiceAutoscaleAndTheHpaOwnsTheirReplicas(String name) {
    Overlay overlay = Overlay.of(name);
    List<V2HorizontalPodAutoscaler> hpas =
        overlay.all("HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class);
    assertThat(hpas)
        .extracting(h -> h.getSpec().getScaleTargetRef().getName())
        .containsExactlyInAnyOrder("gateway-service", "user-service", "app-service");
    for (V2HorizontalPodAutoscaler hpa : hpas) {
      String target = hpa.getSpec().getScaleTargetRef().getName();
      assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
      V1Deployment d = overlay.deployment(target);
      assertThat(d.getSpec().getReplicas())
          .as(target + ": no replicas (an apply would fight the HPA)")
          .isNull();
      assertThat(hpa.getSpec().getMinReplicas()).as(target + " minReplicas").isPositive();
      assertThat(hpa.getSpec().getMaxReplicas())
          .as(target + " maxReplicas")
          .isGreaterThanOrEqualTo(hpa.getSpec().getMinReplicas());
      assertThat(hpa.getSpec().getMetrics()).as(target + " metrics").isNotEmpty();
    }
    assertThat(overlay.deployment("sync-worker").getSpec().getReplicas())
        .as("sync-worker replicas")
        .isPositive();
  }

  // ---------------------------------------------------------------- settings and secrets

  @ParameterizedTest
  @MethodSource("overlays")
  void settingsNameOnlyVariablesTheServicesRead(String name) {
    Overlay overlay = Overlay.of(name);
    for (String service : Repo.SERVICES) {
      V1Container c = single(overlay.deployment(service).getSpec().getTemplate());
      Set<String> reads = ConfigNames.of(service);
      for (String var : overlay.environment(c).keySet()) {
        assertThat(reads)
            .as(name + ": " + service + " is given " + var + ", which it never reads")
            .contains(var);
      }
      Map.Entry<String, Integer> port = ConfigNames.port(service);
      String configured = overlay.environment(c).get(port.getKey());
      if (configured != null) {
        assertThat(Integer.parseInt(configured))
            .as(service + " " + port.getKey())
            .isEqualTo(port.getValue());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void servicesFindEachOtherAndShareTheirSecrets(String name) {
    Overlay overlay = Overlay.of(name);
    Map<String, String> gateway = env(overlay, "gateway-service");
    Map<String, String> user = env(overlay, "user-service");
    Map<String, String> app = env(overlay, "app-service");
    Map<String, String> sync = env(overlay, "sync-worker");

    assertRoutes(overlay, gateway.get("ASTRO_USER_SERVICE_URL"), "user-service");
    assertRoutes(overlay, gateway.get("ASTRO_APP_SERVICE_URL"), "app-service");
    assertRoutes(overlay, app.get("ASTRO_JWKS_URL"), "user-service");
    assertRoutes(overlay, app.get("ASTRO_USER_SERVICE_URL"), "user-service");
    assertThat(URI.create(app.get("ASTRO_JWKS_URL")).getPath()).isEqualTo("/.well-known/jwks.json");
    assertRoutes(overlay, app.get("ASTRO_SYNC_WORKER_URL"), "sync-worker");

    // the cluster new apps go to is one the sync-worker knows: in-cluster here
    assertThat(sync.get("ASTRO_CLUSTERS")).isEqualTo("default=in-cluster");
    assertThat(app.get("ASTRO_DEFAULT_CLUSTER")).isEqualTo("default");
    assertThat(
            overlay
                .deployment("sync-worker")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getServiceAccountName())
        .isEqualTo("sync-worker");

    // the same Secret behind the shared token and keys
    for (String secret : List.of("ASTRO_INTERNAL_TOKEN", "ASTRO_KUBECONFIG_KEYS")) {
      assertThat(secretBehind(overlay, "app-service", secret))
          .as(secret + " on app-service and sync-worker")
          .isEqualTo(secretBehind(overlay, "sync-worker", secret));
    }
    assertThat(secretBehind(overlay, "user-service", "ASTRO_DB_PASSWORD").getKey())
        .isEqualTo("astro-db-users");
    assertThat(secretBehind(overlay, "app-service", "ASTRO_DB_PASSWORD").getKey())
        .isEqualTo("astro-db-apps");
    // every user-service replica signs with the same key (a per-pod throwaway pair would break the
    // JWKS)
    assertThat(secretBehind(overlay, "user-service", "ASTRO_JWT_PRIVATE_KEY").getKey())
        .isEqualTo("astro-jwt");
    assertThat(secretBehind(overlay, "user-service", "ASTRO_JWT_PUBLIC_KEY").getKey())
        .isEqualTo("astro-jwt");

    assertThat(user.get("ASTRO_DB_NAME")).isEqualTo("astro_users");
    assertThat(app.get("ASTRO_DB_NAME")).isEqualTo("astro_apps");
    for (Map<String, String> e : List.of(user, app)) {
      assertThat(overlay.find("Service", e.get("ASTRO_DB_HOST")))
          .as("database Service " + e.get("ASTRO_DB_HOST"))
          .isPresent();
    }
    for (Map<String, String> e : List.of(app, sync)) {
      String host = e.get("ASTRO_KAFKA_BOOTSTRAP").split(":")[0];
      boolean service = overlay.find("Service", host).isPresent();
      boolean strimzi =
          overlay.kind("Kafka").stream().anyMatch(k -> host.equals(k.name() + "-kafka-bootstrap"));
      assertThat(service || strimzi)
          .as("Kafka bootstrap " + host + " is a Service or a Strimzi bootstrap")
          .isTrue();
    }
    if (name.endsWith("prod")) {
      // app-service refuses to start without its sealing keys (KeyRing.fromEnv)
      assertThat(app).containsEntry("ASTRO_ENV", "production");
    }
  }

  @Test
  void secretTemplatesCarryNoValuesAndCoverEveryReference() {
    Map<String, Set<String>> templates = secretTemplates();
    assertThat(templates).isNotEmpty();
    for (String overlayName : overlays().toList()) {
      Overlay overlay = Overlay.of(overlayName);
      // what a Secret template provides, or Strimzi's operators write for the overlay's resources
      Map<String, Set<String>> provided = new TreeMap<>(templates);
      provided.putAll(strimziSecrets(overlay));
      assertThat(overlay.kind("Secret"))
          .as(overlayName + ": Secrets are created apart (k8s/secrets), never applied")
          .isEmpty();
      overlay
          .podTemplates()
          .forEach(
              (workload, pod) -> {
                for (V1Volume v :
                    Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of())) {
                  if (v.getSecret() != null) {
                    assertThat(provided)
                        .as(workload + " mounts Secret " + v.getSecret().getSecretName())
                        .containsKey(v.getSecret().getSecretName());
                    assertThat(v.getSecret().getItems())
                        .as(workload + ": whole Secrets only")
                        .isNullOrEmpty();
                  }
                  if (v.getConfigMap() != null) {
                    assertThat(overlay.find("ConfigMap", v.getConfigMap().getName()))
                        .as(workload + " mounts ConfigMap " + v.getConfigMap().getName())
                        .isPresent();
                  }
                }
                for (V1Container c : pod.getSpec().getContainers()) {
                  for (V1EnvVar var : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
                    if (var.getValueFrom() != null
                        && var.getValueFrom().getSecretKeyRef() != null) {
                      var ref = var.getValueFrom().getSecretKeyRef();
                      assertThat(provided.getOrDefault(ref.getName(), Set.of()))
                          .as(
                              workload
                                  + " "
                                  + var.getName()
                                  + " ← Secret "
                                  + ref.getName()
                                  + " key "
                                  + ref.getKey())
                          .contains(ref.getKey());
                    }
                  }
                  // every *_FILE setting names a file of a mounted Secret, by a key the template
                  // has
                  overlay
                      .environment(c)
                      .forEach(
                          (var, value) -> {
                            if (var.endsWith("_FILE")) {
                              Map.Entry<String, String> file =
                                  Overlay.secretFile(pod, c, value)
                                      .orElseThrow(
                                          () ->
                                              new AssertionError(
                                                  workload
                                                      + " "
                                                      + var
                                                      + "="
                                                      + value
                                                      + ": no Secret there"));
                              assertThat(provided.get(file.getKey()))
                                  .as(workload + " " + var + " → " + file)
                                  .contains(file.getValue());
                            }
                          });
                }
              });
    }
  }

  /**
   * The Secrets Strimzi's operators write for resources of the overlay, by the keys they hold: each
   * KafkaUser's SCRAM password (a Secret of the user's name) and each Kafka cluster's CA
   * certificate.
   */
  static Map<String, Set<String>> strimziSecrets(Overlay overlay) {
    Map<String, Set<String>> made = new TreeMap<>();
    for (KubeObjects.Doc user : overlay.kind("KafkaUser")) {
      made.put(user.name(), Set.of("password", "sasl.jaas.config"));
    }
    for (KubeObjects.Doc kafka : overlay.kind("Kafka")) {
      made.put(kafka.name() + "-cluster-ca-cert", Set.of("ca.crt", "ca.p12", "ca.password"));
    }
    return made;
  }

  /** Secret name → keys, from k8s/secrets/*.yaml; each value must be a placeholder. */
  static Map<String, Set<String>> secretTemplates() {
    Map<String, Set<String>> keys = new TreeMap<>();
    try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(Repo.path("k8s/secrets"))) {
      for (java.nio.file.Path file :
          files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Map<String, Object> raw : Kustomize.documents(file)) {
          KubeObjects.Doc doc = KubeObjects.parse(raw);
          assertThat(doc.kind()).as(file + " holds Secrets only").isEqualTo("Secret");
          assertThat(raw)
              .as(doc + ": stringData placeholders only, no data")
              .doesNotContainKey("data");
          Map<String, Object> data = Kustomize.cast(raw.get("stringData"));
          assertThat(data).as(doc + " stringData").isNotEmpty();
          data.forEach(
              (key, value) ->
                  assertThat(placeholder(value))
                      .as(doc + " " + key + " = " + value + " looks like a real value: use <…>")
                      .isTrue());
          keys.put(doc.name(), data.keySet());
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return keys;
  }

  /** {@code "<what goes here>"}: no PEM block, nothing long and random-looking inside. */
  static boolean placeholder(Object value) {
    if (!(value instanceof String s) || !s.matches("<[^<>]*>")) {
      return false;
    }
    return !s.contains("-----BEGIN") && !Pattern.compile("[A-Za-z0-9+/=_-]{20,}").matcher(s).find();
  }

  // ---------------------------------------------------------------- RBAC

  @ParameterizedTest
  @MethodSource("overlays")
  void rbacGrantsOnlyTheSyncWorkerOnlyWhatItNeeds(String name) {
    Overlay overlay = Overlay.of(name);
    List<V1ClusterRoleBinding> clusterBindings =
        overlay.all("ClusterRoleBinding", V1ClusterRoleBinding.class);
    List<V1RoleBinding> bindings = overlay.all("RoleBinding", V1RoleBinding.class);
    Set<String> boundRoles = new HashSet<>();
    clusterBindings.forEach(
        b -> {
          assertSyncWorker(b.getSubjects(), "ClusterRoleBinding " + b.getMetadata().getName());
          assertThat(b.getRoleRef().getKind()).isEqualTo("ClusterRole");
          boundRoles.add("ClusterRole/" + b.getRoleRef().getName());
        });
    bindings.forEach(
        b -> {
          assertSyncWorker(b.getSubjects(), "RoleBinding " + b.getMetadata().getName());
          boundRoles.add(b.getRoleRef().getKind() + "/" + b.getRoleRef().getName());
        });
    List<V1PolicyRule> rules = new ArrayList<>();
    for (V1ClusterRole role : overlay.all("ClusterRole", V1ClusterRole.class)) {
      assertThat(boundRoles)
          .as("ClusterRole " + role.getMetadata().getName() + " is bound")
          .contains("ClusterRole/" + role.getMetadata().getName());
      assertThat(role.getAggregationRule()).isNull();
      rules.addAll(role.getRules());
    }
    for (V1Role role : overlay.all("Role", V1Role.class)) {
      rules.addAll(role.getRules());
    }
    assertThat(boundRoles)
        .as("every binding names a role that is rendered")
        .allMatch(
            r ->
                overlay
                    .find(r.substring(0, r.indexOf('/')), r.substring(r.indexOf('/') + 1))
                    .isPresent());
    assertThat(rules).as("the sync-worker's rules").isNotEmpty();
    for (V1PolicyRule rule : rules) {
      assertThat(rule.getNonResourceURLs()).as("nonResourceURLs").isNullOrEmpty();
      assertThat(rule.getResourceNames()).as("resourceNames").isNullOrEmpty();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          Set<String> may = SYNC_WORKER_MAY.get(group + "/" + resource);
          assertThat(may).as("the sync-worker may not touch " + group + "/" + resource).isNotNull();
          assertThat(may).as(group + "/" + resource + " verbs").containsAll(rule.getVerbs());
        }
      }
    }
    // every required row of docs/rbac.md is granted (cluster-wide: user namespaces come and go)
    for (ClusterRights.Right right : ClusterRights.required()) {
      assertThat(
              rules.stream()
                  .anyMatch(
                      rule ->
                          rule.getApiGroups().contains(right.group())
                              && rule.getResources().contains(right.resource())
                              && rule.getVerbs().contains(right.verb())))
          .as("the ClusterRole grants " + right.describe())
          .isTrue();
    }
    // no token where no code calls the API
    for (V1ServiceAccount sa : overlay.all("ServiceAccount", V1ServiceAccount.class)) {
      boolean syncWorker = sa.getMetadata().getName().equals("sync-worker");
      assertThat(sa.getAutomountServiceAccountToken())
          .as("ServiceAccount " + sa.getMetadata().getName())
          .isEqualTo(syncWorker);
    }
    overlay
        .podTemplates()
        .forEach(
            (workload, pod) -> {
              boolean syncWorker = workload.equals("Deployment/sync-worker");
              assertThat(pod.getSpec().getAutomountServiceAccountToken())
                  .as(workload + " automountServiceAccountToken")
                  .isEqualTo(syncWorker);
              String sa = pod.getSpec().getServiceAccountName();
              if (sa != null) {
                assertThat(overlay.find("ServiceAccount", sa))
                    .as(workload + " ServiceAccount " + sa)
                    .isPresent();
              }
            });
  }

  @Test
  void rbacCoversEveryResourceTheSyncWorkerCodeCalls() {
    Set<String> granted = new HashSet<>();
    for (V1ClusterRole role : Overlay.of("overlays/prod").all("ClusterRole", V1ClusterRole.class)) {
      for (V1PolicyRule rule : role.getRules()) {
        for (String resource : rule.getResources()) {
          rule.getVerbs().forEach(verb -> granted.add(resource + ":" + verb));
        }
      }
    }
    // what the code calls: typed API methods, and GenericKubernetesApi over a resource
    // (create/get/update/delete)
    Map<Pattern, List<String>> calls = new java.util.LinkedHashMap<>();
    calls.put(Pattern.compile("list(\\w+)ForAllNamespaces\\("), List.of("list", "watch"));
    calls.put(Pattern.compile("listNamespaced(\\w+)\\("), List.of("list"));
    calls.put(Pattern.compile("readNamespaced(\\w+)\\("), List.of("get"));
    calls.put(Pattern.compile("\\blist(Node)\\("), List.of("list"));
    Set<String> used = new java.util.TreeSet<>();
    try (Stream<java.nio.file.Path> files =
        java.nio.file.Files.walk(Repo.path("sync-worker/src/main/java"))) {
      for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Repo.read(file);
        // the operators' views read once per request: a list across namespaces there is no
        // informer, so it needs no watch
        boolean views = file.toString().contains("/sync/views/");
        calls.forEach(
            (pattern, verbs) -> {
              Matcher m = pattern.matcher(source);
              while (m.find()) {
                String resource = resource(m.group(1));
                verbs.stream()
                    .filter(v -> !(views && v.equals("watch")))
                    .forEach(v -> used.add(resource + ":" + v));
              }
            });
        Map<String, String> nodeCalls =
            Map.of(
                "readNode(", "nodes:get",
                "patchNode(", "nodes:patch",
                "createNamespacedPodEviction(", "pods/eviction:create",
                "listNamespace(", "namespaces:list");
        nodeCalls.forEach(
            (call, right) -> {
              if (source.contains(call)) {
                used.add(right);
              }
            });
        Matcher generic =
            Pattern.compile("\"[a-z.]*\",\\s*\"v1\",\\s*\"([a-z]+)\",\\s*client").matcher(source);
        while (generic.find()) {
          for (String verb : List.of("get", "create", "update")) {
            used.add(generic.group(1) + ":" + verb);
          }
        }
        if (source.contains("V1Lease") || source.contains("CoordinationV1Api")) {
          used.add("leases:get");
        }
        if (source.contains("listNamespacedReplicaSet") || source.contains("V1ReplicaSetList")) {
          used.add("replicasets:list");
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertThat(used)
        .as("calls found in the sync-worker")
        .contains(
            "deployments:list",
            "pods:list",
            "namespaces:get",
            "pods/log:get",
            "nodes:list",
            "nodes:patch",
            "pods/eviction:create",
            "resourcequotas:list");
    assertThat(granted)
        .as("the sync-worker's ClusterRole grants what its code calls")
        .containsAll(used);
  }

  // PodLog → pods/log, Deployment → deployments, Node → nodes, Event → events
  private static String resource(String type) {
    if (type.equals("PodLog")) {
      return "pods/log";
    }
    String lower = type.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + type.substring(1);
    String plain = lower.toLowerCase(java.util.Locale.ROOT);
    return plain.endsWith("y")
        ? plain.substring(0, plain.length() - 1) + "ies"
        : plain + (plain.endsWith("s") ? "es" : "s");
  }

  private static void assertSyncWorker(
      List<io.kubernetes.client.openapi.models.RbacV1Subject> subjects, String where) {
    assertThat(subjects)
        .as(where + " subjects")
        .isNotEmpty()
        .allSatisfy(
            s -> {
              assertThat(s.getKind()).as(where).isEqualTo("ServiceAccount");
              assertThat(s.getName()).as(where).isEqualTo("sync-worker");
              assertThat(s.getNamespace()).as(where).isEqualTo(NAMESPACE);
            });
  }

  // ---------------------------------------------------------------- NetworkPolicies

  @ParameterizedTest
  @MethodSource("overlays")
  void networkPoliciesSelectExistingPodsAndOnlyTheGatewayIsOpen(String name) {
    Overlay overlay = Overlay.of(name);
    Map<String, V1PodTemplateSpec> pods = overlay.podTemplates();
    List<V1NetworkPolicy> policies = overlay.all("NetworkPolicy", V1NetworkPolicy.class);
    assertThat(policies)
        .as("a default deny")
        .anyMatch(
            p ->
                selectsAll(p.getSpec().getPodSelector())
                    && (p.getSpec().getIngress() == null || p.getSpec().getIngress().isEmpty())
                    && p.getSpec().getPolicyTypes().contains("Ingress"));
    // who may reach what: target app name → source app names (null: from outside the namespace)
    Map<String, Set<String>> reach = new TreeMap<>();
    for (V1NetworkPolicy p : policies) {
      String where = "NetworkPolicy " + p.getMetadata().getName();
      List<Map.Entry<String, V1PodTemplateSpec>> targets =
          pods.entrySet().stream()
              .filter(e -> selects(p.getSpec().getPodSelector(), e.getValue()))
              .toList();
      assertThat(targets).as(where + " selects pods").isNotEmpty();
      for (V1NetworkPolicyIngressRule rule :
          Optional.ofNullable(p.getSpec().getIngress()).orElse(List.of())) {
        for (V1NetworkPolicyPort port : Optional.ofNullable(rule.getPorts()).orElse(List.of())) {
          for (var target : targets) {
            assertThat(
                    target.getValue().getSpec().getContainers().stream()
                        .anyMatch(c -> resolves(c, port.getPort())))
                .as(where + " port " + port.getPort() + " on " + target.getKey())
                .isTrue();
          }
        }
        List<V1NetworkPolicyPeer> from = Optional.ofNullable(rule.getFrom()).orElse(List.of());
        Set<String> sources = new HashSet<>();
        if (from.isEmpty()) {
          sources.add("*");
        }
        for (V1NetworkPolicyPeer peer : from) {
          if (peer.getIpBlock() != null) {
            sources.add("*");
          } else if (peer.getNamespaceSelector() != null) {
            Map<String, String> ns = peer.getNamespaceSelector().getMatchLabels();
            assertThat(peer.getPodSelector())
                .as(where + ": a namespace peer with a pod selector")
                .isNull();
            sources.add("namespace:" + (ns == null ? "*" : ns.get("kubernetes.io/metadata.name")));
          } else {
            List<String> matched =
                pods.entrySet().stream()
                    .filter(e -> selects(peer.getPodSelector(), e.getValue()))
                    .map(e -> app(e.getValue()))
                    .toList();
            assertThat(matched)
                .as(where + " from " + peer.getPodSelector() + " selects pods")
                .isNotEmpty();
            sources.addAll(matched);
          }
        }
        for (var target : targets) {
          reach.computeIfAbsent(app(target.getValue()), k -> new HashSet<>()).addAll(sources);
        }
      }
    }
    assertThat(reach.get("gateway-service"))
        .as("the gateway is reachable from anywhere")
        .contains("*");
    reach.forEach(
        (target, sources) -> {
          if (!target.equals("gateway-service")) {
            assertThat(sources)
                .as(target + " is reachable from outside the namespace only by Prometheus")
                .allMatch(
                    s ->
                        !s.equals("*")
                            && (!s.startsWith("namespace:") || s.equals("namespace:monitoring")));
          }
        });
    assertThat(reach.get("user-service"))
        .as("user-service")
        .containsExactlyInAnyOrder("gateway-service", "app-service", "namespace:monitoring");
    assertThat(reach.get("app-service"))
        .as("app-service")
        .containsExactlyInAnyOrder("gateway-service", "user-service", "namespace:monitoring");
    assertThat(reach.get("sync-worker"))
        .as("sync-worker")
        .containsExactlyInAnyOrder("app-service", "namespace:monitoring");
    if (reach.containsKey("mysql")) {
      assertThat(reach.get("mysql"))
          .as("mysql")
          .containsExactlyInAnyOrder("user-service", "app-service");
    }
    if (reach.containsKey("kafka")) {
      assertThat(reach.get("kafka"))
          .as("kafka")
          .containsExactlyInAnyOrder("user-service", "app-service", "sync-worker", "kafka-topics");
    }
    // Strimzi writes the brokers' policy from networkPolicyPeers: the same services, nobody else
    for (KubeObjects.Doc kafka : overlay.kind("Kafka")) {
      for (Object listener : Kustomize.list(nested(kafka.raw(), "spec", "kafka", "listeners"))) {
        List<?> peers = Kustomize.list(Kustomize.cast(listener).get("networkPolicyPeers"));
        assertThat(peers).as(kafka + " listener networkPolicyPeers").isNotEmpty();
        Set<String> names = new HashSet<>();
        for (Object peer : peers) {
          names.add(String.valueOf(nested(Kustomize.cast(peer), "podSelector", "matchLabels")));
        }
        assertThat(names)
            .containsExactlyInAnyOrder(
                "{app.kubernetes.io/name=user-service}",
                "{app.kubernetes.io/name=app-service}",
                "{app.kubernetes.io/name=sync-worker}");
      }
    }
  }

  // ---------------------------------------------------------------- transport security (prod)

  /**
   * What each service may do on Kafka, as its code does it: the KafkaUser's ACLs are exactly these
   * (operation resource-type:name).
   */
  private static final Map<String, Set<String>> KAFKA_ACLS =
      Map.of(
          "app-service",
          Set.of(
              "Write topic:astro.app.commands",
              "Describe topic:astro.app.commands",
              "Write topic:astro.clusters",
              "Describe topic:astro.clusters",
              "Read topic:astro.app.status",
              "Describe topic:astro.app.status",
              "Read topic:astro.cluster.status",
              "Describe topic:astro.cluster.status",
              "Write topic:astro.app.status.dlq",
              "Describe topic:astro.app.status.dlq",
              "Write topic:astro.cluster.status.dlq",
              "Describe topic:astro.cluster.status.dlq",
              "Read group:app-service",
              "Read group:app-service-clusters",
              "Read topic:astro.users",
              "Describe topic:astro.users",
              "Write topic:astro.users.dlq",
              "Describe topic:astro.users.dlq",
              "Read group:app-service-users",
              // the audit trail: written by its outbox, read into the audit table
              "Read topic:astro.audit",
              "Write topic:astro.audit",
              "Describe topic:astro.audit",
              "Write topic:astro.audit.dlq",
              "Describe topic:astro.audit.dlq",
              "Read group:app-service-audit",
              "Describe cluster:"),
          "user-service",
          Set.of(
              "Write topic:astro.users",
              "Describe topic:astro.users",
              "Write topic:astro.audit",
              "Describe topic:astro.audit"),
          "sync-worker",
          Set.of(
              "Read topic:astro.app.commands",
              "Describe topic:astro.app.commands",
              "Read topic:astro.clusters",
              "Describe topic:astro.clusters",
              "Write topic:astro.app.status",
              "Describe topic:astro.app.status",
              "Write topic:astro.cluster.status",
              "Describe topic:astro.cluster.status",
              "Write topic:astro.app.commands.dlq",
              "Describe topic:astro.app.commands.dlq",
              "Write topic:astro.clusters.dlq",
              "Describe topic:astro.clusters.dlq",
              "Read group:sync-worker"));

  @Test
  void prodTalksToKafkaOverVerifiedTlsAsOneScramUserPerServiceWithOnlyItsAcls() {
    Overlay prod = Overlay.of("overlays/prod");
    List<KubeObjects.Doc> clusters = prod.kind("Kafka");
    assertThat(clusters).hasSize(1);
    KubeObjects.Doc kafka = clusters.get(0);
    assertThat(nested(kafka.raw(), "spec", "kafka", "authorization", "type"))
        .as("authorization")
        .isEqualTo("simple");
    assertThat(nested(kafka.raw(), "spec", "entityOperator"))
        .as("the user operator writes the KafkaUsers' Secrets and ACLs")
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsKey("userOperator");
    Set<Integer> ports = new HashSet<>();
    for (Object l : Kustomize.list(nested(kafka.raw(), "spec", "kafka", "listeners"))) {
      Map<String, Object> listener = Kustomize.cast(l);
      assertThat(listener.get("tls"))
          .as("listener " + listener.get("name") + " tls")
          .isEqualTo(true);
      assertThat(nested(listener, "authentication", "type"))
          .as("listener " + listener.get("name") + " authentication")
          .isEqualTo("scram-sha-512");
      ports.add(((Number) listener.get("port")).intValue());
    }

    Map<String, Set<String>> acls = new TreeMap<>();
    for (KubeObjects.Doc user : prod.kind("KafkaUser")) {
      assertThat(nested(user.raw(), "spec", "authentication", "type"))
          .as(user + " authentication")
          .isEqualTo("scram-sha-512");
      assertThat(Kustomize.cast(Kustomize.metadata(user.raw()).get("labels")))
          .as(user + " cluster")
          .containsEntry("strimzi.io/cluster", kafka.name());
      Set<String> granted = new TreeSet<>();
      for (Object a : Kustomize.list(nested(user.raw(), "spec", "authorization", "acls"))) {
        Map<String, Object> acl = Kustomize.cast(a);
        Map<String, Object> resource = Kustomize.cast(acl.get("resource"));
        String type = (String) resource.get("type");
        if (!type.equals("cluster")) {
          assertThat(resource.get("patternType"))
              .as(user + " " + resource + ": one named resource, never a prefix")
              .isEqualTo("literal");
          assertThat((String) resource.get("name")).as(user + " " + resource).doesNotContain("*");
        }
        for (Object op : Kustomize.list(acl.get("operations"))) {
          granted.add(op + " " + type + ":" + (type.equals("cluster") ? "" : resource.get("name")));
        }
      }
      acls.put(user.name(), granted);
    }
    assertThat(acls).as("KafkaUsers' ACLs").isEqualTo(new TreeMap<>(KAFKA_ACLS));
    Set<String> topics = new TreeSet<>();
    prod.kind("KafkaTopic").forEach(t -> topics.add((String) nested(t.raw(), "spec", "topicName")));
    KAFKA_ACLS.values().stream()
        .flatMap(Set::stream)
        .filter(acl -> acl.contains(" topic:"))
        .forEach(acl -> assertThat(topics).as(acl).contains(acl.substring(acl.indexOf(':') + 1)));

    for (String service : KAFKA_ACLS.keySet()) {
      V1PodTemplateSpec pod = prod.deployment(service).getSpec().getTemplate();
      V1Container c = single(pod);
      Map<String, String> e = prod.environment(c);
      String[] bootstrap = e.get("ASTRO_KAFKA_BOOTSTRAP").split(":");
      assertThat(bootstrap[0]).isEqualTo(kafka.name() + "-kafka-bootstrap");
      assertThat(ports).as(service + " bootstrap port").contains(Integer.parseInt(bootstrap[1]));
      assertThat(e)
          .as(service)
          .containsEntry("ASTRO_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
          .containsEntry("ASTRO_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
          .containsEntry("ASTRO_KAFKA_USERNAME", service)
          .containsEntry("ASTRO_KAFKA_TRUSTSTORE_TYPE", "PEM");
      assertThat(Overlay.secretFile(pod, c, e.get("ASTRO_KAFKA_PASSWORD_FILE")))
          .as(service + " password: its KafkaUser's Secret")
          .contains(Map.entry(service, "password"));
      assertThat(Overlay.secretFile(pod, c, e.get("ASTRO_KAFKA_TRUSTSTORE")))
          .as(service + " truststore: the cluster CA")
          .contains(Map.entry(kafka.name() + "-cluster-ca-cert", "ca.crt"));
    }
  }

  @Test
  void prodTalksToMysqlOverTlsVerifyingTheServersCertificateAndName() {
    Overlay prod = Overlay.of("overlays/prod");
    for (String service : List.of("user-service", "app-service")) {
      V1PodTemplateSpec pod = prod.deployment(service).getSpec().getTemplate();
      V1Container c = single(pod);
      Map<String, String> e = prod.environment(c);
      assertThat(e).as(service).containsEntry("ASTRO_DB_TLS", "verify-full");
      String ca = e.get("ASTRO_DB_TLS_CA");
      assertThat(ca).as(service + " ASTRO_DB_TLS_CA").isNotBlank();
      String dir = ca.substring(0, ca.lastIndexOf('/'));
      String mount =
          c.getVolumeMounts().stream()
              .filter(m -> m.getMountPath().equals(dir))
              .map(V1VolumeMount::getName)
              .findFirst()
              .orElseThrow(() -> new AssertionError(service + ": nothing mounted at " + dir));
      V1Volume volume =
          pod.getSpec().getVolumes().stream()
              .filter(v -> v.getName().equals(mount))
              .findFirst()
              .orElseThrow();
      assertThat(volume.getConfigMap()).as(service + " " + dir).isNotNull();
      V1ConfigMap cm =
          prod.find("ConfigMap", volume.getConfigMap().getName())
              .orElseThrow()
              .as(V1ConfigMap.class);
      assertThat(cm.getData())
          .as(cm.getMetadata().getName())
          .containsKey(ca.substring(dir.length() + 1));
    }
  }

  // ---------------------------------------------------------------- Kafka topics, monitoring

  @ParameterizedTest
  @MethodSource("overlays")
  void theTopicsAreCreatedAsTheDesignSays(String name) {
    Overlay overlay = Overlay.of(name);
    Map<String, Topic> expected = Topics.expected();
    Map<String, Topic> script =
        Topics.fromScript(Repo.read("k8s/base/infra/kafka/create-topics.sh"));
    assertThat(script).as("create-topics.sh").isEqualTo(expected);
    if (name.endsWith("dev")) {
      V1ConfigMap cm =
          overlay.find("ConfigMap", "astro-kafka-topics").orElseThrow().as(V1ConfigMap.class);
      assertThat(cm.getData()).containsKey("create-topics.sh");
      assertThat(overlay.find("Job", "kafka-topics")).isPresent();
    } else {
      Map<String, Topic> strimzi = new TreeMap<>();
      Set<String> clusters = new HashSet<>();
      overlay.kind("Kafka").forEach(k -> clusters.add(k.name()));
      assertThat(clusters).hasSize(1);
      for (KubeObjects.Doc t : overlay.kind("KafkaTopic")) {
        Map<String, Object> spec = Kustomize.cast(t.raw().get("spec"));
        Map<String, Object> config = Kustomize.cast(spec.get("config"));
        strimzi.put(
            (String) spec.get("topicName"),
            new Topic(
                ((Number) spec.get("partitions")).intValue(),
                "compact".equals(config.get("cleanup.policy"))));
        assertThat(Kustomize.cast(Kustomize.metadata(t.raw()).get("labels")))
            .as(t + " cluster")
            .containsEntry("strimzi.io/cluster", clusters.iterator().next());
      }
      assertThat(strimzi).as("KafkaTopics").isEqualTo(expected);
      for (KubeObjects.Doc pool : overlay.kind("KafkaNodePool")) {
        assertThat(Kustomize.cast(Kustomize.metadata(pool.raw()).get("labels")))
            .as(pool + " cluster")
            .containsEntry("strimzi.io/cluster", clusters.iterator().next());
      }
      assertThat(
              String.valueOf(
                  nested(
                      overlay.kind("Kafka").get(0).raw(),
                      "spec",
                      "kafka",
                      "config",
                      "auto.create.topics.enable")))
          .isEqualTo("false");
    }
  }

  @Test
  void theServiceMonitorScrapesEveryServicesMetrics() {
    Overlay prod = Overlay.of("overlays/prod");
    List<KubeObjects.Doc> monitors = prod.kind("ServiceMonitor");
    assertThat(monitors).hasSize(1);
    Map<String, Object> spec = Kustomize.cast(monitors.get(0).raw().get("spec"));
    var selector =
        io.kubernetes.client.util.Yaml.loadAs(
            KubeObjects.dump(spec.get("selector")),
            io.kubernetes.client.openapi.models.V1LabelSelector.class);
    List<String> scraped =
        prod.services().stream()
            .filter(s -> KubeObjects.matches(selector, s.getMetadata().getLabels()))
            .map(s -> s.getMetadata().getName())
            .toList();
    assertThat(scraped).containsExactlyInAnyOrderElementsOf(Repo.SERVICES);
    for (Object endpoint : Kustomize.list(spec.get("endpoints"))) {
      Map<String, Object> e = Kustomize.cast(endpoint);
      assertThat(e).containsEntry("path", "/metrics");
      // the public port "http" answers /metrics 404
      assertThat(e).containsEntry("port", "management");
      for (String service : Repo.SERVICES) {
        V1Service s =
            prod.services().stream()
                .filter(x -> x.getMetadata().getName().equals(service))
                .findFirst()
                .orElseThrow();
        assertThat(s.getSpec().getPorts())
            .as(service + " port " + e.get("port"))
            .anyMatch(p -> Objects.equals(p.getName(), e.get("port")));
      }
    }
    assertThat(Kustomize.list(nested(spec, "namespaceSelector", "matchNames")))
        .containsExactly(NAMESPACE);
  }

  // ---------------------------------------------------------------- helpers

  record Topic(int partitions, boolean compacted) {}

  /** The topics the services use (common's Topics.java, with a dead-letter topic each). */
  static final class Topics {
    private Topics() {}

    static Map<String, Topic> expected() {
      String source = Repo.read("common-events/src/main/java/io/astro/common/events/Topics.java");
      Matcher m =
          Pattern.compile(
                  "/\\*\\*([^*]|\\*(?!/))*\\*/\\s*public static final String \\w+ = \"(astro\\.[a-z.]+)\"")
              .matcher(source);
      Map<String, Topic> topics = new TreeMap<>();
      Map<String, Integer> partitions = fromScriptPartitions();
      while (m.find()) {
        String topic = m.group(2);
        boolean compacted = m.group().contains("Compacted");
        topics.put(topic, new Topic(partitions.getOrDefault(topic, -1), compacted));
        topics.put(topic + ".dlq", new Topic(partitions.getOrDefault(topic + ".dlq", -1), false));
      }
      assertThat(topics).as("topics in Topics.java").hasSize(12);
      assertThat(topics.values())
          .as("every topic has its partitions in create-topics.sh")
          .allMatch(t -> t.partitions() > 0);
      return topics;
    }

    private static Map<String, Integer> fromScriptPartitions() {
      Map<String, Integer> p = new HashMap<>();
      fromScript(Repo.read("k8s/base/infra/kafka/create-topics.sh"))
          .forEach((k, v) -> p.put(k, v.partitions()));
      return p;
    }

    static Map<String, Topic> fromScript(String script) {
      Matcher m = Pattern.compile("(?m)^topic (\\S+)\\s+(\\d+)\\s*(compact)?\\s*$").matcher(script);
      Map<String, Topic> topics = new TreeMap<>();
      while (m.find()) {
        topics.put(m.group(1), new Topic(Integer.parseInt(m.group(2)), m.group(3) != null));
      }
      return topics;
    }
  }

  private static Map<String, String> env(Overlay overlay, String service) {
    return overlay.environment(single(overlay.deployment(service).getSpec().getTemplate()));
  }

  /**
   * The Secret (and key) a service's {@code NAME} comes from, via {@code NAME_FILE} or a
   * secretKeyRef.
   */
  private static Map.Entry<String, String> secretBehind(
      Overlay overlay, String service, String name) {
    V1PodTemplateSpec pod = overlay.deployment(service).getSpec().getTemplate();
    V1Container c = single(pod);
    String file = overlay.environment(c).get(name + "_FILE");
    if (file != null) {
      return Overlay.secretFile(pod, c, file)
          .orElseThrow(() -> new AssertionError(service + " " + name + "_FILE"));
    }
    for (V1EnvVar var : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
      if (var.getName().equals(name)
          && var.getValueFrom() != null
          && var.getValueFrom().getSecretKeyRef() != null) {
        return Map.entry(
            var.getValueFrom().getSecretKeyRef().getName(),
            var.getValueFrom().getSecretKeyRef().getKey());
      }
    }
    return fail(service + " gets " + name + " from no Secret");
  }

  private static void assertRoutes(Overlay overlay, String url, String service) {
    assertThat(url).as("URL to " + service).isNotNull();
    URI uri = URI.create(url);
    V1Service s =
        overlay.services().stream()
            .filter(x -> x.getMetadata().getName().equals(uri.getHost()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(url + ": no Service " + uri.getHost()));
    assertThat(s.getSpec().getPorts())
        .as(url + " port")
        .anyMatch(p -> p.getPort() == uri.getPort());
    assertThat(
            KubeObjects.matches(
                s.getSpec().getSelector(),
                KubeObjects.labels(overlay.deployment(service).getSpec().getTemplate())))
        .as(url + " reaches " + service)
        .isTrue();
  }

  static V1Container single(V1PodTemplateSpec pod) {
    assertThat(pod.getSpec().getContainers()).hasSize(1);
    return pod.getSpec().getContainers().get(0);
  }

  private static String http(V1Probe probe) {
    assertThat(probe).isNotNull();
    V1HTTPGetAction get = probe.getHttpGet();
    assertThat(get).as("an HTTP probe").isNotNull();
    return get.getPath();
  }

  private static Optional<IntOrString> portOf(V1Probe probe) {
    if (probe.getHttpGet() != null) {
      return Optional.of(probe.getHttpGet().getPort());
    }
    if (probe.getTcpSocket() != null) {
      return Optional.of(probe.getTcpSocket().getPort());
    }
    return Optional.empty();
  }

  /** A port number or name that one of the container's ports has. */
  static boolean resolves(V1Container c, IntOrString port) {
    if (port == null) {
      return false;
    }
    return Optional.ofNullable(c.getPorts()).orElse(List.of()).stream()
        .anyMatch(
            p ->
                port.isInteger()
                    ? p.getContainerPort().equals(port.getIntValue())
                    : port.getStrValue().equals(p.getName()));
  }

  private static boolean selects(
      io.kubernetes.client.openapi.models.V1LabelSelector selector, V1PodTemplateSpec pod) {
    return selector != null
        && (selectsAll(selector) || KubeObjects.matches(selector, KubeObjects.labels(pod)));
  }

  private static boolean selectsAll(io.kubernetes.client.openapi.models.V1LabelSelector selector) {
    return selector != null
        && (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
        && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
  }

  private static String app(V1PodTemplateSpec pod) {
    return KubeObjects.labels(pod).get("app.kubernetes.io/name");
  }

  private static Object nested(Map<String, Object> map, String... path) {
    Object current = map;
    for (String key : path) {
      current = current == null ? null : Kustomize.cast(current).get(key);
    }
    return current;
  }
}
