package io.astro.sync.reconcile;

import io.astro.common.events.app.AppCommand;
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
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1LimitRangeSpec;
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
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole desired objects of an app and of its user's namespace, with {@code apiVersion} and
 * {@code kind} set. Each carries the hash of what it was built from ({@value
 * KubeNames#SPEC_HASH_ANNOTATION}), so an unchanged object is recognised without comparing fields a
 * server may have defaulted.
 */
public final class Manifests {

  public static final String CONTAINER = "app";

  private final TenantPolicy policy;

  public Manifests(TenantPolicy policy) {
    this.policy = policy;
  }

  public static Map<String, String> appLabels(AppCommand app) {
    return KubeNames.appLabels(app.name(), app.k8sName(), app.appId(), app.userId());
  }

  public V1Deployment deployment(AppCommand app) {
    Map<String, String> templateAnnotations =
        app.desired().restartedAt() == null
            ? null
            : sorted(Map.of(KubeNames.RESTARTED_AT_ANNOTATION, app.desired().restartedAt()));
    V1Container container =
        new V1Container()
            .name(CONTAINER)
            .image(app.desired().image())
            .ports(
                app.desired().port() == null
                    ? null
                    : List.of(
                        new V1ContainerPort().containerPort(app.desired().port()).protocol("TCP")))
            .resources(
                new V1ResourceRequirements()
                    .requests(
                        sorted(
                            Map.of("cpu", policy.requestCpu(), "memory", policy.requestMemory())))
                    .limits(
                        sorted(Map.of("cpu", policy.limitCpu(), "memory", policy.limitMemory()))))
            .securityContext(
                new V1SecurityContext()
                    .allowPrivilegeEscalation(false)
                    .capabilities(
                        new V1Capabilities()
                            .drop(List.of("ALL"))
                            .add(policy.capabilities().isEmpty() ? null : policy.capabilities()))
                    .seccompProfile(new V1SeccompProfile().type("RuntimeDefault")));
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
                    .template(
                        new V1PodTemplateSpec()
                            .metadata(
                                new V1ObjectMeta()
                                    .labels(appLabels(app))
                                    .annotations(templateAnnotations))
                            .spec(
                                new V1PodSpec()
                                    .automountServiceAccountToken(false)
                                    .enableServiceLinks(false)
                                    .containers(List.of(container)))));
    return stamp(
        deployment, Map.of(KubeNames.GENERATION_ANNOTATION, Long.toString(app.generation())));
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
    return stamp(service, Map.of());
  }

  public V1Namespace namespace(String name, long userId) {
    Map<String, String> labels = new LinkedHashMap<>(KubeNames.namespaceLabels(userId));
    labels.put("pod-security.kubernetes.io/enforce", "baseline");
    labels.put("pod-security.kubernetes.io/warn", "restricted");
    return stamp(
        new V1Namespace().apiVersion("v1").kind("Namespace").metadata(meta(null, name, labels)),
        Map.of());
  }

  /**
   * Deny all traffic in and out, then allow pods of the namespace to talk to each other and to the
   * cluster DNS.
   */
  public List<V1NetworkPolicy> networkPolicies(String namespace) {
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
                                "requests.cpu", policy.quotaCpu(),
                                "requests.memory", policy.quotaMemory(),
                                "pods", new Quantity(Integer.toString(policy.quotaPods())))))),
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
                                            policy.requestMemory())))
                                ._default(
                                    sorted(
                                        Map.of(
                                            "cpu",
                                            policy.limitCpu(),
                                            "memory",
                                            policy.limitMemory())))))),
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
    Map<String, String> all = new LinkedHashMap<>(annotations);
    object.getMetadata().setAnnotations(all.isEmpty() ? null : all);
    String json = JSON.serialize(object);
    all.put(KubeNames.SPEC_HASH_ANNOTATION, sha256(json));
    object.getMetadata().setAnnotations(all);
    return object;
  }

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
