package io.astro.sync.logs;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.List;
import java.util.stream.Stream;

/** Which container of a pod a log read is about. */
final class PodContainers {

  private PodContainers() {}

  /**
   * {@code requested}, or the pod's first container when none was asked for; null when the pod has
   * no such one.
   */
  static String pick(V1Pod pod, String requested) {
    List<String> names = names(pod);
    if (requested == null) {
      return pod.getSpec() == null || pod.getSpec().getContainers().isEmpty()
          ? null
          : pod.getSpec().getContainers().get(0).getName();
    }
    return names.contains(requested) ? requested : null;
  }

  /** Init and app containers: both have logs. */
  static List<String> names(V1Pod pod) {
    if (pod.getSpec() == null) {
      return List.of();
    }
    List<V1Container> init =
        pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
    return Stream.concat(init.stream(), pod.getSpec().getContainers().stream())
        .map(V1Container::getName)
        .toList();
  }
}
