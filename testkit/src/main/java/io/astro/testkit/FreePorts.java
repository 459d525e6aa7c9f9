package io.astro.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free ports for the servers a test starts. */
public final class FreePorts {

  private FreePorts() {}

  /**
   * {@code count} free ports, all different: every socket stays open until all are taken, since a
   * port whose socket was closed before the next was asked for can be handed out again (seen: a
   * broker given one port for both of its listeners).
   */
  public static int[] distinct(int count) {
    List<ServerSocket> open = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0);
        open.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    } finally {
      for (ServerSocket socket : open) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port is free either way once the process no longer holds it
        }
      }
    }
  }
}
