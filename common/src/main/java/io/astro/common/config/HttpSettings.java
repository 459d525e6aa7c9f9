package io.astro.common.config;

/**
 * The HTTP server settings every service shares. The port variables are per service so that several
 * services can run in one process or on one host without colliding.
 *
 * <ul>
 *   <li>{@code <portVariable>} — listen port (each service documents its own name and default)
 *   <li>{@code <managementPortVariable>} — the port of {@code /ready} and {@code /metrics} (and
 *       {@code /health}); when unset and the listen port is 0 (a free port, as tests ask), 0 too
 *   <li>{@code ASTRO_HTTP_HOST} — bind address of both, default {@code 0.0.0.0}
 *   <li>{@code ASTRO_HTTP_BODY_LIMIT} — largest request body accepted, default {@code 1MiB}; larger
 *       → 413
 * </ul>
 */
public record HttpSettings(String host, int port, long bodyLimitBytes, int managementPort) {

  public static final long DEFAULT_BODY_LIMIT = 1024 * 1024;

  /** Settings whose management port is a free one (tests). */
  public HttpSettings(String host, int port, long bodyLimitBytes) {
    this(host, port, bodyLimitBytes, 0);
  }

  public static HttpSettings from(
      Env env,
      String portVariable,
      int defaultPort,
      String managementPortVariable,
      int defaultManagementPort) {
    int port = env.integer(portVariable, defaultPort, 0, 65535);
    int management =
        env.integer(managementPortVariable, port == 0 ? 0 : defaultManagementPort, 0, 65535);
    if (management != 0 && management == port) {
      throw new ConfigException(
          managementPortVariable + " must differ from " + portVariable + " (" + port + ")");
    }
    return new HttpSettings(
        env.string("ASTRO_HTTP_HOST", "0.0.0.0"),
        port,
        env.bytes("ASTRO_HTTP_BODY_LIMIT", DEFAULT_BODY_LIMIT),
        management);
  }

  /** The same host and body limit, listening on the management port. */
  public HttpSettings management() {
    return new HttpSettings(host, managementPort, bodyLimitBytes, 0);
  }
}
