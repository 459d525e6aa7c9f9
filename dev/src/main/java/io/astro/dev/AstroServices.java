package io.astro.dev;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.runtime.Service;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The four services in this JVM, each started through its own {@code Main.start(Env)} — the code
 * path of {@code java -jar} — with its own Vert.x and metrics registry. user-service, app-service
 * and the sync-worker start side by side; the gateway after user-service, whose disabled-accounts
 * list it loads first (a failed first load would wait a whole poll interval).
 */
public final class AstroServices implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AstroServices.class);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public static final String USER_SERVICE = io.astro.user.Main.NAME;
  public static final String APP_SERVICE = io.astro.app.Main.NAME;
  public static final String SYNC_WORKER = io.astro.sync.Main.NAME;
  public static final String GATEWAY = io.astro.gateway.Main.NAME;

  private final Wiring wiring;
  private final Map<String, Service> running = new LinkedHashMap<>();

  private AstroServices(Wiring wiring) {
    this.wiring = wiring;
  }

  public static AstroServices start(Wiring wiring) {
    AstroServices services = new AstroServices(wiring);
    Future<Service> users = start(io.astro.user.Main::start, wiring.userService());
    Future<Service> apps = start(io.astro.app.Main::start, wiring.appService());
    Future<Service> sync = start(io.astro.sync.Main::start, wiring.syncWorker());
    List<RuntimeException> failures = new ArrayList<>();
    services.collect(USER_SERVICE, users, failures);
    if (failures.isEmpty()) {
      // from this thread, not a callback of user-service's Future: a Vert.x instance is never made
      // on another's loop
      services.collect(GATEWAY, start(io.astro.gateway.Main::start, wiring.gateway()), failures);
    }
    services.collect(APP_SERVICE, apps, failures);
    services.collect(SYNC_WORKER, sync, failures);
    if (!failures.isEmpty()) {
      services.close();
      throw failures.get(0);
    }
    return services;
  }

  private static Future<Service> start(
      Function<Env, Future<Service>> main, Map<String, String> env) {
    try {
      return main.apply(Env.of(env));
    } catch (RuntimeException e) {
      // a configuration error is thrown before the service has a Future to fail
      return Future.failedFuture(e);
    }
  }

  private void collect(String name, Future<Service> start, List<RuntimeException> failures) {
    try {
      Service service = start.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      synchronized (running) {
        running.put(name, service);
      }
    } catch (ConfigException e) {
      failures.add(new DevFailure(name + ": " + e.getMessage(), e));
    } catch (Exception e) {
      failures.add(
          new IllegalStateException(name + " did not start: " + Failures.rootMessage(e), e));
    }
  }

  public Service service(String name) {
    synchronized (running) {
      return running.get(name);
    }
  }

  /** Each service's port, in start order. */
  public Map<String, Integer> ports() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    synchronized (running) {
      running.forEach((name, service) -> ports.put(name, service.httpPort()));
    }
    return ports;
  }

  /** Each service's management port ({@code /ready}, {@code /metrics}), in start order. */
  public Map<String, Integer> managementPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    synchronized (running) {
      running.forEach((name, service) -> ports.put(name, service.managementPort()));
    }
    return ports;
  }

  /**
   * Stops the sync-worker and starts a new one with the same settings, as a redeploy or a
   * crash-restart would.
   */
  public void restartSyncWorker() {
    stop(SYNC_WORKER);
    List<RuntimeException> failures = new ArrayList<>();
    collect(SYNC_WORKER, start(io.astro.sync.Main::start, wiring.syncWorker()), failures);
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  /**
   * Stops app-service, as a crash or a redeploy would between two of its steps; {@link
   * #startAppService()} starts a new one with the same settings.
   */
  public void stopAppService() {
    stop(APP_SERVICE);
  }

  public void startAppService() {
    List<RuntimeException> failures = new ArrayList<>();
    collect(APP_SERVICE, start(io.astro.app.Main::start, wiring.appService()), failures);
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  /**
   * Waits until every service's {@code /ready} answers 200; the failure names what is still down.
   */
  public void awaitReady(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    for (Map.Entry<String, Integer> service : managementPorts().entrySet()) {
      URI ready = URI.create(wiring.url(service.getValue()) + "/ready");
      String last = "no answer";
      while (true) {
        try {
          HttpResponse<String> response =
              HTTP.send(
                  HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            break;
          }
          last = response.body();
        } catch (IOException e) {
          last = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for " + service.getKey());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              service.getKey() + " not ready after " + bound.toSeconds() + " s: " + last);
        }
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      }
    }
  }

  /**
   * The edge first, so no new request comes in while the services behind it drain; then the
   * sync-worker, so no status arrives at an app-service whose database pool is closing (it would be
   * redelivered, with a warning).
   */
  @Override
  public void close() {
    for (String name : List.of(GATEWAY, SYNC_WORKER, APP_SERVICE, USER_SERVICE)) {
      stop(name);
    }
  }

  private void stop(String name) {
    Service service;
    synchronized (running) {
      service = running.remove(name);
    }
    if (service == null) {
      return;
    }
    try {
      service.close().await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info("{} stopped", name);
    } catch (Exception e) {
      LOG.warn("{} did not stop cleanly: {}", name, Failures.rootMessage(e));
    }
  }
}
