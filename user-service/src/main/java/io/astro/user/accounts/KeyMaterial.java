package io.astro.user.accounts;

import io.astro.common.auth.SigningKeys;
import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token signing keys: PEM from {@code ASTRO_JWT_PRIVATE_KEY(_FILE)} and {@code
 * ASTRO_JWT_PUBLIC_KEY(_FILE)}; with none configured, a fresh pair per start (dev only: tokens die
 * with the process and instances do not agree), announced loudly — or, with {@code
 * ASTRO_ENV=production}, a refusal to start.
 */
public final class KeyMaterial {

  private static final Logger LOG = LoggerFactory.getLogger(KeyMaterial.class);

  private KeyMaterial() {}

  public static SigningKeys load(Env env) {
    String privatePem = env.secret("ASTRO_JWT_PRIVATE_KEY");
    String publicPem = env.secret("ASTRO_JWT_PUBLIC_KEY");
    if (privatePem == null && publicPem == null) {
      // ASTRO_ENV=production: no secret is ever made up (as KeyRing.fromEnv)
      if ("production".equals(env.string("ASTRO_ENV", "dev"))) {
        throw new ConfigException(
            "ASTRO_JWT_PRIVATE_KEY and ASTRO_JWT_PUBLIC_KEY (or their _FILE variants) are "
                + "required with ASTRO_ENV=production");
      }
      LOG.warn(
          "!!! No ASTRO_JWT_PRIVATE_KEY / ASTRO_JWT_PUBLIC_KEY configured: generated a throwaway ES256 key pair. "
              + "Tokens will not survive a restart. Never run like this in production. !!!");
      return SigningKeys.generate();
    }
    if (privatePem == null || publicPem == null) {
      throw new ConfigException(
          "ASTRO_JWT_PRIVATE_KEY and ASTRO_JWT_PUBLIC_KEY must be set together");
    }
    try {
      return SigningKeys.fromPem(privatePem, publicPem);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("ASTRO_JWT_PRIVATE_KEY / ASTRO_JWT_PUBLIC_KEY: " + e.getMessage());
    }
  }
}
