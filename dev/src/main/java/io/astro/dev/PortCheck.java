package io.astro.dev;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every port dev mode needs, tried before anything starts: a taken port then costs one line naming
 * it and the variable that moves it, instead of a half-started system and a bind exception from
 * deep inside Kafka or MariaDB.
 */
final class PortCheck {

  /** Bound by the embedded broker and database, always on loopback. */
  private static final Set<String> LOOPBACK =
      Set.of("ASTRO_DEV_KAFKA_PORT", "ASTRO_DEV_KAFKA_CONTROLLER_PORT", "ASTRO_DEV_DB_PORT");

  private PortCheck() {}

  static void ensureFree(DevOptions options) {
    List<String> taken = new ArrayList<>();
    for (Map.Entry<String, Integer> port : options.ports().byVariable().entrySet()) {
      String host = LOOPBACK.contains(port.getKey()) ? "127.0.0.1" : options.httpHost();
      if (!free(host, port.getValue())) {
        taken.add(port.getValue() + " (" + port.getKey() + ")");
      }
    }
    if (!taken.isEmpty()) {
      throw new DevFailure(
          (taken.size() == 1 ? "port " : "ports ")
              + String.join(", ", taken)
              + (taken.size() == 1 ? " is" : " are")
              + " already in use; stop what holds "
              + (taken.size() == 1 ? "it" : "them")
              + " or choose another port with the variable named");
    }
  }

  private static boolean free(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
