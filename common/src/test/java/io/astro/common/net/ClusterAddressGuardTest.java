package io.astro.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.net.ClusterAddressGuard.Cidr;
import io.astro.common.net.ClusterAddressGuard.Refused;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a cluster server may be. Addresses are judged from IP literals (nothing is resolved or
 * contacted); the only connections made go to a listener on loopback.
 */
class ClusterAddressGuardTest {

  private static final ClusterAddressGuard STRICT = ClusterAddressGuard.strict();

  @Test
  void link_local_metadata_unspecified_and_multicast_are_never_allowed() throws Exception {
    ClusterAddressGuard everything =
        new ClusterAddressGuard(List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")), true);
    for (String address :
        List.of(
            "169.254.169.254",
            "169.254.10.1",
            "fe80::1",
            "fd00:ec2::254",
            "0.0.0.0",
            "::",
            "::ffff:169.254.169.254",
            "::ffff:0.0.0.0",
            "224.0.0.1",
            "ff02::1",
            "255.255.255.255")) {
      assertThat(everything.barred(literal(address))).as(address).isNotNull();
    }
    assertThat(STRICT.barred(literal("169.254.169.254"))).isEqualTo("metadata");
    assertThat(STRICT.barred(literal("fd00:ec2::254"))).isEqualTo("metadata");
    assertThat(STRICT.barred(literal("fe80::1"))).isEqualTo("link-local");
  }

  @Test
  void loopback_private_and_shared_addresses_are_refused_unless_listed() throws Exception {
    for (String address :
        List.of(
            "127.0.0.1",
            "127.8.9.10",
            "::1",
            "10.0.0.7",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "fd12:3456::1",
            "fc00::1",
            // IPv6 forms of an IPv4 address reach that address
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.7",
            "::10.0.0.7",
            "64:ff9b::a00:7",
            "2002:a00:7::1")) {
      assertThat(STRICT.barred(literal(address))).as(address).isNotNull();
    }
    ClusterAddressGuard tenNet = new ClusterAddressGuard(List.of(Cidr.parse("10.0.0.0/8")), false);
    assertThat(tenNet.barred(literal("10.0.0.7"))).isNull();
    assertThat(tenNet.barred(literal("::ffff:10.0.0.7"))).isNull();
    assertThat(tenNet.barred(literal("192.168.1.1"))).isEqualTo("private");
    assertThat(tenNet.barred(literal("127.0.0.1"))).isEqualTo("loopback");
  }

  @Test
  void public_addresses_are_allowed() throws Exception {
    for (String address :
        List.of("8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:1.1.1.1")) {
      assertThat(STRICT.barred(literal(address))).as(address).isNull();
    }
  }

  @Test
  void only_https_unless_http_is_allowed() {
    assertThatThrownBy(() -> STRICT.check(URI.create("http://8.8.8.8:6443")))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.code()).isEqualTo("scheme"));
    assertThatThrownBy(() -> STRICT.check(URI.create("ftp://8.8.8.8")))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.code()).isEqualTo("scheme"));
  }

  @Test
  void a_url_is_refused_when_its_host_is_barred_in_any_form() {
    for (String url :
        List.of(
            "https://127.0.0.1:6443",
            "https://[::1]:6443",
            "https://[::ffff:127.0.0.1]:6443",
            "https://0.0.0.0:6443",
            "https://169.254.169.254/latest/meta-data",
            "https://[fd00:ec2::254]/")) {
      assertThatThrownBy(() -> STRICT.check(URI.create(url)))
          .as(url)
          .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.code()).isEqualTo("address"));
    }
  }

  @Test
  void the_settings_come_from_the_environment_and_are_strict_by_default() throws Exception {
    ClusterAddressGuard none = ClusterAddressGuard.fromEnv(Env.of(Map.of()));
    assertThat(none.allowed()).isEmpty();
    assertThat(none.allowsHttp()).isFalse();

    ClusterAddressGuard dev =
        ClusterAddressGuard.fromEnv(
            Env.of(
                Map.of(
                    "ASTRO_CLUSTER_ALLOWED_CIDRS", "127.0.0.0/8, ::1/128",
                    "ASTRO_CLUSTER_ALLOW_HTTP", "true")));
    assertThat(dev.allowed()).containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
    assertThat(dev.check(URI.create("http://127.0.0.1:8443"))).isNotEmpty();

    for (String bad : List.of("10.0.0.0", "10.0.0.0/33", "example.org/8", "::1/x")) {
      assertThatThrownBy(
              () -> ClusterAddressGuard.fromEnv(Env.of(Map.of("ASTRO_CLUSTER_ALLOWED_CIDRS", bad))))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("ASTRO_CLUSTER_ALLOWED_CIDRS");
    }
  }

  @Test
  void sockets_refuse_a_barred_address_without_connecting() throws Exception {
    try (CountingListener listener = new CountingListener()) {
      try (Socket socket = STRICT.socketFactory().createSocket()) {
        assertThatThrownBy(() -> socket.connect(listener.address(), 2_000))
            .isInstanceOfSatisfying(
                Refused.class,
                r -> {
                  assertThat(r.code()).isEqualTo("address");
                  assertThat(r.getMessage()).contains("loopback");
                });
      }
      assertThatThrownBy(
              () -> STRICT.socketFactory().createSocket(listener.address().getAddress(), 1))
          .isInstanceOf(Refused.class);

      // the same listener, allowed: the socket does connect (what the count above would have seen)
      ClusterAddressGuard loopback =
          new ClusterAddressGuard(List.of(Cidr.parse("127.0.0.0/8")), false);
      try (Socket socket = loopback.socketFactory().createSocket()) {
        socket.connect(listener.address(), 2_000);
      }
      listener.awaitAccepted(1);
      assertThat(listener.accepted()).isEqualTo(1);
    }
  }

  private static InetAddress literal(String address) throws IOException {
    return InetAddress.getByName(address); // a literal: parsed, never looked up
  }

  /** A loopback listener counting the connections it accepts. */
  static final class CountingListener implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Semaphore arrivals = new Semaphore(0);
    private final Thread thread;

    CountingListener() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    server.accept().close();
                    accepted.incrementAndGet();
                    arrivals.release();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    int accepted() {
      return accepted.get();
    }

    void awaitAccepted(int count) throws InterruptedException {
      if (arrivals.tryAcquire(count, 5, TimeUnit.SECONDS)) {
        arrivals.release(count);
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
