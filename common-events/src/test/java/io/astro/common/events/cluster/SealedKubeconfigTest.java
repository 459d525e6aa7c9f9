package io.astro.common.events.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.crypto.KeyRing;
import org.junit.jupiter.api.Test;

class SealedKubeconfigTest {

  private static final KeyRing KEYS = KeyRing.fromSpec(KeyRing.generateSpec("k1"));
  private static final String KUBECONFIG = "apiVersion: v1\nkind: Config\n";

  @Test
  void a_kubeconfig_opens_only_as_the_cluster_and_revision_it_was_sealed_for() {
    String sealed = SealedKubeconfig.seal(KEYS, "id-1", "east", 3, KUBECONFIG);

    assertThat(SealedKubeconfig.open(KEYS, "id-1", "east", 3, sealed, true)).isEqualTo(KUBECONFIG);
    // an older revision's kubeconfig replayed into a newer record, or onto another cluster
    for (Runnable replay :
        new Runnable[] {
          () -> SealedKubeconfig.open(KEYS, "id-1", "east", 4, sealed, true),
          () -> SealedKubeconfig.open(KEYS, "id-2", "east", 3, sealed, true),
          () -> SealedKubeconfig.open(KEYS, "id-1", "west", 3, sealed, true)
        }) {
      assertThatThrownBy(replay::run)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("value cannot be decrypted with key k1");
    }
    assertThat(SealedKubeconfig.isLegacy(KEYS, "id-1", "east", 3, sealed)).isFalse();
  }

  @Test
  void one_sealed_with_the_name_alone_opens_only_while_legacy_values_are_accepted() {
    String legacy = KEYS.seal("east", KUBECONFIG);

    assertThat(SealedKubeconfig.isLegacy(KEYS, "id-1", "east", 7, legacy)).isTrue();
    assertThat(SealedKubeconfig.open(KEYS, "id-1", "east", 7, legacy, true)).isEqualTo(KUBECONFIG);
    assertThatThrownBy(() -> SealedKubeconfig.open(KEYS, "id-1", "east", 7, legacy, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SealedKubeconfig.isLegacy(KEYS, "id-1", "west", 7, legacy)).isFalse();
  }
}
