package io.astro.user.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Signing keys come from configuration; only outside production may they be made up. */
class KeyMaterialTest {

  @Test
  void production_refuses_to_start_without_signing_keys() {
    assertThatThrownBy(() -> KeyMaterial.load(Env.of(Map.of("ASTRO_ENV", "production"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_JWT_PRIVATE_KEY");
  }

  @Test
  void elsewhere_a_throwaway_pair_is_generated() {
    assertThat(KeyMaterial.load(Env.of(Map.of()))).isNotNull();
  }
}
