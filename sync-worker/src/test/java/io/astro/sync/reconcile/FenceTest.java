package io.astro.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LimitRange;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NamespaceStatus;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A fence object is compared by the fields Astro sets, not by its whole JSON. */
class FenceTest {

  private static final String NS = "astro-user-7";
  private final Manifests manifests = new Manifests(TenantPolicy.defaults());

  /** What a server answers: a copy, with fields of its own added. */
  private static <T> T served(T object, Class<T> type) {
    return JSON.deserialize(JSON.serialize(object), type);
  }

  @Test
  void objects_as_written_with_server_fields_added_are_in_place() {
    V1Namespace ns = served(manifests.namespace(NS, 7), V1Namespace.class);
    ns.getMetadata().putLabelsItem("kubernetes.io/metadata.name", NS).resourceVersion("12");
    ns.status(new V1NamespaceStatus().phase("Active"));
    assertThat(Fence.drifted(manifests.namespace(NS, 7), ns)).isFalse();
    assertThat(Fence.terminating(ns)).isFalse();

    for (V1NetworkPolicy policy : manifests.networkPolicies("c1", NS)) {
      V1NetworkPolicy have = served(policy, V1NetworkPolicy.class);
      have.getMetadata().uid("u").generation(1L);
      assertThat(Fence.drifted(policy, have)).as(policy.getMetadata().getName()).isFalse();
    }
    V1ResourceQuota quota = served(manifests.resourceQuota(NS), V1ResourceQuota.class);
    // the server writes quantities its own way: 4 cores may come back as 4000m
    quota.getSpec().getHard().put("requests.cpu", new Quantity("4000m"));
    assertThat(Fence.drifted(manifests.resourceQuota(NS), quota)).isFalse();
    assertThat(
            Fence.drifted(
                manifests.limitRange(NS), served(manifests.limitRange(NS), V1LimitRange.class)))
        .isFalse();
  }

  @Test
  void edits_of_the_fields_astro_sets_are_drift() {
    V1NetworkPolicy deny = manifests.networkPolicies("c1", NS).get(0);
    V1NetworkPolicy edited = served(deny, V1NetworkPolicy.class);
    edited.getSpec().podSelector(new V1LabelSelector().matchLabels(Map.of("only", "these")));
    assertThat(Fence.drifted(deny, edited)).isTrue();

    V1ResourceQuota raised = served(manifests.resourceQuota(NS), V1ResourceQuota.class);
    raised.getSpec().getHard().put("pods", new Quantity("1000"));
    assertThat(Fence.drifted(manifests.resourceQuota(NS), raised)).isTrue();

    V1ResourceQuota widened = served(manifests.resourceQuota(NS), V1ResourceQuota.class);
    widened.getSpec().getHard().remove("requests.memory");
    assertThat(Fence.drifted(manifests.resourceQuota(NS), widened)).isTrue();

    V1LimitRange looser = served(manifests.limitRange(NS), V1LimitRange.class);
    looser.getSpec().getLimits().get(0).getDefault().put("memory", new Quantity("8Gi"));
    assertThat(Fence.drifted(manifests.limitRange(NS), looser)).isTrue();

    V1Namespace relabelled = served(manifests.namespace(NS, 7), V1Namespace.class);
    relabelled.getMetadata().putLabelsItem("pod-security.kubernetes.io/enforce", "privileged");
    assertThat(Fence.drifted(manifests.namespace(NS, 7), relabelled)).isTrue();
  }

  @Test
  void a_namespace_being_deleted_is_terminating_by_phase_or_timestamp() {
    V1Namespace byPhase = served(manifests.namespace(NS, 7), V1Namespace.class);
    byPhase.status(new V1NamespaceStatus().phase("Terminating"));
    V1Namespace byTimestamp = served(manifests.namespace(NS, 7), V1Namespace.class);
    byTimestamp.getMetadata().deletionTimestamp(OffsetDateTime.now(ZoneOffset.UTC));
    assertThat(Fence.terminating(byPhase)).isTrue();
    assertThat(Fence.terminating(byTimestamp)).isTrue();
  }
}
