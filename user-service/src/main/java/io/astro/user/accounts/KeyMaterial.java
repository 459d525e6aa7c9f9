package io.astro.user.accounts;

import io.astro.common.auth.SigningKeys;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token signing keys: PEM from {@code ASTRO_JWT_PRIVATE_KEY(_FILE)} and
 * {@code ASTRO_JWT_PUBLIC_KEY(_FILE)}; with none configured, a fresh pair per start (dev only:
 * tokens die with the process and instances do not agree), announced loudly.
 */
public final class KeyMaterial {

  private static final Logger LOG = LoggerFactory.getLogger(KeyMaterial.class);

  private KeyMaterial() {
  }

  public static SigningKeys load(Env env) {
    String privatePem = pem(env, "ASTRO_JWT_PRIVATE_KEY");
    String publicPem = pem(env, "ASTRO_JWT_PUBLIC_KEY");
    if (privatePem == null && publicPem == null) {
      LOG.warn("!!! No ASTRO_JWT_PRIVATE_KEY / ASTRO_JWT_PUBLIC_KEY configured: generated a throwaway ES256 key pair. "
          + "Tokens will not survive a restart. Never run like this in production. !!!");
      return SigningKeys.generate();
    }
    if (privatePem == null || publicPem == null) {
      throw new ConfigException("ASTRO_JWT_PRIVATE_KEY and ASTRO_JWT_PUBLIC_KEY must be set together");
    }
    try {
      return SigningKeys.fromPem(privatePem, publicPem);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("ASTRO_JWT_PRIVATE_KEY / ASTRO_JWT_PUBLIC_KEY: " + e.getMessage());
    }
  }

  private static String pem(Env env, String name) {
    String file = env.string(name + "_FILE", null);
    if (file == null) {
      return env.string(name, null);
    }
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new ConfigException(name + "_FILE cannot be read: " + file);
    }
  }
}
