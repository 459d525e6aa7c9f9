package io.astro.dev;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortCheckTest {

  @Test
  void a_taken_port_is_named_with_the_variable_that_moves_it() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      DevOptions options = options(taken.getLocalPort(), free(), free());
      assertThatThrownBy(() -> PortCheck.ensureFree(options))
          .isInstanceOf(DevFailure.class)
          .hasMessage(
              "port "
                  + taken.getLocalPort()
                  + " (ASTRO_GATEWAY_PORT) is already in use; stop what holds it "
                  + "or choose another port with the variable named");
    }
  }

  @Test
  void free_ports_pass() throws Exception {
    DevOptions options = options(free(), free(), free());
    assertThatCode(() -> PortCheck.ensureFree(options)).doesNotThrowAnyException();
  }

  private static DevOptions options(int gateway, int kafka, int db) throws Exception {
    return new DevOptions(
        Path.of("unused"),
        false,
        null,
        "127.0.0.1",
        new DevOptions.Ports(gateway, free(), free(), free(), kafka, free(), db),
        Map.of());
  }

  private static int free() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
