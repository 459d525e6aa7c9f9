package io.astro.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Kubeconfigs are sealed with AES-256-GCM under a rotating key set, bound to their cluster. */
class KeyRingTest {

  private static final String KUBECONFIG =
      "apiVersion: v1\nkind: Config\nusers:\n- user: {token: s3cr3t}\n";

  @Test
  void a_sealed_kubeconfig_opens_again_and_never_shows_its_plaintext() {
    KeyRing cipher = KeyRing.fromSpec(KeyRing.generateSpec("k1"));
    String sealed = cipher.seal("c-1", KUBECONFIG);

    assertThat(sealed).startsWith("v1.k1.").doesNotContain("s3cr3t").doesNotContain("Config");
    assertThat(cipher.open("c-1", sealed)).isEqualTo(KUBECONFIG);
  }

  @Test
  void every_seal_uses_a_fresh_nonce() {
    KeyRing cipher = KeyRing.fromSpec(KeyRing.generateSpec("k1"));

    assertThat(cipher.seal("c-1", KUBECONFIG)).isNotEqualTo(cipher.seal("c-1", KUBECONFIG));
  }

  @Test
  void after_rotation_the_new_key_seals_and_the_old_one_still_opens() {
    String oldKey = KeyRing.generateSpec("k1");
    String sealedBefore = KeyRing.fromSpec(oldKey).seal("c-1", KUBECONFIG);
    KeyRing rotated = KeyRing.fromSpec(KeyRing.generateSpec("k2") + "," + oldKey);

    assertThat(rotated.open("c-1", sealedBefore)).isEqualTo(KUBECONFIG);
    assertThat(rotated.needsRotation(sealedBefore)).isTrue();
    assertThat(rotated.seal("c-1", KUBECONFIG)).startsWith("v1.k2.");
  }

  @Test
  void a_value_moved_to_another_cluster_tampered_or_under_an_unknown_key_does_not_open() {
    KeyRing cipher = KeyRing.fromSpec(KeyRing.generateSpec("k1"));
    String sealed = cipher.seal("c-1", KUBECONFIG);
    String tampered =
        sealed.substring(0, sealed.length() - 4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");

    assertThatThrownBy(() -> cipher.open("c-2", sealed))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cipher.open("c-1", tampered))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyRing.fromSpec(KeyRing.generateSpec("other")).open("c-1", sealed))
        .hasMessageContaining("unknown key");
  }

  @Test
  void bad_key_specs_are_refused_at_start() {
    assertThatThrownBy(() -> KeyRing.fromSpec("k1:c2hvcnQ="))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> KeyRing.fromSpec("no-colon")).isInstanceOf(ConfigException.class);
  }
}
