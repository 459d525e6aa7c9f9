package io.astro.app.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.astro.common.net.ClusterAddressGuard;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A kubeconfig whose server Astro may not reach is refused before any connection. Every server here
 * is on loopback, where a listener counts the connections it gets; the guard is left strict (the
 * production default), so loopback is barred like any private or link-local address.
 */
class KubeconfigCheckTest {

  private static Vertx vertx;
  private static ServerSocket listener;
  private static final AtomicInteger ACCEPTED = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    vertx = Vertx.vertx();
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accepting =
        new Thread(
            () -> {
              while (!listener.isClosed()) {
                try {
                  listener.accept().close();
                  ACCEPTED.incrementAndGet();
                } catch (IOException e) {
                  return;
                }
              }
            });
    accepting.setDaemon(true);
    accepting.start();
  }

  @AfterAll
  static void stop() throws IOException {
    listener.close();
    vertx.close().await();
  }

  @Test
  void a_server_on_a_barred_address_is_refused_naming_the_field_before_any_connection() {
    KubeconfigCheck strict =
        new KubeconfigCheck(vertx, Duration.ofSeconds(2), ClusterAddressGuard.strict());
    int port = listener.getLocalPort();

    for (String server :
        List.of(
            "https://127.0.0.1:" + port,
            "https://[::ffff:127.0.0.1]:" + port,
            "https://localhost:" + port)) {
      assertThat(strict.verify(kubeconfig(server)).await())
          .as(server)
          .isEqualTo(
              new KubeconfigCheck.Rejected(
                  "kubeconfig.clusters[0].cluster.server: the server's address is not allowed for"
                      + " clusters"));
    }
    // plain http is refused for its scheme, whatever the address
    KubeconfigCheck loopbackOnly =
        new KubeconfigCheck(
            vertx,
            Duration.ofSeconds(2),
            new ClusterAddressGuard(List.of(ClusterAddressGuard.Cidr.parse("127.0.0.0/8")), false));
    assertThat(loopbackOnly.verify(kubeconfig("http://127.0.0.1:" + port)).await())
        .isEqualTo(
            new KubeconfigCheck.Rejected(
                "kubeconfig.clusters[0].cluster.server: only https API servers are accepted"));

    assertThat(ACCEPTED.get()).isZero();
  }

  private static String kubeconfig(String server) {
    return """
        apiVersion: v1
        kind: Config
        current-context: c
        clusters:
        - name: k
          cluster:
            server: %s
        contexts:
        - name: c
          context: {cluster: k, user: u}
        users:
        - name: u
          user: {token: t0ken}
        """
        .formatted(server);
  }
}
