package io.astro.user.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.auth.SigningKeys;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing keys come from configuration; only outside production may they be made up. */
class KeyMaterialTest {

  private static final SigningKeys CONFIGURED = SigningKeys.generate();

  @Test
  void production_refuses_to_start_without_signing_keys() {
    assertThatThrownBy(() -> KeyMaterial.load(Env.of(Map.of("ASTRO_ENV", "production"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_JWT_PRIVATE_KEY")
        .hasMessageContaining("ASTRO_JWT_PUBLIC_KEY");
  }

  @Test
  void elsewhere_a_fresh_es256_pair_is_generated_at_each_start() {
    SigningKeys first = KeyMaterial.load(Env.of(Map.of()));
    SigningKeys second = KeyMaterial.load(Env.of(Map.of()));

    JsonObject jwk = first.publicJwk();
    assertThat(jwk.getString("kty")).isEqualTo("EC");
    assertThat(jwk.getString("crv")).isEqualTo("P-256");
    assertThat(jwk.getString("alg")).isEqualTo("ES256");
    assertThat(jwk.getString("kid")).isEqualTo(first.keyId());
    assertThat(second.keyId()).isNotEqualTo(first.keyId());
    // the generated pair survives its own PEM round trip: the same key, the same id
    assertThat(SigningKeys.fromPem(first.privateKeyPem(), first.publicKeyPem()).keyId())
        .isEqualTo(first.keyId());
  }

  @Test
  void a_configured_pair_is_used_as_given_even_in_production() {
    SigningKeys loaded =
        KeyMaterial.load(
            Env.of(
                Map.of(
                    "ASTRO_ENV",
                    "production",
                    "ASTRO_JWT_PRIVATE_KEY",
                    CONFIGURED.privateKeyPem(),
                    "ASTRO_JWT_PUBLIC_KEY",
                    CONFIGURED.publicKeyPem())));

    assertThat(loaded.keyId()).isEqualTo(CONFIGURED.keyId());
    assertThat(loaded.publicJwk()).isEqualTo(CONFIGURED.publicJwk());
  }

  @Test
  void a_pair_is_read_from_mounted_secret_files(@TempDir Path dir) throws Exception {
    Path privateKey = Files.writeString(dir.resolve("private.pem"), CONFIGURED.privateKeyPem());
    Path publicKey = Files.writeString(dir.resolve("public.pem"), CONFIGURED.publicKeyPem());

    SigningKeys loaded =
        KeyMaterial.load(
            Env.of(
                Map.of(
                    "ASTRO_JWT_PRIVATE_KEY_FILE",
                    privateKey.toString(),
                    "ASTRO_JWT_PUBLIC_KEY_FILE",
                    publicKey.toString())));

    assertThat(loaded.keyId()).isEqualTo(CONFIGURED.keyId());
  }

  @Test
  void half_a_pair_is_refused() {
    assertThatThrownBy(
            () ->
                KeyMaterial.load(
                    Env.of(Map.of("ASTRO_JWT_PRIVATE_KEY", CONFIGURED.privateKeyPem()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must be set together");
  }

  @Test
  void a_malformed_pair_is_refused_without_repeating_it() {
    String secret =
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----";

    assertThatThrownBy(
            () ->
                KeyMaterial.load(
                    Env.of(
                        Map.of(
                            "ASTRO_JWT_PRIVATE_KEY",
                            secret,
                            "ASTRO_JWT_PUBLIC_KEY",
                            CONFIGURED.publicKeyPem()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ASTRO_JWT_PRIVATE_KEY")
        .hasMessageNotContaining("c2VjcmV0LWtleS1tYXRlcmlhbA");
  }
}
