package io.astro.app;

import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;

/**
 * Everything app-service reads from its environment, in one place.
 *
 * <ul>
 *   <li>{@code ASTRO_APP_SERVICE_PORT} — HTTP port, default 8082</li>
 *   <li>{@code ASTRO_HTTP_HOST}, {@code ASTRO_HTTP_BODY_LIMIT} — see {@link HttpSettings}</li>
 *   <li>{@code ASTRO_LOG_FORMAT} ({@code json}|{@code text}), {@code ASTRO_LOG_LEVEL} — logging</li>
 * </ul>
 */
public record AppServiceConfig(HttpSettings http) {

  public static AppServiceConfig from(Env env) {
    return new AppServiceConfig(HttpSettings.from(env, "ASTRO_APP_SERVICE_PORT", 8082));
  }
}
