package io.astro.user;

import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;

/**
 * Everything user-service reads from its environment, in one place.
 *
 * <ul>
 *   <li>{@code ASTRO_USER_SERVICE_PORT} — HTTP port, default 8081</li>
 *   <li>{@code ASTRO_HTTP_HOST}, {@code ASTRO_HTTP_BODY_LIMIT} — see {@link HttpSettings}</li>
 *   <li>{@code ASTRO_LOG_FORMAT} ({@code json}|{@code text}), {@code ASTRO_LOG_LEVEL} — logging</li>
 * </ul>
 */
public record UserServiceConfig(HttpSettings http) {

  public static UserServiceConfig from(Env env) {
    return new UserServiceConfig(HttpSettings.from(env, "ASTRO_USER_SERVICE_PORT", 8081));
  }
}
