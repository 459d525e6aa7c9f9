package io.astro.dev;

import io.astro.common.auth.SigningKeys;
import io.astro.testkit.db.MySqlServer;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment each service gets in dev mode: whatever the person set (e.g. {@code
 * ASTRO_IMAGE_ALLOWLIST}, {@code ASTRO_LOG_LEVEL}), then what ties the four together — ports,
 * databases, the broker, the cluster, the keys and the shared internal token — on top. The same
 * variables an operator sets when running the jars one by one.
 */
public final class Wiring {

  private final DevOptions options;
  private final Backing backing;
  private final SigningKeys keys;
  private final Workspace.Admin admin;
  private final String internalToken;
  private final String kubeconfigKeys;

  public Wiring(
      DevOptions options,
      Backing backing,
      SigningKeys keys,
      Workspace.Admin admin,
      String internalToken,
      String kubeconfigKeys) {
    this.options = options;
    this.backing = backing;
    this.keys = keys;
    this.admin = admin;
    this.internalToken = internalToken;
    this.kubeconfigKeys = kubeconfigKeys;
  }

  /** Where the services reach each other: the bind address, unless that is every address. */
  public String host() {
    String host = options.httpHost();
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }

  public String url(int port) {
    return "http://" + host() + ":" + port;
  }

  public Map<String, String> userService() {
    Map<String, String> env = base();
    database(env, Databases.USERS);
    env.put("ASTRO_USER_SERVICE_PORT", Integer.toString(options.ports().userService()));
    management(env, "ASTRO_USER_SERVICE_MANAGEMENT_PORT");
    env.put("ASTRO_JWT_PRIVATE_KEY", keys.privateKeyPem());
    env.put("ASTRO_JWT_PUBLIC_KEY", keys.publicKeyPem());
    env.remove("ASTRO_JWT_PRIVATE_KEY_FILE");
    env.remove("ASTRO_JWT_PUBLIC_KEY_FILE");
    env.put("ASTRO_ADMIN_USERNAME", admin.username());
    env.put("ASTRO_ADMIN_PASSWORD", admin.password());
    // the operators' accounts list counts each account's apps there
    env.put("ASTRO_APP_SERVICE_URL", url(options.ports().appService()));
    return env;
  }

  public Map<String, String> appService() {
    Map<String, String> env = base();
    database(env, Databases.APPS);
    env.put("ASTRO_APP_SERVICE_PORT", Integer.toString(options.ports().appService()));
    management(env, "ASTRO_APP_SERVICE_MANAGEMENT_PORT");
    env.put("ASTRO_JWKS_URL", url(options.ports().userService()) + "/.well-known/jwks.json");
    // the list of disabled accounts, polled as the gateway polls it
    env.put("ASTRO_USER_SERVICE_URL", url(options.ports().userService()));
    // the key is known here: handing it over saves the apps API its first seconds of 503 while JWKS
    // is fetched
    env.put("ASTRO_JWT_PUBLIC_JWK", keys.publicJwk().encode());
    env.put("ASTRO_DEFAULT_CLUSTER", backing.cluster().id());
    env.put("ASTRO_SYNC_WORKER_URL", url(options.ports().syncWorker()));
    internalToken(env);
    kubeconfigKeys(env);
    loopbackClusters(env);
    return env;
  }

  public Map<String, String> syncWorker() {
    Map<String, String> env = base();
    env.put("ASTRO_SYNC_WORKER_PORT", Integer.toString(options.ports().syncWorker()));
    management(env, "ASTRO_SYNC_WORKER_MANAGEMENT_PORT");
    env.put("ASTRO_CLUSTERS", backing.cluster().id() + "=" + backing.cluster().kubeconfig());
    internalToken(env);
    kubeconfigKeys(env);
    loopbackClusters(env);
    return env;
  }

  public Map<String, String> gateway() {
    Map<String, String> env = base();
    env.put("ASTRO_GATEWAY_PORT", Integer.toString(options.ports().gateway()));
    management(env, "ASTRO_GATEWAY_MANAGEMENT_PORT");
    env.put("ASTRO_USER_SERVICE_URL", url(options.ports().userService()));
    env.put("ASTRO_APP_SERVICE_URL", url(options.ports().appService()));
    env.put("ASTRO_JWT_PUBLIC_KEY", keys.publicKeyPem());
    env.remove("ASTRO_JWT_PUBLIC_KEY_FILE");
    return env;
  }

  /**
   * The management port ({@code /ready}, {@code /metrics}): the developer's own if set, else a free
   * one, so several dev systems (end-to-end tests) never collide; the banner and {@link
   * AstroServices#managementPorts()} tell which.
   */
  private void management(Map<String, String> env, String variable) {
    String own = options.env().get(variable);
    env.put(variable, own == null || own.isBlank() ? "0" : own);
  }

  private Map<String, String> base() {
    Map<String, String> env = new HashMap<>(options.env());
    env.put("ASTRO_HTTP_HOST", options.httpHost());
    env.put("ASTRO_KAFKA_BOOTSTRAP", backing.kafka().bootstrapServers());
    return env;
  }

  private void database(Map<String, String> env, String name) {
    MySqlServer db = backing.database();
    env.put("ASTRO_DB_HOST", db.host());
    env.put("ASTRO_DB_PORT", Integer.toString(db.port()));
    env.put("ASTRO_DB_NAME", name);
    env.put("ASTRO_DB_USER", db.user());
    env.put("ASTRO_DB_PASSWORD", db.password());
    env.remove("ASTRO_DB_PASSWORD_FILE");
  }

  // the same keys on both: app-service seals imported kubeconfigs, the sync-worker opens them
  private void kubeconfigKeys(Map<String, String> env) {
    env.put("ASTRO_KUBECONFIG_KEYS", kubeconfigKeys);
    env.remove("ASTRO_KUBECONFIG_KEYS_FILE");
  }

  // the sandbox (and kind, k3d, minikube) listens on this machine, the sandbox over http: dev mode
  // lets clusters be imported there; production allows neither unless its operator says so
  private static void loopbackClusters(Map<String, String> env) {
    env.putIfAbsent("ASTRO_CLUSTER_ALLOWED_CIDRS", "127.0.0.0/8,::1/128");
    env.putIfAbsent("ASTRO_CLUSTER_ALLOW_HTTP", "true");
  }

  private void internalToken(Map<String, String> env) {
    env.put("ASTRO_INTERNAL_TOKEN", internalToken);
    env.remove("ASTRO_INTERNAL_TOKEN_FILE");
  }
}
