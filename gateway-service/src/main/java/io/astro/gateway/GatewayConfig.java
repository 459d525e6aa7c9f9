package io.astro.gateway;

import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;

/**
 * Everything gateway-service reads from its environment, in one place.
 *
 * <ul>
 *   <li>{@code ASTRO_GATEWAY_PORT} — HTTP port, default 8080</li>
 *   <li>{@code ASTRO_HTTP_HOST}, {@code ASTRO_HTTP_BODY_LIMIT} — see {@link HttpSettings}</li>
 *   <li>{@code ASTRO_LOG_FORMAT} ({@code json}|{@code text}), {@code ASTRO_LOG_LEVEL} — logging</li>
 * </ul>
 */
public record GatewayConfig(HttpSettings http) {

  public static GatewayConfig from(Env env) {
    return new GatewayConfig(HttpSettings.from(env, "ASTRO_GATEWAY_PORT", 8080));
  }
}
