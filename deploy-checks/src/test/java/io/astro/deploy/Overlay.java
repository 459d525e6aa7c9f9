package io.astro.deploy;

import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** One kustomize overlay (or base), rendered and loaded into model classes once per test run. */
final class Overlay {

  private static final Map<String, Overlay> CACHE = new ConcurrentHashMap<>();

  final String name;
  final List<KubeObjects.Doc> docs;

  private Overlay(String name) {
    this.name = name;
    this.docs = KubeObjects.parse(Kustomize.render(Repo.path("k8s/" + name)));
  }

  /** {@code overlays/dev}, {@code overlays/prod}, {@code base}, … */
  static Overlay of(String name) {
    return CACHE.computeIfAbsent(name, Overlay::new);
  }

  List<KubeObjects.Doc> kind(String kind) {
    return docs.stream().filter(d -> d.kind().equals(kind)).toList();
  }

  <T> List<T> all(String kind, Class<T> type) {
    return kind(kind).stream().map(d -> d.as(type)).toList();
  }

  Optional<KubeObjects.Doc> find(String kind, String name) {
    return docs.stream().filter(d -> d.kind().equals(kind) && d.name().equals(name)).findFirst();
  }

  V1Deployment deployment(String name) {
    return find("Deployment", name)
        .orElseThrow(() -> new AssertionError(this.name + ": no Deployment " + name))
        .as(V1Deployment.class);
  }

  List<V1Service> services() {
    return all("Service", V1Service.class);
  }

  /** Every pod template with the name of its workload: Deployments, StatefulSets, Jobs. */
  Map<String, V1PodTemplateSpec> podTemplates() {
    Map<String, V1PodTemplateSpec> templates = new LinkedHashMap<>();
    all("Deployment", V1Deployment.class)
        .forEach(
            d ->
                templates.put(
                    "Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
    all("StatefulSet", V1StatefulSet.class)
        .forEach(
            s ->
                templates.put(
                    "StatefulSet/" + s.getMetadata().getName(), s.getSpec().getTemplate()));
    all("Job", V1Job.class)
        .forEach(j -> templates.put("Job/" + j.getMetadata().getName(), j.getSpec().getTemplate()));
    return templates;
  }

  /**
   * The environment a container gets, resolved: its {@code env} values (null for secret references)
   * over the data of its {@code envFrom} ConfigMaps.
   */
  Map<String, String> environment(V1Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (V1EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
      if (from.getConfigMapRef() == null) {
        throw new AssertionError(container.getName() + ": envFrom other than a ConfigMap");
      }
      V1ConfigMap cm =
          find("ConfigMap", from.getConfigMapRef().getName())
              .orElseThrow(
                  () ->
                      new AssertionError(
                          name
                              + ": "
                              + container.getName()
                              + " reads ConfigMap "
                              + from.getConfigMapRef().getName()
                              + ", which is not rendered"))
              .as(V1ConfigMap.class);
      if (from.getPrefix() != null) {
        throw new AssertionError(container.getName() + ": envFrom with a prefix");
      }
      env.putAll(cm.getData());
    }
    for (V1EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
      env.put(var.getName(), var.getValue());
    }
    return env;
  }

  /**
   * The Secret mounted at the directory holding {@code file} in this pod, and the key (file name)
   * read.
   */
  static Optional<Map.Entry<String, String>> secretFile(
      V1PodTemplateSpec pod, V1Container container, String file) {
    for (V1VolumeMount mount : Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
      String dir =
          mount.getMountPath().endsWith("/") ? mount.getMountPath() : mount.getMountPath() + "/";
      if (!file.startsWith(dir) || file.substring(dir.length()).contains("/")) {
        continue;
      }
      for (V1Volume volume : pod.getSpec().getVolumes()) {
        if (volume.getName().equals(mount.getName()) && volume.getSecret() != null) {
          return Optional.of(
              Map.entry(volume.getSecret().getSecretName(), file.substring(dir.length())));
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return name;
  }
}
