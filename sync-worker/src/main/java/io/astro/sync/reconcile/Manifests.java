package io.astro.sync.reconcile;

import io.astro.common.events.app.AppCommand;
import io.astro.common.events.app.AppCommand.HealthCheck;
import io.astro.common.kube.KubeNames;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1HTTPGetAction;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1HTTPIngressRuleValue;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressSpec;
import io.kubernetes.client.openapi.models.V1IngressTLS;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1LimitRangeSpec;
import io.kubernetes.client.openapi.models.V1LocalObjectReference;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyEgressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import io.kubernetes.client.openapi.models.V1NetworkPolicySpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1RollingUpdateDeployment;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1TCPSocketAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The whole desired objects of an app and of its user's namespace, with {@code apiVersion} and
 * {@code kind} set. Each carries the hash of what it was built from ({@value
 * KubeNames#SPEC_HASH_ANNOTATION}), so an unchanged object is recognised without comparing fields a
 * server may have defaulted.
 */
public final class Manifests {

  /** Kubernetes' own default of {@code spec.progressDeadlineSeconds} is 600 s; Astro's is 120 s. */
  public static final Duration DEFAULT_ROLLOUT_DEADLINE = Duration.ofMinutes(2);

  /**
   * The old ReplicaSets a Deployment keeps ({@code spec.revisionHistoryLimit}; Kubernetes keeps
   * 10). Astro's releases are its history: each release's pod template carries its number, so a
   * rollback is a new release and never brings an old ReplicaSet back. Two are kept for an
   * operator's {@code kubectl rollout history}; more would only be objects that every cluster
   * stores and the worker's ReplicaSet informer holds.
   */
  static final int REPLICA_SET_HISTORY = 2;

  /** The Secret type {@code imagePullSecrets} accept. */
  public static final String DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson";

  private final TenantPolicy policy;
  private final Duration rolloutDeadline;
  private final ClusterUrls urls;

  // the hashes of each app's objects by what they were built from; the policy and the rollout
  // deadline are the same for every object built here
  private final SpecHashes deploymentHashes = new SpecHashes();
  private final SpecHashes serviceHashes = new SpecHashes();
  private final SpecHashes ingressHashes = new SpecHashes();

  public Manifests(TenantPolicy policy) {
    this(policy, DEFAULT_ROLLOUT_DEADLINE);
  }

  /** Every cluster with the policy's public-URL settings. */
  public Manifests(TenantPolicy policy, Duration rolloutDeadline) {
    this(policy, rolloutDeadline, new ClusterUrls(policy.publicUrls()));
  }

  /**
   * {@code rolloutDeadline} is the Deployments' {@code progressDeadlineSeconds}: a release whose
   * pods are not available by then has failed to roll out. {@code urls}: each cluster's public-URL
   * settings.
   */
  public Manifests(TenantPolicy policy, Duration rolloutDeadline, ClusterUrls urls) {
    this.policy = policy;
    this.rolloutDeadline = rolloutDeadline;
    this.urls = urls;
  }

  public static Map<String, String> appLabels(AppCommand app) {
    return KubeNames.appLabels(app.name(), app.k8sName(), app.appId(), app.userId());
  }

  /**
   * The pod template's labels: the app's, and {@value KubeNames#PUBLIC_LABEL} on the pods of a
   * public app (only where public URLs are on, so no pod rolls where they are not).
   */
  private static Map<String, String> podLabels(AppCommand app, boolean isPublic) {
    if (!isPublic) {
      return appLabels(app);
    }
    Map<String, String> labels = new LinkedHashMap<>(appLabels(app));
    labels.put(KubeNames.PUBLIC_LABEL, "true");
    return labels;
  }

  /** Whether the app should have an Ingress: it is public, has a port, and URLs are on. */
  public boolean wantsIngress(AppCommand app) {
    return urls.of(app.cluster()).enabled() && app.desired().exposed();
  }

  /** Where the app answers publicly. */
  public String url(AppCommand app) {
    return urls.of(app.cluster()).url(app.k8sName());
  }

  /**
   * The Ingress of a public app: its host under the apps domain and each of its verified custom
   * domains, every path ({@code /}, Prefix) to its Service's port; the operator's class and
   * annotations; with a TLS issuer, cert-manager's annotation and the {@code tls} sections it
   * fills: {@code {k8sName}-tls} for the app's host, one Secret per custom domain ({@link
   * KubeNames#domainTlsSecret}) so each domain's certificate stands on its own.
   */
  public V1Ingress ingress(AppCommand app) {
    PublicUrls urls = this.urls.of(app.cluster());
    String host = urls.host(app.k8sName());
    Map<String, String> annotations = new TreeMap<>(urls.annotations());
    if (urls.tlsIssuer() != null) {
      annotations.put(PublicUrls.CLUSTER_ISSUER_ANNOTATION, urls.tlsIssuer());
    }
    List<String> hosts = new ArrayList<>();
    hosts.add(host);
    hosts.addAll(app.desired().domains());
    List<V1IngressRule> rules = new ArrayList<>();
    for (String name : hosts) {
      rules.add(
          new V1IngressRule()
              .host(name)
              .http(
                  new V1HTTPIngressRuleValue()
                      .paths(
                          List.of(
                              new V1HTTPIngressPath()
                                  .path("/")
                                  .pathType("Prefix")
                                  .backend(
                                      new V1IngressBackend()
                                          .service(
                                              new V1IngressServiceBackend()
                                                  .name(app.k8sName())
                                                  .port(
                                                      new V1ServiceBackendPort()
                                                          .number(app.desired().port()))))))));
    }
    V1IngressSpec spec = new V1IngressSpec().ingressClassName(urls.ingressClass()).rules(rules);
    if (urls.tlsIssuer() != null) {
      List<V1IngressTLS> tls = new ArrayList<>();
      tls.add(
          new V1IngressTLS().hosts(List.of(host)).secretName(KubeNames.tlsSecret(app.k8sName())));
      for (String domain : app.desired().domains()) {
        tls.add(
            new V1IngressTLS()
                .hosts(List.of(domain))
                .secretName(KubeNames.domainTlsSecret(app.k8sName(), domain)));
      }
      spec.tls(tls);
    }
    return stamp(
        new V1Ingress()
            .apiVersion("networking.k8s.io/v1")
            .kind("Ingress")
            .metadata(meta(app.namespace(), KubeNames.ingress(app.k8sName()), appLabels(app)))
            .spec(spec),
        annotations,
        ingress -> ingressHashes.of(app.appId(), new Built(app, urls), () -> hashOf(ingress)));
  }

  public V1Deployment deployment(AppCommand app) {
    AppCommand.Release release = app.desired().release();
    // read once: the cluster's settings may change meanwhile, and the labels and the hash's inputs
    // must agree
    boolean isPublic = wantsIngress(app);
    Map<String, String> templateAnnotations = new TreeMap<>();
    if (app.desired().restartedAt() != null) {
      templateAnnotations.put(KubeNames.RESTARTED_AT_ANNOTATION, app.desired().restartedAt());
    }
    // release 0 (an app from before releases) carries no stamp, so its pods are not rolled just
    // because the worker learnt about releases
    if (release.number() > 0) {
      templateAnnotations.put(KubeNames.RELEASE_ANNOTATION, Long.toString(release.number()));
    }
    V1Container container =
        new V1Container()
            .name(KubeNames.APP_CONTAINER)
            .image(app.desired().image())
            .command(release.command())
            .args(release.args())
            .env(env(app))
            .ports(
                app.desired().port() == null
                    ? null
                    : List.of(
                        new V1ContainerPort().containerPort(app.desired().port()).protocol("TCP")))
            .resources(resources(release.resources()))
            .securityContext(
                new V1SecurityContext()
                    // only under restricted: a baseline Deployment keeps its hash (no rollout)
                    .runAsNonRoot(
                        policy.podSecurity() == TenantPolicy.PodSecurity.RESTRICTED ? true : null)
                    .allowPrivilegeEscalation(false)
                    .capabilities(
                        new V1Capabilities()
                            .drop(List.of("ALL"))
                            .add(policy.capabilities().isEmpty() ? null : policy.capabilities()))
                    .seccompProfile(new V1SeccompProfile().type("RuntimeDefault")));
    HealthCheck health = release.healthCheck();
    if (health != null) {
      container
          .startupProbe(startupProbe(health))
          .readinessProbe(probe(health, 0, health.failureThreshold()))
          .livenessProbe(probe(health, 0, health.failureThreshold()));
    }
    V1Deployment deployment =
        new V1Deployment()
            .apiVersion("apps/v1")
            .kind("Deployment")
            .metadata(meta(app.namespace(), app.k8sName(), appLabels(app)))
            .spec(
                new V1DeploymentSpec()
                    .replicas(app.runningReplicas())
                    .selector(
                        new V1LabelSelector()
                            .matchLabels(Map.of(KubeNames.APP_ID_LABEL, app.appId())))
                    // the previous release serves until a new pod is available: one extra pod at
                    // a time, none taken away first
                    .strategy(
                        new V1DeploymentStrategy()
                            .type("RollingUpdate")
                            .rollingUpdate(
                                new V1RollingUpdateDeployment()
                                    .maxUnavailable(new IntOrString(0))
                                    .maxSurge(new IntOrString(1))))
                    .progressDeadlineSeconds((int) rolloutDeadline.toSeconds())
                    .revisionHistoryLimit(REPLICA_SET_HISTORY)
                    .template(
                        new V1PodTemplateSpec()
                            .metadata(
                                new V1ObjectMeta()
                                    .labels(podLabels(app, isPublic))
                                    .annotations(
                                        templateAnnotations.isEmpty() ? null : templateAnnotations))
                            .spec(
                                new V1PodSpec()
                                    .automountServiceAccountToken(false)
                                    .enableServiceLinks(false)
                                    .imagePullSecrets(
                                        release.imagePullSecret() == null
                                            ? null
                                            : List.of(
                                                new V1LocalObjectReference()
                                                    .name(KubeNames.pullSecret(app.k8sName()))))
                                    .containers(List.of(container)))));
    return stamp(
        deployment,
        Map.of(KubeNames.GENERATION_ANNOTATION, Long.toString(app.generation())),
        d -> deploymentHashes.of(app.appId(), new Built(app, isPublic), () -> hashOf(d)));
  }

  /**
   * The container's variables: the release's plain ones by name, then its secret ones, each read
   * from the app's env Secret (a name in both is the secret one: Kubernetes takes the last). Null
   * without any, as before releases.
   */
  private static List<V1EnvVar> env(AppCommand app) {
    AppCommand.Release release = app.desired().release();
    List<V1EnvVar> env = new ArrayList<>();
    release.env().forEach((name, value) -> env.add(new V1EnvVar().name(name).value(value)));
    String secret = KubeNames.envSecret(app.k8sName());
    release.secretNames().stream()
        .sorted()
        .forEach(
            name ->
                env.add(
                    new V1EnvVar()
                        .name(name)
                        .valueFrom(
                            new V1EnvVarSource()
                                .secretKeyRef(new V1SecretKeySelector().name(secret).key(name)))));
    return env.isEmpty() ? null : env;
  }

  /** The size's requests and limits; the operator's container defaults for a command without. */
  private V1ResourceRequirements resources(AppCommand.Resources size) {
    if (size == null) {
      return new V1ResourceRequirements()
          .requests(sorted(Map.of("cpu", policy.requestCpu(), "memory", policy.requestMemory())))
          .limits(sorted(Map.of("cpu", policy.limitCpu(), "memory", policy.limitMemory())));
    }
    return new V1ResourceRequirements()
        .requests(
            sorted(
                Map.of(
                    "cpu",
                    Quantity.fromString(size.cpuRequest()),
                    "memory",
                    Quantity.fromString(size.memoryRequest()))))
        .limits(
            sorted(
                Map.of(
                    "cpu",
                    Quantity.fromString(size.cpuLimit()),
                    "memory",
                    Quantity.fromString(size.memoryLimit()))));
  }

  /**
   * The start-up probe holds the others back until the app first answers, and tolerates a slow
   * start: it waits {@code initialDelaySeconds}, then keeps trying for at least the rollout
   * deadline (a start slower than that fails the rollout anyway).
   */
  private V1Probe startupProbe(HealthCheck health) {
    long covering =
        (rolloutDeadline.toSeconds() + health.periodSeconds() - 1) / health.periodSeconds();
    int failures = (int) Math.max(health.failureThreshold(), covering);
    return probe(health, health.initialDelaySeconds(), failures);
  }

  private static V1Probe probe(HealthCheck health, int initialDelaySeconds, int failureThreshold) {
    V1Probe probe =
        new V1Probe()
            .initialDelaySeconds(initialDelaySeconds == 0 ? null : initialDelaySeconds)
            .periodSeconds(health.periodSeconds())
            .timeoutSeconds(health.timeoutSeconds())
            .failureThreshold(failureThreshold);
    IntOrString port = new IntOrString(health.port());
    if (HealthCheck.HTTP.equals(health.type())) {
      probe.httpGet(
          new V1HTTPGetAction().path(health.path() == null ? "/" : health.path()).port(port));
    } else {
      probe.tcpSocket(new V1TCPSocketAction().port(port));
    }
    return probe;
  }

  /**
   * The Secret {@code {k8sName}-env} holding the release's secret variables in clear ({@code
   * values}, opened from {@code release.secrets}); null when the release has none. Its spec hash is
   * taken over the sealed form, never over the values.
   */
  public V1Secret envSecret(AppCommand app, Map<String, String> values) {
    AppCommand.Release release = app.desired().release();
    if (release.secrets() == null) {
      return null;
    }
    V1Secret secret =
        new V1Secret()
            .apiVersion("v1")
            .kind("Secret")
            .metadata(meta(app.namespace(), KubeNames.envSecret(app.k8sName()), appLabels(app)))
            .type("Opaque");
    return withData(stampSealed(secret, release.secrets()), values);
  }

  /**
   * The {@value #DOCKER_CONFIG_JSON} Secret {@code {k8sName}-pull} the image is pulled with ({@code
   * dockerConfig}, opened); null when the release names no registry credential. Hashed over the
   * sealed form, like {@link #envSecret}.
   */
  public V1Secret pullSecret(AppCommand app, String dockerConfig) {
    AppCommand.PullSecret pull = app.desired().release().imagePullSecret();
    if (pull == null) {
      return null;
    }
    V1Secret secret =
        new V1Secret()
            .apiVersion("v1")
            .kind("Secret")
            .metadata(meta(app.namespace(), KubeNames.pullSecret(app.k8sName()), appLabels(app)))
            .type(DOCKER_CONFIG_JSON);
    return withData(
        stampSealed(secret, pull.dockerConfig()),
        dockerConfig == null ? null : Map.of(".dockerconfigjson", dockerConfig));
  }

  private static V1Secret withData(V1Secret secret, Map<String, String> values) {
    if (values == null) {
      return secret;
    }
    Map<String, byte[]> data = new TreeMap<>();
    values.forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return secret.data(data);
  }

  // the hash input is the object without its values, plus their sealed form: a changed value
  // (sealed anew) changes the hash, and the annotation says nothing about the value itself
  private static V1Secret stampSealed(V1Secret secret, String sealed) {
    secret.getMetadata().setAnnotations(null);
    String json = JSON.serialize(secret) + "\n" + sealed;
    Map<String, String> all = new LinkedHashMap<>();
    all.put(KubeNames.SPEC_HASH_ANNOTATION, sha256(json));
    secret.getMetadata().setAnnotations(all);
    return secret;
  }

  public V1Service service(AppCommand app) {
    V1Service service =
        new V1Service()
            .apiVersion("v1")
            .kind("Service")
            .metadata(meta(app.namespace(), app.k8sName(), appLabels(app)))
            .spec(
                new V1ServiceSpec()
                    .type("ClusterIP")
                    .selector(Map.of(KubeNames.APP_ID_LABEL, app.appId()))
                    .ports(
                        List.of(
                            new V1ServicePort()
                                .name("http")
                                .protocol("TCP")
                                .port(app.desired().port())
                                .targetPort(new IntOrString(app.desired().port())))));
    return stamp(service, Map.of(), svc -> serviceHashes.of(app.appId(), app, () -> hashOf(svc)));
  }

  public V1Namespace namespace(String name, long userId) {
    Map<String, String> labels = new LinkedHashMap<>(KubeNames.namespaceLabels(userId));
    labels.put("pod-security.kubernetes.io/enforce", policy.podSecurity().label());
    labels.put("pod-security.kubernetes.io/warn", "restricted");
    return stamp(
        new V1Namespace().apiVersion("v1").kind("Namespace").metadata(meta(null, name, labels)),
        Map.of());
  }

  /**
   * Deny all traffic in and out, then allow pods of the namespace to talk to each other and to the
   * cluster DNS; with public URLs and the ingress controller's namespace known (on {@code
   * cluster}), let that namespace in to the public apps' pods (label {@value
   * KubeNames#PUBLIC_LABEL}) only.
   */
  public List<V1NetworkPolicy> networkPolicies(String cluster, String namespace) {
    List<V1NetworkPolicy> policies = new ArrayList<>(basePolicies(namespace));
    PublicUrls urls = this.urls.of(cluster);
    if (urls.enabled() && !urls.controllerNamespace().isEmpty()) {
      policies.add(
          policy(
              namespace,
              KubeNames.ALLOW_INGRESS_CONTROLLER,
              new V1NetworkPolicySpec()
                  .podSelector(
                      new V1LabelSelector().matchLabels(Map.of(KubeNames.PUBLIC_LABEL, "true")))
                  .policyTypes(List.of("Ingress"))
                  .ingress(
                      List.of(
                          new V1NetworkPolicyIngressRule()
                              .from(
                                  List.of(
                                      new V1NetworkPolicyPeer()
                                          .namespaceSelector(
                                              new V1LabelSelector()
                                                  .matchLabels(
                                                      sorted(urls.controllerNamespace())))))))));
    }
    return List.copyOf(policies);
  }

  private List<V1NetworkPolicy> basePolicies(String namespace) {
    V1LabelSelector all = new V1LabelSelector();
    V1NetworkPolicyPeer sameNamespace =
        new V1NetworkPolicyPeer().podSelector(new V1LabelSelector());
    V1NetworkPolicyPeer clusterDns =
        new V1NetworkPolicyPeer()
            .namespaceSelector(
                new V1LabelSelector()
                    .matchLabels(Map.of("kubernetes.io/metadata.name", "kube-system")))
            .podSelector(new V1LabelSelector().matchLabels(Map.of("k8s-app", "kube-dns")));
    return List.of(
        policy(
            namespace,
            "astro-default-deny",
            new V1NetworkPolicySpec().podSelector(all).policyTypes(List.of("Ingress", "Egress"))),
        policy(
            namespace,
            "astro-allow-same-namespace",
            new V1NetworkPolicySpec()
                .podSelector(all)
                .policyTypes(List.of("Ingress", "Egress"))
                .ingress(List.of(new V1NetworkPolicyIngressRule().from(List.of(sameNamespace))))
                .egress(List.of(new V1NetworkPolicyEgressRule().to(List.of(sameNamespace))))),
        policy(
            namespace,
            "astro-allow-dns",
            new V1NetworkPolicySpec()
                .podSelector(all)
                .policyTypes(List.of("Egress"))
                .egress(
                    List.of(
                        new V1NetworkPolicyEgressRule()
                            .to(List.of(clusterDns))
                            .ports(
                                List.of(
                                    new V1NetworkPolicyPort()
                                        .protocol("UDP")
                                        .port(new IntOrString(53)),
                                    new V1NetworkPolicyPort()
                                        .protocol("TCP")
                                        .port(new IntOrString(53))))))));
  }

  /**
   * The Secrets a user namespace may hold: two per app (its variables, its registry credential) for
   * the most apps a user may have (10 000, the ceiling of ASTRO_MAX_APPS_PER_USER), so it never
   * refuses one of Astro's. It bounds what a namespace stores, and its count in the quota's status
   * tells a worker when a namespace holds no Secret at all ({@link NamespaceSetup}).
   */
  static final int SECRETS_PER_NAMESPACE = 2 * 10_000;

  /** The quota's object count of Secrets (the legacy name of {@code count/secrets}). */
  static final String SECRET_COUNT = "secrets";

  public V1ResourceQuota resourceQuota(String namespace) {
    return stamp(
        new V1ResourceQuota()
            .apiVersion("v1")
            .kind("ResourceQuota")
            .metadata(meta(namespace, KubeNames.QUOTA, KubeNames.managedLabels()))
            .spec(
                new V1ResourceQuotaSpec()
                    .hard(
                        sorted(
                            Map.of(
                                "requests.cpu",
                                policy.quotaCpu(),
                                "requests.memory",
                                policy.quotaMemory(),
                                "requests.ephemeral-storage",
                                policy.quotaEphemeralStorage(),
                                "limits.ephemeral-storage",
                                policy.quotaEphemeralStorage(),
                                "pods",
                                new Quantity(Integer.toString(policy.quotaPods())),
                                SECRET_COUNT,
                                new Quantity(Integer.toString(SECRETS_PER_NAMESPACE)))))),
        Map.of());
  }

  public V1LimitRange limitRange(String namespace) {
    return stamp(
        new V1LimitRange()
            .apiVersion("v1")
            .kind("LimitRange")
            .metadata(meta(namespace, KubeNames.LIMITS, KubeNames.managedLabels()))
            .spec(
                new V1LimitRangeSpec()
                    .limits(
                        List.of(
                            new V1LimitRangeItem()
                                .type("Container")
                                .defaultRequest(
                                    sorted(
                                        Map.of(
                                            "cpu",
                                            policy.requestCpu(),
                                            "memory",
                                            policy.requestMemory(),
                                            "ephemeral-storage",
                                            policy.requestEphemeralStorage())))
                                ._default(
                                    sorted(
                                        Map.of(
                                            "cpu",
                                            policy.limitCpu(),
                                            "memory",
                                            policy.limitMemory(),
                                            "ephemeral-storage",
                                            policy.limitEphemeralStorage())))))),
        Map.of());
  }

  /** The hash an object was built from, or null for one Astro did not build. */
  public static String specHash(KubernetesObject object) {
    Map<String, String> annotations = object == null ? null : object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(KubeNames.SPEC_HASH_ANNOTATION);
  }

  private V1NetworkPolicy policy(String namespace, String name, V1NetworkPolicySpec spec) {
    return stamp(
        new V1NetworkPolicy()
            .apiVersion("networking.k8s.io/v1")
            .kind("NetworkPolicy")
            .metadata(meta(namespace, name, KubeNames.managedLabels()))
            .spec(spec),
        Map.of());
  }

  // Map.of iterates in an order that changes from one JVM to the next; the hash must not
  private static <V> Map<String, V> sorted(Map<String, V> map) {
    return new TreeMap<>(map);
  }

  private static V1ObjectMeta meta(String namespace, String name, Map<String, String> labels) {
    return new V1ObjectMeta().namespace(namespace).name(name).labels(labels);
  }

  // the hash covers everything built so far; annotations added with it (the generation) are part of
  // the input
  private static <T extends KubernetesObject> T stamp(T object, Map<String, String> annotations) {
    return stamp(object, annotations, Manifests::hashOf);
  }

  /** Sets the annotations and the spec hash {@code hash} gives for the object carrying them. */
  private static <T extends KubernetesObject> T stamp(
      T object, Map<String, String> annotations, Function<T, String> hash) {
    Map<String, String> all = new LinkedHashMap<>(annotations);
    object.getMetadata().setAnnotations(all.isEmpty() ? null : all);
    all.put(KubeNames.SPEC_HASH_ANNOTATION, hash.apply(object));
    object.getMetadata().setAnnotations(all);
    return object;
  }

  private static String hashOf(KubernetesObject object) {
    return sha256(JSON.serialize(object));
  }

  /** An app's command and the cluster's settings its object also depends on. */
  private record Built(AppCommand app, Object settings) {}

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
