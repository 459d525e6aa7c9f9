package io.astro.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On the platforms Astro's images run on, a service's Vert.x runs on Netty's epoll transport: fewer
 * system calls and wake-ups per request than Java NIO's selector (bench/README.md, round six).
 * Elsewhere it falls back to NIO.
 */
class TransportTest {

  private final Service service = Service.create("transport");

  @AfterEach
  void close() {
    service.close().await();
  }

  @Test
  void a_service_on_linux_runs_on_epoll() {
    assumeTrue(
        System.getProperty("os.name").equals("Linux")
            && Set.of("amd64", "aarch64").contains(System.getProperty("os.arch")),
        "epoll is shipped for Linux on x86-64 and arm64 only");

    assertThat(service.vertx().isNativeTransportEnabled())
        .as(
            "epoll transport (unavailable because: %s)",
            service.vertx().unavailableNativeTransportCause())
        .isTrue();
  }
}
