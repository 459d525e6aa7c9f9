package io.astro.common.config;

/**
 * The HTTP server settings every service shares. The port variable is per service so that several
 * services can run in one process or on one host without colliding.
 *
 * <ul>
 *   <li>{@code <portVariable>} — listen port (each service documents its own name and default)
 *   <li>{@code ASTRO_HTTP_HOST} — bind address, default {@code 0.0.0.0}
 *   <li>{@code ASTRO_HTTP_BODY_LIMIT} — largest request body accepted, default {@code 1MiB}; larger
 *       → 413
 * </ul>
 */
public record HttpSettings(String host, int port, long bodyLimitBytes) {

  public static final long DEFAULT_BODY_LIMIT = 1024 * 1024;

  public static HttpSettings from(Env env, String portVariable, int defaultPort) {
    return new HttpSettings(
        env.string("ASTRO_HTTP_HOST", "0.0.0.0"),
        env.integer(portVariable, defaultPort, 0, 65535),
        env.bytes("ASTRO_HTTP_BODY_LIMIT", DEFAULT_BODY_LIMIT));
  }
}
