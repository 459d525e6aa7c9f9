package io.astro.sync.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.kube.KubeNames;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The informers' cache keeps one copy of the strings its objects repeat, in a bounded table. */
class SharedStringsTest {

  private static final String POD =
      """
      {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "%s", "namespace": "astro-user-5",
                    "labels": {"astro.io/app-id": "%s", "app.kubernetes.io/managed-by": "astro"}},
       "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx:1.27"}]},
       "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                  "containerStatuses": [{"name": "app", "image": "nginx:1.27", "imageID": "nginx@sha256:0",
                                         "ready": true, "restartCount": 0}]}}
      """;

  @Test
  void twoPodsReadSeparatelyShareTheirRepeatedStrings() {
    V1Pod one = SlimCache.pod(read("web-1", "a-1"));
    V1Pod two = SlimCache.pod(read("web-2", "a-2"));

    assertThat(key(two, KubeNames.APP_ID_LABEL)).isSameAs(key(one, KubeNames.APP_ID_LABEL));
    assertThat(two.getMetadata().getLabels().get(KubeNames.MANAGED_BY_LABEL))
        .isSameAs(one.getMetadata().getLabels().get(KubeNames.MANAGED_BY_LABEL));
    assertThat(two.getMetadata().getNamespace()).isSameAs(one.getMetadata().getNamespace());
    assertThat(two.getSpec().getNodeName()).isSameAs(one.getSpec().getNodeName());
    assertThat(two.getStatus().getPhase()).isSameAs(one.getStatus().getPhase());
    assertThat(two.getStatus().getConditions().get(0).getType())
        .isSameAs(one.getStatus().getConditions().get(0).getType());
    assertThat(two.getStatus().getContainerStatuses().get(0).getName())
        .isSameAs(one.getStatus().getContainerStatuses().get(0).getName());
    assertThat(two.getMetadata().getLabels())
        .containsExactly(
            Map.entry(KubeNames.APP_ID_LABEL, "a-2"),
            Map.entry(KubeNames.MANAGED_BY_LABEL, "astro"));
  }

  @Test
  void uniqueValuesNeverGrowTheTableBeyondItsSlots() {
    SharedStrings strings = new SharedStrings(1 << 8);

    for (int i = 0; i < 100_000; i++) {
      strings.share(UUID.randomUUID().toString());
    }

    assertThat(strings.held()).isLessThanOrEqualTo(1 << 8);
  }

  @Test
  void aLongStringIsNotKept() {
    SharedStrings strings = new SharedStrings(1 << 8);
    String tooLong = "x".repeat(SharedStrings.MAX_LENGTH + 1);

    strings.share(tooLong);

    assertThat(strings.held()).isZero();
    assertThat(strings.share(new String(tooLong))).isNotSameAs(tooLong);
  }

  @Test
  void anEqualStringReadAgainIsTheFirstCopy() {
    SharedStrings strings = new SharedStrings(1 << 8);
    String first = new String("app.kubernetes.io/name");

    strings.share(first);

    assertThat(strings.share(new String("app.kubernetes.io/name"))).isSameAs(first);
  }

  private static V1Pod read(String name, String appId) {
    return JSON.getGson().fromJson(POD.formatted(name, appId), V1Pod.class);
  }

  private static String key(V1Pod pod, String key) {
    return pod.getMetadata().getLabels().keySet().stream()
        .filter(key::equals)
        .findFirst()
        .orElseThrow();
  }
}
