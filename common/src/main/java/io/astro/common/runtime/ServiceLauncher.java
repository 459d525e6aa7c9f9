package io.astro.common.runtime;

import io.astro.common.config.ConfigException;
import io.vertx.core.Future;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every service's {@code main} does: start, report how long it took, stop cleanly on SIGTERM /
 * Ctrl-C within the grace period, and turn start-up failures into one clear line and a non-zero
 * exit instead of a stack trace wall.
 */
public final class ServiceLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceLauncher.class);
  private static final long GRACE_SECONDS = 30;
  private static final String NETTY_JFR = "io.netty.jfr.enabled";

  private ServiceLauncher() {}

  public static void run(Supplier<Future<Service>> start) {
    nettyJfrOffUnlessAsked();
    Service service;
    try {
      service = start.get().await(2, TimeUnit.MINUTES);
    } catch (ConfigException e) {
      System.err.println("configuration error: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      LOG.error("start-up failed", e);
      System.err.println("start-up failed: " + rootMessage(e));
      System.exit(1);
      return;
    }
    LOG.info(
        "{} started in {} ms", service.name(), ManagementFactory.getRuntimeMXBean().getUptime());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(service), "shutdown"));
  }

  private static void stop(Service service) {
    LOG.info("{} stopping", service.name());
    CountDownLatch closed = new CountDownLatch(1);
    service.close().onComplete(done -> closed.countDown());
    try {
      if (closed.await(GRACE_SECONDS, TimeUnit.SECONDS)) {
        LOG.info("{} stopped", service.name());
      } else {
        LOG.warn("{} did not stop within {} s", service.name(), GRACE_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /**
   * Netty (4.2) reports its allocator to JFR: the first buffer it allocates, on a service's first
   * request, loads JFR's event machinery (≈ 90 ms of CPU at start, and resident memory) for events
   * no recording here asks for. {@code -Dio.netty.jfr.enabled=true} keeps them. Must run before
   * Netty's first class loads.
   */
  static void nettyJfrOffUnlessAsked() {
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
  }
}
