package io.astro.dev;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What dev mode is asked for: the command line ({@code [--reset] [--kubeconfig FILE]}), the
 * environment and the defaults of a single machine.
 *
 * @param workDir where everything is kept ({@code .astro/}, or {@code ASTRO_DEV_DIR})
 * @param kubeconfig a real cluster to run apps on, or null for the in-process sandbox
 * @param httpHost the address the four services bind to (dev default 127.0.0.1: the laptop, not the
 *     network)
 * @param env what the services read beyond dev mode's own wiring (e.g. {@code
 *     ASTRO_IMAGE_ALLOWLIST})
 */
public record DevOptions(
    Path workDir,
    boolean reset,
    Path kubeconfig,
    String httpHost,
    Ports ports,
    Map<String, String> env) {

  public static final String USAGE = "usage: astro dev [--reset] [--kubeconfig FILE]";

  /** Every port dev mode listens on. */
  public record Ports(
      int gateway,
      int userService,
      int appService,
      int syncWorker,
      int kafka,
      int kafkaController,
      int database) {

    static Ports from(Env env) {
      return new Ports(
          env.integer("ASTRO_GATEWAY_PORT", 8080, 1, 65535),
          env.integer("ASTRO_USER_SERVICE_PORT", 8081, 1, 65535),
          env.integer("ASTRO_APP_SERVICE_PORT", 8082, 1, 65535),
          env.integer("ASTRO_SYNC_WORKER_PORT", 8083, 1, 65535),
          env.integer("ASTRO_DEV_KAFKA_PORT", 9092, 1, 65535),
          env.integer("ASTRO_DEV_KAFKA_CONTROLLER_PORT", 9093, 1, 65535),
          env.integer("ASTRO_DEV_DB_PORT", 3306, 1, 65535));
    }

    /** Each port with the variable that moves it, for messages. */
    Map<String, Integer> byVariable() {
      Map<String, Integer> all = new LinkedHashMap<>();
      all.put("ASTRO_GATEWAY_PORT", gateway);
      all.put("ASTRO_USER_SERVICE_PORT", userService);
      all.put("ASTRO_APP_SERVICE_PORT", appService);
      all.put("ASTRO_SYNC_WORKER_PORT", syncWorker);
      all.put("ASTRO_DEV_KAFKA_PORT", kafka);
      all.put("ASTRO_DEV_KAFKA_CONTROLLER_PORT", kafkaController);
      all.put("ASTRO_DEV_DB_PORT", database);
      return all;
    }
  }

  /** Reads the command line and the environment; {@code --help} answers null. */
  public static DevOptions parse(String[] args, Map<String, String> environment) {
    Env env = Env.of(environment);
    boolean reset = false;
    String kubeconfig = env.string("ASTRO_KUBECONFIG", null);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reset" -> reset = true;
        case "--kubeconfig" -> {
          if (i + 1 == args.length || args[i + 1].startsWith("--")) {
            throw new ConfigException("--kubeconfig needs a file; " + USAGE);
          }
          kubeconfig = args[++i];
        }
        case "-h", "--help" -> {
          return null;
        }
        default -> throw new ConfigException("unknown argument '" + args[i] + "'; " + USAGE);
      }
    }
    if ((env.string("ASTRO_ADMIN_USERNAME", null) == null)
        != (env.string("ASTRO_ADMIN_PASSWORD", null) == null)) {
      throw new ConfigException(
          "ASTRO_ADMIN_USERNAME and ASTRO_ADMIN_PASSWORD must be set together");
    }
    Ports ports = Ports.from(env);
    Map<Integer, String> seen = new HashMap<>();
    ports
        .byVariable()
        .forEach(
            (variable, port) -> {
              String other = seen.putIfAbsent(port, variable);
              if (other != null) {
                throw new ConfigException(variable + " and " + other + " are both " + port);
              }
            });
    return new DevOptions(
        Path.of(env.string("ASTRO_DEV_DIR", ".astro")).toAbsolutePath().normalize(),
        reset,
        kubeconfig == null ? null : Path.of(kubeconfig).toAbsolutePath().normalize(),
        env.string("ASTRO_HTTP_HOST", "127.0.0.1"),
        ports,
        environment);
  }
}
