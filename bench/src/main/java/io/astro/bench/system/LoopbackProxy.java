package io.astro.bench.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * A proxy in front of app-service that the bench runs as a process of its own on a loopback port
 * (nginx, the bare Vert.x proxy): started, awaited until it accepts connections, stopped.
 */
public abstract class LoopbackProxy implements AutoCloseable {

  private final String name;
  private final Process process;
  private final int port;

  LoopbackProxy(String name, Process process, int port) {
    this.name = name;
    this.process = process;
    this.port = port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** Waits until the port accepts a connection; fails if the process exits first. */
  void awaitListening(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue());
      }
      try {
        new Socket(InetAddress.getLoopbackAddress(), port).close();
        return;
      } catch (IOException notYet) {
        ChildJvm.sleep(20);
      }
    }
    throw new IllegalStateException(name + " not listening on " + port + " within " + bound);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
