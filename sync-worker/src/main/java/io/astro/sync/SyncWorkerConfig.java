package io.astro.sync;

import io.astro.common.config.Env;
import io.astro.common.config.HttpSettings;

/**
 * Everything sync-worker reads from its environment, in one place.
 *
 * <ul>
 *   <li>{@code ASTRO_SYNC_WORKER_PORT} — HTTP port, default 8083</li>
 *   <li>{@code ASTRO_HTTP_HOST}, {@code ASTRO_HTTP_BODY_LIMIT} — see {@link HttpSettings}</li>
 *   <li>{@code ASTRO_LOG_FORMAT} ({@code json}|{@code text}), {@code ASTRO_LOG_LEVEL} — logging</li>
 * </ul>
 */
public record SyncWorkerConfig(HttpSettings http) {

  public static SyncWorkerConfig from(Env env) {
    return new SyncWorkerConfig(HttpSettings.from(env, "ASTRO_SYNC_WORKER_PORT", 8083));
  }
}
