package io.astro.sync.reconcile;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1LimitRangeItem;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a namespace or fence object in the cluster still says what Astro wrote, compared by the
 * fields Astro sets — not the whole object, which the API server and others annotate and default.
 * The spec hash alone cannot tell: an object edited in place keeps its annotation.
 */
final class Fence {

  private Fence() {}

  /** True when {@code observed} (non-null) lost or changed a field {@code desired} sets. */
  static boolean drifted(KubernetesObject desired, KubernetesObject observed) {
    if (observed == null) {
      return false; // created, not replaced
    }
    if (!contains(observed.getMetadata().getLabels(), desired.getMetadata().getLabels())) {
      return true;
    }
    if (desired instanceof V1NetworkPolicy want && observed instanceof V1NetworkPolicy have) {
      return !Objects.equals(want.getSpec(), have.getSpec());
    }
    if (desired instanceof V1ResourceQuota want && observed instanceof V1ResourceQuota have) {
      return have.getSpec() == null
          || !sameQuantities(want.getSpec().getHard(), have.getSpec().getHard());
    }
    if (desired instanceof V1LimitRange want && observed instanceof V1LimitRange have) {
      return have.getSpec() == null
          || !sameLimits(want.getSpec().getLimits(), have.getSpec().getLimits());
    }
    return false; // a Namespace: its labels are all Astro sets
  }

  /**
   * Being deleted: phase Terminating or a deletion timestamp (whichever the server shows first).
   */
  static boolean terminating(V1Namespace namespace) {
    return namespace.getMetadata().getDeletionTimestamp() != null
        || (namespace.getStatus() != null
            && "Terminating".equals(namespace.getStatus().getPhase()));
  }

  private static boolean contains(Map<String, String> have, Map<String, String> want) {
    if (want == null || want.isEmpty()) {
      return true;
    }
    return have != null && have.entrySet().containsAll(want.entrySet());
  }

  private static boolean sameLimits(List<V1LimitRangeItem> want, List<V1LimitRangeItem> have) {
    if (have == null || want.size() != have.size()) {
      return false;
    }
    for (int i = 0; i < want.size(); i++) {
      V1LimitRangeItem w = want.get(i);
      V1LimitRangeItem h = have.get(i);
      if (!Objects.equals(w.getType(), h.getType())
          || !sameQuantities(w.getDefaultRequest(), h.getDefaultRequest())
          || !sameQuantities(w.getDefault(), h.getDefault())) {
        return false;
      }
    }
    return true;
  }

  /** Same keys and amounts; {@code 1000m} and {@code 1} are the same quantity. */
  private static boolean sameQuantities(Map<String, Quantity> want, Map<String, Quantity> have) {
    if (want == null || want.isEmpty()) {
      return have == null || have.isEmpty();
    }
    if (have == null || !want.keySet().equals(have.keySet())) {
      return false;
    }
    return want.entrySet().stream()
        .allMatch(
            e ->
                have.get(e.getKey()) != null
                    && e.getValue().getNumber().compareTo(have.get(e.getKey()).getNumber()) == 0);
  }
}
