package io.astro.dev.e2e;

import io.astro.dev.DevMode;
import io.astro.dev.DevOptions;
import io.astro.dev.Workspace;
import io.astro.testkit.dns.TestDnsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dev mode as the tests start it: free ports, a workspace of their own, the edge's rate limits out
 * of the way.
 */
public final class TestSystems {

  /**
   * The DNS server custom domains are verified against (DomainEndToEndTest sets the records): one
   * for the JVM, as the systems started by the tests share it.
   */
  public static final TestDnsServer DNS = TestDnsServer.start();

  private TestSystems() {}

  public static DevOptions options(Path dir, boolean reset) {
    return new DevOptions(
        dir,
        reset,
        null,
        "127.0.0.1",
        new DevOptions.Ports(
            freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort()),
        // tests register and log in far more often than one client is allowed by default
        Map.ofEntries(
            Map.entry("ASTRO_GATEWAY_AUTH_RATE", "100000"),
            Map.entry("ASTRO_GATEWAY_USER_RATE", "100000"),
            Map.entry("ASTRO_SIGNUP_MAX_PER_IP", "100000"),
            Map.entry("ASTRO_LOGIN_IP_MAX_FAILURES", "100000"),
            // a failed rollout (ReleasesEndToEndTest) is told within the suite's waits
            Map.entry("ASTRO_ROLLOUT_DEADLINE", "20"),
            // an app whose writes failed for a while (FaultsEndToEndTest's minute of API errors)
            // is tried again within 15 s of the API healing, not the default minute
            Map.entry("ASTRO_RECONCILE_RETRY_MAX", "15s"),
            // a disabled account (DisabledAccountEndToEndTest) is refused within a second
            Map.entry("ASTRO_DISABLED_USERS_POLL", "1s"),
            Map.entry("ASTRO_GATEWAY_DISABLED_POLL", "1s"),
            // apps with a port get public URLs (PublicUrlEndToEndTest); *.localtest.me resolves
            // to 127.0.0.1
            Map.entry("ASTRO_APPS_DOMAIN", "apps.localtest.me"),
            Map.entry("ASTRO_TLS_ISSUER", "letsencrypt"),
            // custom domains are verified against the tests' own DNS server, looked at often
            Map.entry("ASTRO_DNS_RESOLVERS", DNS.hostPort()),
            Map.entry("ASTRO_DOMAIN_VERIFY_INTERVAL", "200ms"),
            Map.entry("ASTRO_DOMAIN_VERIFY_BACKOFF", "200ms")));
  }

  /** Locks the workspace (released on close), wipes it when asked, starts everything. */
  public static DevMode start(DevOptions options, boolean reset) {
    Workspace workspace = Workspace.open(options.workDir());
    workspace.lock();
    if (reset) {
      workspace.reset();
    }
    try {
      return DevMode.start(options, workspace);
    } catch (RuntimeException e) {
      workspace.close();
      throw e;
    }
  }

  public static Gateway gateway(DevMode dev) {
    return new Gateway(dev.gatewayUrl());
  }

  private static final int LOWEST_PORT = 20_000;
  private static final int PORTS = 32_768 - LOWEST_PORT;
  private static final AtomicInteger nextPort =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(PORTS));

  /**
   * A free port below Linux's ephemeral range (32768–60999): a restart binds the ports of the first
   * start again, and a port from that range can meanwhile be the local end of an outgoing
   * connection.
   */
  static int freePort() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      // taken in turn from a random start, so the ports of one start differ
      int port = LOWEST_PORT + Math.floorMod(nextPort.getAndIncrement(), PORTS);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException taken) {
        // another one
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32767");
  }
}
