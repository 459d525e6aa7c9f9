package io.astro.dev;

import io.astro.common.auth.SigningKeys;
import io.astro.common.config.Env;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system on one machine: backing services, then the four services wired to them, then a
 * wait until all four say they are ready. What {@code ./astro dev} runs, and what the end-to-end
 * tests start (on free ports, in a throw-away workspace).
 */
public final class DevMode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DevMode.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final DevOptions options;
  private final Workspace workspace;
  private final Backing backing;
  private final Workspace.Admin admin;
  private final Wiring wiring;
  private volatile AstroServices services;
  private final long startedNanos;
  private final long readyNanos;

  private DevMode(
      DevOptions options,
      Workspace workspace,
      Backing backing,
      Workspace.Admin admin,
      Wiring wiring,
      AstroServices services,
      long startedNanos) {
    this.options = options;
    this.workspace = workspace;
    this.backing = backing;
    this.admin = admin;
    this.wiring = wiring;
    this.services = services;
    this.startedNanos = startedNanos;
    this.readyNanos = System.nanoTime();
  }

  /**
   * Starts everything; on failure stops what had started and throws (a {@link DevFailure} when a
   * person can fix it).
   */
  public static DevMode start(DevOptions options, Workspace workspace) {
    long started = System.nanoTime();
    Env env = Env.of(options.env());
    SigningKeys keys = workspace.signingKeys();
    Workspace.Admin admin =
        workspace.admin(
            env.string("ASTRO_ADMIN_USERNAME", null), env.string("ASTRO_ADMIN_PASSWORD", null));
    Backing backing = Backing.start(options, workspace);
    if (backing.cluster().sandbox() != null && env.string("ASTRO_TLS_ISSUER", null) != null) {
      // the sandbox plays cert-manager (its ingress-shim and an issuer that succeeds), so the
      // apps' certificates show as issued as on a cluster with cert-manager installed
      backing.cluster().sandbox().certManager().ingressShim(true);
    }
    LOG.info("backing services up in {} ms", (System.nanoTime() - started) / 1_000_000);
    AstroServices services = null;
    try {
      // a fresh shared secret per run: only these two processes ever hold it
      Wiring wiring =
          new Wiring(
              options, backing, keys, admin, Workspace.randomText(32), workspace.kubeconfigKeys());
      services = AstroServices.start(wiring);
      services.awaitReady(READY_TIMEOUT);
      DevMode dev = new DevMode(options, workspace, backing, admin, wiring, services, started);
      LOG.info("Astro dev mode ready in {} ms", dev.startupTime().toMillis());
      return dev;
    } catch (RuntimeException e) {
      if (services != null) {
        services.close();
      }
      backing.close();
      throw e;
    }
  }

  public DevOptions options() {
    return options;
  }

  public Workspace workspace() {
    return workspace;
  }

  public Backing backing() {
    return backing;
  }

  public AstroServices services() {
    return services;
  }

  public Workspace.Admin admin() {
    return admin;
  }

  public String gatewayUrl() {
    return wiring.url(options.ports().gateway());
  }

  public String serviceUrl(String service) {
    return wiring.url(services.ports().get(service));
  }

  /** The port {@code service} serves {@code /ready} and {@code /metrics} on. */
  public int managementPort(String service) {
    return services.managementPorts().get(service);
  }

  /** Where {@code service} serves {@code /ready} and {@code /metrics}. */
  public String managementUrl(String service) {
    return wiring.url(services.managementPorts().get(service));
  }

  public Duration startupTime() {
    return Duration.ofNanos(readyNanos - startedNanos);
  }

  /**
   * Services first (they drain requests and consumers, commit offsets), then the cluster, broker
   * and database.
   */
  @Override
  public void close() {
    services.close();
    backing.close();
    workspace.close();
    LOG.info("Astro dev mode stopped");
  }
}
